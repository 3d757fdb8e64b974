"""Members' questions through the API, as a committee clerk's spreadsheet would read them."""

from __future__ import annotations

import pytest

from tests.api.test_reading import PROBLEM, ids
from tracker.extensions import db
from tracker.questions.service import QuestionDetails, record_question


def test_the_councils_questions_come_with_their_answers_the_latest_meeting_first(api, seeded):
    body = api.get("/api/v1/questions").get_json()
    assert body["meta"]["total"] == 2
    answered, waiting = seeded.answered_question, seeded.waiting_question
    rows = {row["id"]: row for row in body["data"]}
    assert set(rows) == {answered.id, waiting.id}
    row = rows[answered.id]
    assert row == {
        "id": answered.id,
        "committee": {"id": seeded.committee.id, "name": "Children's Services Scrutiny Committee"},
        "meeting_date": "2026-11-05",
        "item_id": seeded.red.id,
        "question": "Why is screening still late on Fridays?",
        "asked_by": "Councillor Ann Hughes",
        "asked_by_person": None,
        "officer": {"id": seeded.lead.id, "name": seeded.lead.name, "organisation": ""},
        "answered": True,
        "answer_due": None,
        "answer": "Cover on Fridays depends on the force's staffing review.",
        "answered_by": {"id": seeded.lead.id, "name": seeded.lead.name, "organisation": ""},
        "answered_at": "2026-11-12T15:00:00Z",
        "corrected_at": None,
        "recorded_at": "2026-11-06T10:00:00Z",
        "links": {
            "self": f"http://tracker.test/api/v1/questions/{answered.id}",
            "committee_questions":
                f"http://tracker.test/api/v1/questions?committee={seeded.committee.id}",
            "item": f"http://tracker.test/api/v1/items/{seeded.red.id}",
        },
    }
    awaited = rows[waiting.id]
    assert awaited["answered"] is False
    assert awaited["answer"] is None and awaited["answered_by"] is None
    # Due at the committee's next meeting after the one it was asked at.
    assert awaited["answer_due"] == "2027-01-14"
    assert awaited["links"]["item"] is None


def test_questions_are_filtered_by_committee_and_by_whether_they_are_answered(api, seeded):
    answered, waiting = seeded.answered_question.id, seeded.waiting_question.id
    assert ids(api.get("/api/v1/questions", answered="true")) == [answered]
    assert ids(api.get("/api/v1/questions", answered="false")) == [waiting]
    assert sorted(ids(api.get("/api/v1/questions", committee=seeded.committee.id))) == sorted(
        [answered, waiting])
    # Another council's committee has no questions here.
    other_committee = seeded.other_question.meeting.committee_id
    assert ids(api.get("/api/v1/questions", committee=other_committee)) == []
    body = api.get("/api/v1/questions", committee=seeded.committee.id, answered="false",
                   per_page=1).get_json()
    assert body["links"]["self"] == (f"http://tracker.test/api/v1/questions?committee="
                                     f"{seeded.committee.id}&answered=false&page=1&per_page=1")


def test_one_question_is_read_by_its_id_and_another_councils_is_not_found(api, seeded):
    one = api.get(f"/api/v1/questions/{seeded.waiting_question.id}")
    assert one.status_code == 200
    assert one.get_json()["question"] == "How many families waited more than a day in October?"
    missing = api.get(f"/api/v1/questions/{seeded.other_question.id}")
    assert missing.status_code == 404
    assert missing.mimetype == PROBLEM
    assert "no question" in missing.get_json()["detail"]
    assert seeded.other_question.id not in ids(api.get("/api/v1/questions"))


@pytest.mark.parametrize(("query", "name", "reason"), [
    ({"answered": "yes"}, "answered", "Give 'true' or 'false'."),
    ({"committee": "first"}, "committee", "Give a whole number from 1 to 2147483647, such as 1."),
    ({"officer": "1"}, "officer", "This address does not take 'officer'. It takes: committee, "
                                  "answered, page, per_page."),
])
def test_a_bad_question_filter_is_refused_with_what_to_fix(api, query, name, reason):
    response = api.get("/api/v1/questions", **query)
    assert response.status_code == 400
    assert response.get_json()["invalid_params"] == [{"name": name, "reason": reason}]


def test_a_question_comes_back_exactly_as_typed_and_never_as_markup(api, seeded):
    typed = 'Is the "rota" </script><script>alert(1)</script> & the MASH — fixed?'
    question = record_question(seeded.committee, QuestionDetails(
        meeting=seeded.waiting_question.meeting, question=typed,
        asked_by_name="Cllr <b>O'Neill</b>", asked_by=None, item=None, officer=seeded.lead),
        actor=seeded.answered_question.recorded_by, now=seeded.answered_question.recorded_at)
    db.session.commit()
    response = api.get(f"/api/v1/questions/{question.id}")
    assert response.get_json()["question"] == typed
    assert response.get_json()["asked_by"] == "Cllr <b>O'Neill</b>"
    assert not {"<", ">", "&"} & set(response.get_data(as_text=True))


def test_the_index_and_the_description_list_the_questions(api):
    assert api.get("/api/v1/").get_json()["links"]["questions"] == (
        "http://tracker.test/api/v1/questions")
    paths = api.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/questions" in paths and "/api/v1/questions/{question_id}" in paths
    names = [p.get("name") for p in paths["/api/v1/questions"]["get"]["parameters"]]
    assert "committee" in names and "answered" in names
