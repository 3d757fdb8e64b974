"""`flask --app tracker import PATH`: import an inspection letter from the command line.

Without options it creates the inspection exactly as confirming the review page would, with
the document's proposal unchanged, and commits once. `--dry-run` does all of that and then
rolls it back, so it reports what would be created and saves nothing. `--json` only prints
what was read, as one JSON object shaped like the seeds' expected files; it needs no database.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker import clock
from tracker.accounts.models import Council, Role, User
from tracker.accounts.service import all_councils, find_user_by_email, users_of_council
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.formatting import long_date, plural
from tracker.inspections import imports
from tracker.inspections.importer.model import ImportProblem
from tracker.inspections.models import Inspection
from tracker.settings import settings


def _read(path: Path, max_bytes: int) -> bytes:
    with path.open("rb") as file:
        # One byte over the limit is enough for the importer to refuse the file.
        return file.read(max_bytes + 1)


def _council(name: str | None) -> Council:
    councils = all_councils()
    if name is not None:
        wanted = " ".join(name.split()).lower()
        for council in councils:
            if council.name.lower() == wanted:
                return council
        raise RuleBroken(f"There is no council called “{name}”")
    if not councils:
        raise RuleBroken(
            "There is no council yet: add the first administrator with "
            "`flask --app tracker create-user`"
        )
    if len(councils) > 1:
        names = ", ".join(f"“{c.name}”" for c in councils)
        raise RuleBroken(f"Say which council with --council NAME (one of {names})")
    return councils[0]


def _importer(council: Council, email: str | None) -> User:
    if email is not None:
        user = find_user_by_email(email)
        if user is None or user.council_id != council.id:
            raise RuleBroken(f"{council.name} has no user with the email address {email}")
        return user
    admins = [u for u in users_of_council(council.id, active_only=True) if u.role is Role.ADMIN]
    if len(admins) != 1:
        raise RuleBroken("Say which administrator is importing with --as EMAIL")
    return admins[0]


def _describe(inspection: Inspection) -> list[str]:
    lines = [f"“{inspection.title}”"]
    if inspection.letter_date:
        lines.append(f"  letter of {long_date(inspection.letter_date)}")
    previous = inspection.previous_inspection
    if previous is not None:
        repeats = [f for f in inspection.findings if f.repeat_of_id is not None]
        when = f" ({long_date(previous.letter_date)})" if previous.letter_date else ""
        lines.append(f"  previous inspection: “{previous.title}”{when}, "
                     f"{plural(len(repeats), 'repeat finding')} linked to it")
    return lines


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True,
              help="Check everything and say what would be created, but save nothing.")
@click.option("--json", "as_json", is_flag=True,
              help="Only print what was read, as one JSON object; save nothing.")
@click.option("--council", "council_name", default=None,
              help="The council the inspection belongs to. Needed when there is more than one.")
@click.option("--as", "email", default=None,
              help="The email of the administrator the import is recorded as. Needed when "
                   "the council has more than one.")
@click.option("--allow-duplicate", is_flag=True,
              help="Import a document even though it looks already imported.")
@with_appcontext
def import_command(
    path: Path,
    dry_run: bool,
    as_json: bool,
    council_name: str | None,
    email: str | None,
    allow_duplicate: bool,
) -> None:
    """Import an inspection letter or report (PDF, .docx or text) at PATH."""
    from tracker.inspections import importer

    max_bytes = settings().import_max_bytes
    if as_json:
        try:
            # Read in a bounded child process, as an upload is.
            text = imports.read_uploaded_document(
                _read(path, max_bytes), path.name, max_bytes=max_bytes
            )
            extraction = importer.parse_text(text)
        except RuleBroken as refused:
            raise click.ClickException(refused.message) from refused
        except ImportProblem as problem:
            raise click.ClickException(str(problem)) from problem
        except Exception as error:
            raise click.ClickException(imports.UNREADABLE) from error
        click.echo(json.dumps(extraction.to_json(), ensure_ascii=False, indent=2))
        return

    now = clock.now()
    try:
        council = _council(council_name)
        actor = _importer(council, email)
        draft = imports.start_import(
            council.id, actor=actor, now=now, data=_read(path, max_bytes), filename=path.name,
            max_bytes=max_bytes,
        )
        existing = imports.duplicate_of(draft)
        if existing is not None and not allow_duplicate:
            raise RuleBroken(
                f"This document looks already imported, as “{existing.title}”: add "
                "--allow-duplicate to import it again"
            )
        inspection = imports.confirm_as_proposed(
            draft, actor=actor, now=now, allow_duplicate=allow_duplicate
        )
        summary = imports.ImportSummary.of(inspection)
        description = _describe(inspection)
    except RuleBroken as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message}. Nothing was saved.") from error
    except BaseException:
        db.session.rollback()
        raise
    if dry_run:
        db.session.rollback()
        click.echo(f"Dry run: nothing was saved. Importing would create {summary.counts}.")
        click.echo("\n".join(description))
        return
    db.session.commit()
    click.echo(f"Imported into {council.name}: {summary.counts}.")
    click.echo("\n".join(description))
