"""Members' questions with good defaults, and the access matrix's maker of a question."""

from __future__ import annotations

from datetime import UTC, date, datetime

import factory

from tests.factories import AdminFactory, BaseFactory, CommitteeMeetingFactory, UserFactory
from tracker.accounts.models import Council
from tracker.extensions import db
from tracker.questions.models import MemberQuestion

ASKED_AT = datetime(2026, 11, 5, 19, 30, tzinfo=UTC)


class MemberQuestionFactory(BaseFactory):
    """A question waiting for its answer, asked at a meeting on 5 November 2026 (before the
    tests' today, 22 November) of a committee of its own council."""

    class Meta:
        model = MemberQuestion

    meeting = factory.SubFactory(CommitteeMeetingFactory, meeting_date=date(2026, 11, 5))
    question = factory.Sequence(
        lambda n: f"How many children waited more than a day for a decision last month? ({n})")
    asked_by_name = "Councillor Ann Hughes"
    officer = factory.SubFactory(
        UserFactory, council=factory.LazyAttribute(
            lambda o: db.session.get(Council, o.factory_parent.meeting.committee.council_id)))
    recorded_by = factory.SubFactory(AdminFactory,
                                     council=factory.SelfAttribute("..officer.council"))
    changed_by = factory.SelfAttribute("recorded_by")
    assigned_at = ASKED_AT
    recorded_at = ASKED_AT
    changed_at = ASKED_AT


def question_for_world(world) -> int:
    """A waiting question of the world's committee, asked at a meeting of its own (so the
    world's meeting can still be removed), about the world's item, for its lead officer to
    answer."""
    meeting = CommitteeMeetingFactory(committee=world.committee, meeting_date=date(2026, 8, 20))
    question = MemberQuestionFactory(meeting=meeting, item=world.item,
                                     officer=world.item.lead_officer)
    db.session.commit()
    return question.id

