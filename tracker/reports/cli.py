"""`flask --app tracker report`: write a committee's progress report, issue it, or write an
issued report's stored file.

    flask --app tracker report --committee NAME_OR_ID --format pdf --output report.pdf [--issue]
    flask --app tracker report --issued ID --format docx --output report.docx

With --issue the report is issued (frozen) first and the file written is the stored copy; the
issued report's id is printed on the last line, for scripts.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from tracker import clock
from tracker.accounts.models import User
from tracker.committees.models import Committee
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.reports import service
from tracker.reports.models import IssuedReport
from tracker.settings import settings


def find_committee(name_or_id: str) -> Committee:
    """A committee by its id, or by its name (any council; refused when the name is shared)."""
    text = name_or_id.strip()
    if text.isdigit():
        committee = db.session.get(Committee, int(text))
        if committee is not None:
            return committee
    matches = list(db.session.scalars(
        select(Committee).where(func.lower(Committee.name) == text.lower())
    ))
    if not matches:
        raise click.ClickException(f"No committee is called or numbered {text!r}.")
    if len(matches) > 1:
        ids = ", ".join(str(c.id) for c in matches)
        raise click.ClickException(
            f"More than one council has a committee called {text!r}: give its id ({ids})."
        )
    return matches[0]


def _issuer(email: str | None) -> User | None:
    if not email:
        return None
    user = db.session.scalars(
        select(User).where(User.email == email.strip().lower())
    ).first()
    if user is None:
        raise click.ClickException(f"No user has the email address {email!r}.")
    return user


def _write(path: str, data: bytes) -> None:
    Path(path).write_bytes(data)
    click.echo(f"Wrote {path} ({len(data):,} bytes).")


@click.command("report")
@click.option("--committee", "committee_ref", metavar="NAME_OR_ID",
              help="The committee whose progress report to write.")
@click.option("--issued", "issued_id", type=int, metavar="ID",
              help="Write the stored file of this issued report instead.")
@click.option("--format", "fmt", type=click.Choice(sorted(service.FORMATS)), required=True,
              help="html, pdf or docx.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the file.")
@click.option("--issue", is_flag=True,
              help="Issue (freeze) the report as the committee's next version first.")
@click.option("--by", "issued_by", metavar="EMAIL",
              help="With --issue: the administrator issuing it, recorded with the report.")
@with_appcontext
def report_command(committee_ref, issued_id, fmt, output, issue, issued_by):
    """Write a committee's progress report (a draft, or issue it), or an issued report."""
    if (committee_ref is None) == (issued_id is None):
        raise click.UsageError("Give either --committee or --issued.")
    if issued_id is not None:
        if issue:
            raise click.UsageError("--issue goes with --committee, not --issued.")
        report = db.session.get(IssuedReport, issued_id)
        if report is None:
            raise click.ClickException(f"There is no issued report {issued_id}.")
        _write(output, service.stored_file(report, fmt))
        return
    committee = find_committee(committee_ref)
    rules = settings().status_rules
    now = clock.now()
    if not issue:
        snapshot = service.draft_snapshot(committee, today=clock.today(), now=now, rules=rules)
        _write(output, service.render(snapshot, fmt))
        return
    try:
        report = service.issue_report(committee, actor=_issuer(issued_by), now=now, rules=rules)
    except RuleBroken as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message}. Nothing was issued.") from error
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    _write(output, service.stored_file(report, fmt))
    click.echo(f"Issued version {report.version} of the progress report to {committee.name}.")
    click.echo(str(report.id))
