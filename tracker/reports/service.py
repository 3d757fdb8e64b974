"""Progress reports: drafts from live data, issuing (freezing) a version, and reading them back.

A draft is worked out afresh every time it is asked for (a large committee's draft page is
asked for by the scheduler: tracker.reports.prepared). Issuing builds the snapshot once,
renders it three ways and stores the snapshot and the three files with their SHA-256, with the
full action plan of the committee's inspections as the paper's Excel background paper: an
issued report is never rendered again, so what the committee received is what every later
download returns.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, load_only, undefer

from tracker.accounts.models import Role, User
from tracker.accounts.service import check_email_address
from tracker.committees.models import Committee, ReportCadence, committee_member
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.items.export import action_plan_rows, plan_as_xlsx
from tracker.items.service import local_day
from tracker.items.status import StatusRules
from tracker.pagination import Page, fetch_page
from tracker.reports.cadence import (
    ReportSchedule,
    check_schedule,
    next_moments,
    normalise_day,
    normalise_months,
)
from tracker.reports.document import Snapshot
from tracker.reports.models import IssuedReport
from tracker.reports.render_docx import render_docx
from tracker.reports.render_html import render_html
from tracker.reports.render_pdf import render_pdf
from tracker.reports.snapshot import PreviousReport, build_snapshot
from tracker.reports.template_settings import template_for_committee


@dataclass(frozen=True)
class Format:
    """One of the three files a report comes as."""

    name: str
    label: str
    mimetype: str


FORMATS = {
    "html": Format("html", "Web page (HTML)", "text/html"),
    "pdf": Format("pdf", "PDF", "application/pdf"),
    "docx": Format(
        "docx", "Word",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}
# An issued report's files: the paper's three and its background paper (drafts have none: the
# action plan's own download is the live one).
ISSUED_FORMATS = {
    **FORMATS,
    "xlsx": Format(
        "xlsx", "Full action plan (Excel background paper)",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}

# Committee columns the report details form fills, with their labels and lengths.
DETAIL_LIMITS = {
    "report_title": ("Report title", 300),
    "contact_name": ("Contact officer's name", 120),
    "contact_job_title": ("Contact officer's job title", 120),
    "contact_telephone": ("Telephone number", 40),
    "contact_email": ("Email address", 254),
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render(snapshot: Snapshot, fmt: str) -> bytes:
    """One file of a snapshot: "html", "pdf" or "docx" (on the council's Word template)."""
    renderer = {"html": render_html, "pdf": render_pdf, "docx": council_docx}[fmt]
    return renderer(snapshot)


def council_docx(snapshot: Snapshot) -> bytes:
    """The Word file on the Word template of the committee's council (or the standard one)."""
    return render_docx(snapshot, template_for_committee(snapshot.committee_id))


def last_issued_report(committee: Committee, *, with_snapshot: bool = True
                       ) -> IssuedReport | None:
    """The committee's latest issued version, if any; its stored snapshot is read with it
    unless `with_snapshot` is false (a page that only names the version)."""
    return db.session.scalars(
        select(IssuedReport)
        .where(IssuedReport.committee_id == committee.id)
        .options(undefer(IssuedReport.snapshot_json) if with_snapshot else
                 load_only(IssuedReport.id, IssuedReport.committee_id, IssuedReport.version,
                           IssuedReport.issued_at))
        .order_by(IssuedReport.version.desc())
        .limit(1)
    ).first()


def _previous(report: IssuedReport | None) -> PreviousReport | None:
    if report is None:
        return None
    stored = json.loads(report.snapshot_json)
    return PreviousReport(report.version, report.issued_at, stored.get("item_rags", {}),
                          stored.get("figures", {}))


def draft_snapshot(
    committee: Committee, *, today: date, now: datetime, rules: StatusRules
) -> Snapshot:
    """The committee's report from live data, compared with its last issued version."""
    return draft_snapshot_after(last_issued_report(committee), committee, today=today, now=now,
                                rules=rules)


def draft_snapshot_after(
    last: IssuedReport | None, committee: Committee, *, today: date, now: datetime,
    rules: StatusRules,
) -> Snapshot:
    """`draft_snapshot` for a caller that has already read the last issued version."""
    return build_snapshot(committee, today=today, now=now, rules=rules, previous=_previous(last))


def issue_report(
    committee: Committee, *, actor: User | None, now: datetime, rules: StatusRules
) -> IssuedReport:
    """Freeze the committee's report as its next version: snapshot, HTML, PDF and Word, and
    the full action plan as its Excel background paper.

    `actor` is the administrator issuing it (None from the command line without --by).
    """
    if actor is not None and (actor.role is not Role.ADMIN
                              or actor.council_id != committee.council_id):
        raise RuleBroken("Only an administrator of the committee's council can issue a report")
    last = last_issued_report(committee)
    version = last.version + 1 if last else 1
    snapshot = build_snapshot(committee, today=local_day(now), now=now, rules=rules,
                              version=version, previous=_previous(last))
    html, pdf, docx = render_html(snapshot), render_pdf(snapshot), council_docx(snapshot)
    xlsx = background_paper(committee, version=version, today=local_day(now), rules=rules)
    report = IssuedReport(
        committee_id=committee.id,
        version=version,
        title=snapshot.title,
        meeting_date=snapshot.meeting_date,
        issued_at=now,
        issued_by_id=actor.id if actor else None,
        snapshot_json=snapshot.to_json(),
        html=html,
        html_sha256=sha256(html),
        pdf=pdf,
        pdf_sha256=sha256(pdf),
        docx=docx,
        docx_sha256=sha256(docx),
        xlsx=xlsx,
        xlsx_sha256=sha256(xlsx),
    )
    db.session.add(report)
    try:
        db.session.flush()
    except IntegrityError as error:
        # Two people issued the same version at once: the other one was first.
        db.session.rollback()
        raise RuleBroken(
            f"Version {version} was issued by someone else a moment ago. Check the issued "
            f"reports before issuing again."
        ) from error
    return report


def background_paper(committee: Committee, *, version: int, today: date,
                     rules: StatusRules) -> bytes:
    """The full action plan of the committee's inspections (every item and action, as the
    action plan's download gives it) as Excel, statuses worked out on `today`."""
    rows = action_plan_rows(committee.council_id, today, rules,
                            inspection_ids=[i.id for i in committee.inspections])
    return plan_as_xlsx(rows, title=f"{committee.name}: full action plan, background paper "
                                    f"to progress report version {version}")


def issued_reports(
    council_id: int, committee_id: int | None = None, *, page: int = 1, per_page: int = 50
) -> Page[IssuedReport]:
    """Issued reports of the council's committees, newest first, a page at a time."""
    query = (
        select(IssuedReport)
        .join(IssuedReport.committee)
        .where(Committee.council_id == council_id)
        .order_by(IssuedReport.issued_at.desc(), IssuedReport.id.desc())
    )
    if committee_id is not None:
        query = query.where(IssuedReport.committee_id == committee_id)
    return fetch_page(query, page=page, per_page=per_page, options=[
        # Only what the list shows: in SQLite the hashes are stored after the files, so
        # reading them means reading through every file.
        load_only(IssuedReport.id, IssuedReport.committee_id, IssuedReport.version,
                  IssuedReport.title, IssuedReport.meeting_date, IssuedReport.issued_at,
                  IssuedReport.issued_by_id),
        joinedload(IssuedReport.committee), joinedload(IssuedReport.issued_by)])


@dataclass(frozen=True)
class MemberCommittee:
    """A committee a person sits on, as their dashboard names it."""

    id: int
    name: str


@dataclass(frozen=True)
class LatestPaper:
    """A committee's latest issued report, as the dashboard links to it: plain values."""

    id: int
    title: str
    version: int
    issued_at: datetime
    meeting_date: date | None


def latest_papers_of_member(user: User) -> list[tuple[MemberCommittee, LatestPaper | None]]:
    """Each committee the person sits on (by name), with its latest issued report, or None
    when it has none yet: one statement of plain values, whatever the number of committees;
    no file is read."""
    latest_version = (select(func.max(IssuedReport.version))
                      .where(IssuedReport.committee_id == Committee.id)
                      .correlate(Committee).scalar_subquery())
    rows = db.session.execute(
        select(Committee.id, Committee.name, IssuedReport.id, IssuedReport.title,
               IssuedReport.version, IssuedReport.issued_at, IssuedReport.meeting_date)
        .join(committee_member, committee_member.c.committee_id == Committee.id)
        .outerjoin(IssuedReport, (IssuedReport.committee_id == Committee.id)
                   & (IssuedReport.version == latest_version))
        .where(committee_member.c.user_id == user.id, Committee.council_id == user.council_id)
        .order_by(Committee.name, Committee.id))
    return [(MemberCommittee(committee_id, name),
             LatestPaper(*paper) if paper[0] is not None else None)
            for committee_id, name, *paper in rows]


def get_issued_report(council_id: int, report_id: int) -> IssuedReport | None:
    """One issued report of the council, or None."""
    return db.session.scalars(
        select(IssuedReport)
        .join(IssuedReport.committee)
        .where(Committee.council_id == council_id, IssuedReport.id == report_id)
        .options(joinedload(IssuedReport.committee), joinedload(IssuedReport.issued_by))
    ).first()


def stored_file(report: IssuedReport, fmt: str) -> bytes | None:
    """The issued file exactly as it was stored (None for the background paper of a report
    issued before background papers were kept)."""
    return {"html": report.html, "pdf": report.pdf, "docx": report.docx,
            "xlsx": report.xlsx}[fmt]


def stored_hash(report: IssuedReport, fmt: str) -> str | None:
    return {"html": report.html_sha256, "pdf": report.pdf_sha256,
            "docx": report.docx_sha256, "xlsx": report.xlsx_sha256}[fmt]


def issued_formats(report: IssuedReport) -> dict[str, Format]:
    """The files the issued report has, in ISSUED_FORMATS' order."""
    return {fmt: spec for fmt, spec in ISSUED_FORMATS.items()
            if stored_hash(report, fmt) is not None}


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "")).strip("-")
    return words[:80].rstrip("-") or "committee"


