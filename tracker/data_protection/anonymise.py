"""Anonymising a person who has left: the answer to an erasure request that keeps the facts.

The person's name becomes "Former user 12" (their id) and their address one that cannot
receive mail; their job title and telephone are emptied; they can no longer sign in, and
their sessions, calendar and API tokens and partner links end, for good. The history keeps
every fact, since it refers to people by id: every page, new paper, export, calendar feed and
API answer then shows "Former user 12". What the tracker holds elsewhere under their name is
changed too: the delivery log's copies of their email, the sign-in record's address, a
member's question they asked, a committee's contact officer. Papers already issued are not
changed: they are the record of what members were told (docs/data-protection.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update

from tracker.accounts.models import Role, SignInEvent, User
from tracker.accounts.service import end_all_access
from tracker.committees.models import Committee, CommitteeMeeting, committee_member
from tracker.data_protection.models import ErasureKind, ErasureRecord
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.items.models import OPEN_ACTION_STATUSES, Action, Item, ItemStatus
from tracker.jobs.models import RunState
from tracker.questions.models import MemberQuestion
from tracker.reminders.models import Delivery

NOT_SENT = "Not sent: the person was anonymised"


def former_name(user_id: int) -> str:
    """The name an anonymised person is shown by."""
    return f"Former user {user_id}"


def former_address(user_id: int) -> str:
    """An anonymised person's address: unique, and never deliverable (.invalid, RFC 2606)."""
    return f"former-user-{user_id}@anonymised.invalid"


@dataclass(frozen=True)
class StillTheirs:
    """What an anonymised person still leads, owns or answers: to hand to someone else."""

    items: int
    actions: int
    questions: int


def still_theirs(user: User) -> StillTheirs:
    """The open items they lead, open actions they own and questions they are to answer."""
    return StillTheirs(
        items=db.session.scalar(select(func.count(Item.id)).where(
            Item.lead_officer_id == user.id, Item.status != ItemStatus.COMPLETE)) or 0,
        actions=db.session.scalar(select(func.count(Action.id)).where(
            Action.owner_id == user.id, Action.status.in_(OPEN_ACTION_STATUSES))) or 0,
        questions=db.session.scalar(select(func.count(MemberQuestion.id)).where(
            MemberQuestion.officer_id == user.id, MemberQuestion.answered_at.is_(None))) or 0,
    )


def _check(user: User, actor: User) -> None:
    if user.anonymised_at is not None:
        raise RuleBroken(f"{user.name} has been anonymised already")
    if user.id == actor.id:
        raise RuleBroken("You cannot anonymise yourself: ask another administrator")
    if user.role is Role.ADMIN and user.active:
        admins = db.session.scalar(select(func.count(User.id)).where(
            User.council_id == user.council_id, User.role == Role.ADMIN,
            User.active.is_(True))) or 0
        if admins <= 1:
            raise RuleBroken("The council must keep at least one active administrator")


def anonymise_person(user: User, *, actor: User, now: datetime) -> ErasureRecord:
    """Anonymise `user` for good (see the module's text) and record it. Flushes."""
    _check(user, actor)
    old_name, old_address = user.name, user.email.lower()
    name, address = former_name(user.id), former_address(user.id)

    # Sessions, calendar and API tokens, reset links and partner links sent to them.
    end_all_access(user, actor=actor, now=now)

    user.name, user.email = name, address
    user.job_title = user.telephone = ""
    user.password_hash = ""
    user.active = False
    user.reminders_paused_until = None
    user.anonymised_at = now

    # They left: off every committee; a committee whose contact officer they were has none.
    db.session.execute(delete(committee_member).where(committee_member.c.user_id == user.id))
    db.session.execute(update(Committee).where(
        Committee.council_id == user.council_id,
        or_(func.lower(Committee.contact_email) == old_address,
            Committee.contact_name == old_name))
        .values(contact_name="", contact_job_title="", contact_telephone="", contact_email="",
                version=Committee.version + 1))
    meetings = select(CommitteeMeeting.id).join(Committee).where(
        Committee.council_id == user.council_id)
    db.session.execute(update(MemberQuestion).where(
        or_(MemberQuestion.asked_by_id == user.id,
            (MemberQuestion.asked_by_name == old_name)
            & MemberQuestion.meeting_id.in_(meetings)))
        .values(asked_by_name=name, version=MemberQuestion.version + 1))
    db.session.execute(update(SignInEvent).where(
        or_(SignInEvent.user_id == user.id, SignInEvent.email == old_address))
        .values(email=address))
    # The log's copies of their email: the address replaced, the words dropped; one not yet
    # sent is not sent.
    db.session.execute(update(Delivery).where(
        Delivery.recipient_id == user.id, Delivery.state != RunState.DONE)
        .values(state=RunState.FAILED, last_error=NOT_SENT, lease_until=None))
    db.session.execute(update(Delivery).where(Delivery.recipient_id == user.id)
                       .values(to_address=address, message=""))

    record = ErasureRecord(council_id=user.council_id, kind=ErasureKind.PERSON_ANONYMISED,
                           at=now, by_id=actor.id, subject_id=user.id, subject_title=name,
                           removed={})
    db.session.add(record)
    db.session.flush()
    return record
