"""The demo council's members' questions: one answered, one awaited, as its committee's page,
the officers and the next paper see them."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from tests.conftest import sign_in_as
from tracker.accounts.models import User
from tracker.committees.models import Committee
from tracker.demo.data import load_demo_data
from tracker.extensions import db
from tracker.formatting import UK
from tracker.questions.models import MemberQuestion
from tracker.questions.queries import questions_for_paper

TODAY = date(2027, 3, 15)


@pytest.fixture
def demo(app, monkeypatch):
    monkeypatch.setattr(
        "tracker.accounts.models.generate_password_hash",
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1000"))
    load_demo_data(TODAY, datetime.combine(TODAY, time(11, 30), tzinfo=UK))
    db.session.commit()


def person(name: str) -> User:
    return db.session.scalars(select(User).where(User.name == name)).one()


def test_the_demo_committee_has_one_answered_question_and_one_awaited(demo, client):
    answered, awaited = db.session.scalars(select(MemberQuestion).order_by(MemberQuestion.id))
    assert answered.is_answered and answered.answered_by.name == "Daniel Okafor"
    assert answered.asked_by.name == "Councillor Margaret Finch"
    assert answered.item is not None and "screening" in answered.item.title.lower()
    assert not awaited.is_answered and awaited.officer.name == "Ruth Ellison"
    assert awaited.asked_by_name == "Councillor David Price"
    for question in (answered, awaited):
        assert question.meeting.meeting_date < TODAY
        assert question.recorded_at < datetime.combine(TODAY, time(11, 30), tzinfo=UK)

    committee = db.session.scalars(select(Committee)).one()
    sign_in_as(client, person("Councillor Margaret Finch"))
    page = client.get(f"/committees/{committee.id}").get_data(as_text=True)
    assert "Answer awaited" in page and "Answered" in page
    sign_in_as(client, person("Ruth Ellison"))
    assert "Questions waiting for your answer" in client.get("/").get_data(as_text=True)
    # The committee's next paper prints both, the first with its answer.
    upcoming = next(m.meeting_date for m in committee.meetings if m.meeting_date > TODAY)
    printed = questions_for_paper(committee.id, since=None, until=upcoming)
    assert [q.answer is not None for q in printed] == [True, False]
