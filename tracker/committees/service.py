"""Committees: setting them up, their members, meeting dates and the inspections they follow."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.accounts.models import Role, User
from tracker.committees.models import Committee, CommitteeMeeting
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.formatting import long_date
from tracker.inspections.models import Inspection
from tracker.questions.queries import meeting_has_questions
from tracker.workingdays import bank_holiday_name


def committees_of_council(council_id: int) -> list[Committee]:
    """The council's committees by name."""
    return list(
        db.session.scalars(
            select(Committee)
            .where(Committee.council_id == council_id)
            .options(selectinload(Committee.members), selectinload(Committee.meetings))
            .order_by(Committee.name)
        )
    )


def get_committee(council_id: int, committee_id: int) -> Committee | None:
    """One committee of the council, or None."""
    return db.session.scalars(
        select(Committee).where(Committee.council_id == council_id, Committee.id == committee_id)
    ).first()


def _check_name_free(council_id: int, name: str, committee_id: int | None) -> None:
    clash = db.session.scalars(
        select(Committee).where(Committee.council_id == council_id, Committee.name == name)
    ).first()
    if clash is not None and clash.id != committee_id:
        raise RuleBroken("A committee with this name already exists", field="name")


def _check_members(council_id: int, members: list[User]) -> None:
    for member in members:
        if member.council_id != council_id or not member.active:
            raise RuleBroken("Choose members who are active users", field="members")


def save_committee(
    committee: Committee | None,
    *,
    council_id: int,
    name: str,
    report_of: str,
    members: list[User],
    inspections: list[Inspection],
) -> Committee:
    """Create a committee, or change one: its name, whose report it receives, members and
    the inspections its progress reports cover. Text comes stripped of the spaces around it
    (the forms strip it)."""
    _check_name_free(council_id, name, committee.id if committee else None)
    _check_members(council_id, members)
    if any(inspection.council_id != council_id for inspection in inspections):
        raise RuleBroken("Choose this council's inspections", field="inspections")
    if committee is None:
        committee = Committee(council_id=council_id)
        db.session.add(committee)
    committee.name = name
    committee.report_of = report_of
    committee.members = members
    committee.inspections = inspections
    db.session.flush()
    return committee


def add_inspection_to_committee(committee: Committee, inspection: Inspection) -> bool:
    """Let the committee's progress reports cover the inspection; False when they did
    already."""
    if inspection.council_id != committee.council_id:
        raise RuleBroken("Choose one of this council's committees", field="committee")
    if inspection in committee.inspections:
        return False
    committee.inspections.append(inspection)
    db.session.flush()
    return True


def check_new_meeting(committee: Committee, meeting_date: date) -> None:
    """RuleBroken when the committee already meets on the date: each date once."""
    if any(m.meeting_date == meeting_date for m in committee.meetings):
        raise RuleBroken(
            f"The committee already meets on {long_date(meeting_date)}", field="meeting_date"
        )


def add_meeting(committee: Committee, meeting_date: date) -> CommitteeMeeting:
    """Add a meeting date; each date once."""
    check_new_meeting(committee, meeting_date)
    meeting = CommitteeMeeting(committee=committee, meeting_date=meeting_date)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def meeting_date_doubts(meeting_date: date, today: date) -> list[str]:
    """Why a meeting date may be a slip that the administrator should confirm: a date in the
    past, on a weekend or on a bank holiday in England and Wales; [] for an ordinary date."""
    doubts = []
    if meeting_date < today:
        doubts.append("it is in the past")
    if meeting_date.weekday() >= 5:
        doubts.append(f"it is a {meeting_date.strftime('%A')}")
    holiday = bank_holiday_name(meeting_date)
    if holiday:
        doubts.append(f"it is a bank holiday ({holiday})")
    return doubts


def remove_meeting(committee: Committee, meeting_id: int) -> None:
    """Take a meeting date off the committee's calendar; not one at which members' questions
    were recorded (they stay asked at it)."""
    meeting = next((m for m in committee.meetings if m.id == meeting_id), None)
    if meeting is None:
        raise RuleBroken("That meeting date is not one of this committee's")
    if meeting_has_questions(meeting.id):
        raise RuleBroken(f"Members' questions were recorded at the meeting on "
                         f"{long_date(meeting.meeting_date)}, so it stays on the calendar")
    committee.meetings.remove(meeting)
    db.session.flush()


def next_meeting(committee: Committee, today: date) -> CommitteeMeeting | None:
    """The committee's next meeting on or after today."""
    upcoming = [m for m in committee.meetings if m.meeting_date >= today]
    return upcoming[0] if upcoming else None


def committee_member_candidates(council_id: int) -> list[User]:
    """Active users who can sit on a committee, councillors first."""
    users = db.session.scalars(
        select(User)
        .where(User.council_id == council_id, User.active.is_(True))
        .order_by(User.name)
    )
    return sorted(users, key=lambda u: (u.role is not Role.COMMITTEE_MEMBER, u.name))