def file_name(committee_name: str, fmt: str, *, version: int | None, as_at: date) -> str:
    """A safe download name: letters, digits and hyphens only."""
    which = f"version-{version}" if version else f"draft-{as_at.isoformat()}"
    if fmt == "xlsx":
        return f"{_slug(committee_name)}-progress-report-{which}-action-plan.xlsx"
    return f"{_slug(committee_name)}-progress-report-{which}.{FORMATS[fmt].name}"


def save_report_details(
    committee: Committee,
    *,
    report_title: str,
    contact_name: str,
    contact_job_title: str,
    contact_telephone: str,
    contact_email: str,
) -> None:
    """Set the report's own title and the contact officer named at its end. Text comes
    stripped of the spaces around it (the forms strip it)."""
    values = {
        "report_title": report_title,
        "contact_name": contact_name,
        "contact_job_title": contact_job_title,
        "contact_telephone": contact_telephone,
        "contact_email": contact_email.lower(),
    }
    for field, (label, limit) in DETAIL_LIMITS.items():
        if len(values[field]) > limit:
            raise RuleBroken(f"{label} must be {limit} characters or fewer", field=field)
    if values["contact_email"]:
        try:
            check_email_address(values["contact_email"])
        except RuleBroken as error:
            raise RuleBroken(error.message, field="contact_email") from error
    if not values["contact_name"] and any(
        values[f] for f in ("contact_job_title", "contact_telephone", "contact_email")
    ):
        raise RuleBroken("Enter the contact officer's name", field="contact_name")
    for field, value in values.items():
        setattr(committee, field, value)
    db.session.flush()


def file_sizes(report: IssuedReport) -> dict[str, int]:
    """Each stored file's size in bytes, without loading the files (no "xlsx" when the
    report has no background paper)."""
    row = db.session.execute(
        select(func.length(IssuedReport.html), func.length(IssuedReport.pdf),
               func.length(IssuedReport.docx), func.length(IssuedReport.xlsx))
        .where(IssuedReport.id == report.id)
    ).one()
    sizes = {"html": row[0], "pdf": row[1], "docx": row[2]}
    if row[3] is not None:
        sizes["xlsx"] = row[3]
    return sizes


def save_report_schedule(
    committee: Committee,
    *,
    cadence: ReportCadence,
    rule_months: str,
    rule_day: str,
    days_before: int | None,
    time_of_day: str,
    owner: User | None,
    auto_issue: bool,
) -> None:
    """Set when the scheduler produces the committee's report, whom it tells, and whether it
    issues the report at once. Months and day may be written in words ("first Monday")."""
    schedule = ReportSchedule(cadence, normalise_months(rule_months), normalise_day(rule_day),
                              days_before, time_of_day or "09:00")
    check_schedule(schedule)
    if owner is not None and (owner.council_id != committee.council_id or not owner.active
                              or owner.role is Role.COMMITTEE_MEMBER):
        raise RuleBroken("Choose a report owner from the council's active staff",
                         field="report_owner")
    if cadence is not ReportCadence.NONE and owner is None:
        raise RuleBroken("Choose who is told when the report is ready", field="report_owner")
    committee.report_cadence = cadence
    committee.report_rule_months = schedule.rule_months if cadence is ReportCadence.RULE else ""
    committee.report_rule_day = schedule.rule_day if cadence is ReportCadence.RULE else ""
    committee.report_days_before = (
        days_before if cadence is ReportCadence.BEFORE_MEETING else None)
    committee.report_time = schedule.time_of_day
    committee.report_owner = owner
    committee.auto_issue = auto_issue and cadence is not ReportCadence.NONE
    db.session.flush()


def report_owner_candidates(council_id: int) -> list[User]:
    """Active staff (administrators and managers) who can own a committee's report."""
    return list(db.session.scalars(
        select(User).where(User.council_id == council_id, User.active.is_(True),
                           User.role != Role.COMMITTEE_MEMBER)
        .order_by(User.name)
    ))


def upcoming_reports(committee: Committee, now: datetime, count: int = 3) -> list[datetime]:
    """When the schedule will next produce the committee's report (none when it is not on a
    schedule or the schedule cannot run)."""
    schedule = ReportSchedule.of(committee)
    try:
        return next_moments(schedule, [m.meeting_date for m in committee.meetings], now, count)
    except RuleBroken:
        return []
