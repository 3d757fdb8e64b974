"""Reading the tracker through the API, as a dashboard or spreadsheet would."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.api.conftest import Api
from tests.factories import ActionFactory, FindingFactory, ItemFactory, focused_visit_items
from tests.statements import recorded_statements
from tracker import clock
from tracker.access.models import AccessToken
from tracker.access.service import renew_calendar_token, revoke_token
from tracker.extensions import db
from tracker.items.models import ActionStatus
from tracker.items.queries import status_of
from tracker.settings import default_settings

PROBLEM = "application/problem+json"


def ids(response) -> list[int]:
    return [row["id"] for row in response.get_json()["data"]]


def test_a_token_opens_the_api_as_its_owner(api, seeded):
    response = api.get("/api/v1/")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["user"] == {"id": seeded.owner.id, "name": "Sam Reader", "organisation": ""}
    assert body["council"]["name"] == "Northshire County Council"
    assert body["links"]["items"] == "http://tracker.test/api/v1/items"


def test_a_request_without_a_token_is_refused_with_a_problem(client, seeded):
    response = client.get("/api/v1/items")
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="tracker"'
    assert "Authorization: Bearer" in response.get_json()["detail"]


def test_a_made_up_token_is_refused(api):
    assert api.get("/api/v1/items", token="trk_made-up").status_code == 401


def test_a_revoked_token_no_longer_works(api, seeded):
    assert api.get("/api/v1/items").status_code == 200
    token = db.session.query(AccessToken).filter_by(user_id=seeded.owner.id).one()
    revoke_token(token, actor=seeded.owner, now=clock.now())
    db.session.commit()
    response = api.get("/api/v1/items")
    assert response.status_code == 401
    assert response.mimetype == PROBLEM


def test_a_deactivated_persons_token_no_longer_works(api, seeded):
    seeded.owner.active = False
    db.session.commit()
    assert api.get("/api/v1/items").status_code == 401


def test_a_calendar_feed_token_does_not_open_the_api(api, seeded):
    calendar = renew_calendar_token(seeded.owner, now=clock.now()).secret
    db.session.commit()
    assert api.get("/api/v1/items", token=calendar).status_code == 401


def test_being_signed_in_does_not_open_the_api(client, seeded):
    from tests.conftest import sign_in_as

    sign_in_as(client, seeded.owner)
    assert client.get("/api/v1/items").status_code == 401


@pytest.mark.parametrize("path", [
    "/api/v1/items/{other_item}", "/api/v1/actions/{other_action}",
    "/api/v1/findings/{other_finding}", "/api/v1/inspections/{other_inspection}",
    "/api/v1/inspections/{other_inspection}/findings",
])
def test_another_councils_record_is_not_found(api, seeded, path):
    other = seeded.other_item
    response = api.get(path.format(other_item=other.id, other_action=seeded.other_action.id,
                                   other_finding=other.finding.id,
                                   other_inspection=other.finding.inspection.id))
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    problem = response.get_json()
    assert problem["status"] == 404
    assert "in your council's tracker" in problem["detail"]
    assert "Southshire" not in response.get_data(as_text=True)


def test_another_councils_records_are_left_out_of_every_list(api, seeded):
    assert seeded.other_item.id not in ids(api.get("/api/v1/items"))
    assert seeded.other_action.id not in ids(api.get("/api/v1/actions"))
    inspections = ids(api.get("/api/v1/inspections"))
    assert inspections == [seeded.inspection.id]
    # Another council's person as a filter finds nothing here, rather than their items.
    assert ids(api.get("/api/v1/actions", owner=seeded.other_action.owner_id)) == []


def test_items_come_most_urgent_first_with_their_state_and_rag_worked_out_as_on_the_pages(
    api, seeded
):
    response = api.get("/api/v1/items")
    rows = response.get_json()["data"]
    assert [row["id"] for row in rows] == [seeded.red.id, seeded.amber.id, seeded.green.id,
                                          seeded.complete.id]
    assert [row["state"]["value"] for row in rows] == ["in delivery"] * 3 + ["complete"]
    assert [row["rag"] and row["rag"]["value"] for row in rows] == [
        "red", "amber", "green", None]
    for row, item in zip(rows, [seeded.red, seeded.amber, seeded.green, seeded.complete],
                         strict=True):
        expected = status_of(item, clock.today(), default_settings().status_rules)
        assert row["state"] == {"value": expected.state.value, "label": expected.shown.label,
                                "reason": expected.reason}
        if expected.rag is not None:
            assert row["rag"] == {"value": expected.rag.value, "reason": expected.reason,
                                  "set_by_hand": expected.overridden}
    assert rows[3]["state"] == {"value": "complete", "label": "Complete",
                                "reason": "Outcome evidenced and signed off."}
    red = rows[0]
    assert red["rag"]["reason"] == "An action is 30 days overdue (more than 14 days)."
    assert red["overdue_actions"] == 1
    assert red["open_actions"] == 1
    assert red["priority"] == "high"
    assert red["category"] == "priority action"
    assert red["is_repeat"] is True


def test_a_rag_set_by_hand_says_so_with_its_reason(api, seeded):
    from tracker.items.models import Rag

    seeded.green.rag_override = Rag.AMBER
    seeded.green.rag_override_reason = "Staff shortages in the audit team"
    db.session.commit()
    rag = api.get(f"/api/v1/items/{seeded.green.id}").get_json()["rag"]
    assert rag == {"value": "amber", "reason": "Set by hand: Staff shortages in the audit team",
                   "set_by_hand": True}


@pytest.mark.parametrize(("query", "expected"), [
    ({"rag": "amber"}, ["amber"]),
    ({"state": "in delivery"}, ["red", "amber", "green"]),
    ({"state": "complete"}, ["complete"]),
    ({"state": "not planned"}, []),
    ({"state": "complete", "rag": "red"}, []),
    ({"status": "complete"}, ["complete"]),
    ({"priority": "low"}, ["green"]),
    ({"overdue": "true"}, ["red"]),
    ({"theme": "Assessment"}, ["amber"]),
    ({"rag": "red", "priority": "low"}, []),
])
def test_items_are_filtered(api, seeded, query, expected):
    names = {seeded.red.id: "red", seeded.amber.id: "amber", seeded.green.id: "green",
             seeded.complete.id: "complete"}
    response = api.get("/api/v1/items", **query)
    assert response.status_code == 200
    assert [names[i] for i in ids(response)] == expected
    assert response.get_json()["meta"]["total"] == len(expected)


def test_items_are_filtered_by_the_person_who_leads_or_owns_an_action(api, seeded):
    # The owner leads the amber item; the partner owns an action of the red one.
    assert ids(api.get("/api/v1/items", owner=seeded.owner.id)) == [seeded.amber.id]
    assert ids(api.get("/api/v1/items", owner=seeded.partner.id)) == [seeded.red.id]


def test_items_imported_with_no_lead_and_no_actions_are_not_planned_and_have_no_rag(
    api, seeded
):
    imported = focused_visit_items(seeded.council, imported_at=clock.now() - timedelta(days=3))
    db.session.commit()
    rows = api.get("/api/v1/items", state="not planned").get_json()["data"]
    assert [row["id"] for row in rows] == [item.id for item in imported]
    for row in rows:
        assert row["state"] == {
            "value": "not planned", "label": "Not planned",
            "reason": "No lead officer yet and no actions planned, 3 days after the finding "
                      "was imported (19 November 2026)."}
        assert row["rag"] is None
        assert row["lead_officer"] is None and row["open_actions"] == 0
    # Not planned comes first, most urgent; the RAG filter leaves them out.
    assert ids(api.get("/api/v1/items"))[:4] == [item.id for item in imported]
    assert not set(ids(api.get("/api/v1/items", rag="green"))) & {i.id for i in imported}
    one = api.get(f"/api/v1/items/{imported[0].id}").get_json()
    assert one["state"]["value"] == "not planned" and one["rag"] is None


def test_an_item_with_every_action_done_is_delivered_in_the_api(api, seeded):
    seeded.green_action.status = ActionStatus.COMPLETE
    db.session.commit()
    body = api.get(f"/api/v1/items/{seeded.green.id}").get_json()
    assert body["state"]["value"] == "delivered"
    assert body["state"]["label"] == "Delivered, awaiting evidence of impact"
    assert body["rag"] is None
    assert ids(api.get("/api/v1/items", state="delivered")) == [seeded.green.id]


def test_an_items_filters_are_kept_in_its_page_links(api, seeded):
    links = api.get("/api/v1/items", rag="red", per_page=1).get_json()["links"]
    assert links["self"] == "http://tracker.test/api/v1/items?rag=red&page=1&per_page=1"


def test_actions_are_filtered_by_owner_status_overdue_and_item(api, seeded):
    assert ids(api.get("/api/v1/actions", overdue="true")) == [seeded.overdue_action.id]
    assert seeded.overdue_action.id not in ids(api.get("/api/v1/actions", overdue="false"))
    assert len(ids(api.get("/api/v1/actions", overdue="false"))) == 4
    assert ids(api.get("/api/v1/actions", owner=seeded.owner.id)) == [seeded.amber_action.id]
    assert ids(api.get("/api/v1/actions", status="not started")) == [seeded.amber_action.id]
    assert ids(api.get("/api/v1/actions", item=seeded.red.id)) == [
        seeded.done_action.id, seeded.overdue_action.id]  # earliest due first


def test_an_action_says_whether_and_how_long_it_is_overdue(api, seeded):
    action = api.get(f"/api/v1/actions/{seeded.overdue_action.id}").get_json()
    assert action["overdue"] is True
    assert action["days_overdue"] == 30
    assert action["status"] == "in progress"
    assert action["owner"] == {"id": seeded.partner.id, "name": "Jo Partner",
                               "organisation": "Northshire Police"}
    moved = api.get(f"/api/v1/actions/{seeded.green_action.id}").get_json()
    assert (moved["due_date"], moved["original_due_date"], moved["date_moved"]) == (
        "2027-03-01", "2027-01-15", True)


def test_one_item_comes_with_its_finding_and_every_action(api, seeded):
    item = api.get(f"/api/v1/items/{seeded.red.id}").get_json()
    assert item["finding_text"] == "Finding behind: Timeliness of contact screening."
    assert [a["id"] for a in item["actions"]] == [seeded.done_action.id,
                                                  seeded.overdue_action.id]
    assert item["links"]["actions"] == f"http://tracker.test/api/v1/actions?item={seeded.red.id}"


def test_an_inspection_comes_with_its_findings_and_their_items(api, seeded):
    inspection = api.get(f"/api/v1/inspections/{seeded.inspection.id}").get_json()
    assert inspection["letter_date"] == "2026-07-27"
    assert inspection["visit_dates"] == ["2026-06-16", "2026-06-17"]
    assert inspection["tracked_findings"] == 4
    findings = inspection["findings"]
    assert findings[0]["category"] == "strength"
    assert findings[0]["item_id"] is None
    assert findings[0]["links"]["item"] is None
    assert findings[1]["item_id"] == seeded.red.id
    one = api.get(f"/api/v1/findings/{findings[1]['id']}").get_json()
    assert one == findings[1]


def test_dates_and_times_are_iso_8601(api, seeded):
    item = api.get(f"/api/v1/items/{seeded.complete.id}").get_json()
    assert item["target_date"] is None
    assert item["created_at"] == "2026-08-01T09:00:00Z"
    assert item["signed_off_at"] == "2026-11-01T12:00:00Z"
    action = item["actions"][0]
    assert action["completed_on"] == "2026-09-28"
    assert datetime.fromisoformat(action["last_updated_at"]).tzinfo is not None


def test_lists_come_a_page_at_a_time_with_a_total_and_links(api, seeded):
    first = api.get("/api/v1/actions", per_page=2).get_json()
    assert first["meta"] == {"page": 1, "per_page": 2, "total": 5, "pages": 3}
    assert first["links"]["prev"] is None
    assert first["links"]["last"] == "http://tracker.test/api/v1/actions?page=3&per_page=2"
    seen, link, pages = [], first["links"]["self"], 0
    while link:
        body = api.get(link).get_json()
        seen += [row["id"] for row in body["data"]]
        link = body["links"]["next"]
        pages += 1
        assert pages <= 3
    assert len(seen) == len(set(seen)) == 5
    last = api.get("/api/v1/actions", per_page=2, page=3).get_json()
    assert last["links"]["next"] is None
    assert last["links"]["prev"] == "http://tracker.test/api/v1/actions?page=2&per_page=2"


def test_a_page_past_the_end_is_empty_not_the_last_page_again(api, seeded):
    body = api.get("/api/v1/items", per_page=2, page=5).get_json()
    assert body["data"] == []
    assert body["meta"] == {"page": 5, "per_page": 2, "total": 4, "pages": 2}
    assert body["links"]["next"] is None
    assert body["links"]["prev"] == "http://tracker.test/api/v1/items?page=2&per_page=2"


@pytest.mark.parametrize(("query", "name", "reason"), [
    ({"per_page": "101"}, "per_page", "Give a whole number from 1 to 100, such as 1."),
    ({"page": "0"}, "page", "Give a whole number from 1 to 2147483647, such as 1."),
    ({"page": "two"}, "page", "Give a whole number from 1 to 2147483647, such as 1."),
    ({"rag": "purple"}, "rag", "Give one of 'red', 'amber', 'green'."),
    ({"rag": "complete"}, "rag", "Give one of 'red', 'amber', 'green'."),
    ({"state": "done"}, "state", "Give one of 'complete', 'awaiting sign-off', 'delivered', "
                                 "'not planned', 'in delivery'."),
    ({"overdue": "false"}, "overdue", "Give 'true', or leave the parameter out."),
    ({"perpage": "10"}, "perpage", "This address does not take 'perpage'. It takes: status, "
                                   "state, rag, priority, owner, inspection, theme, overdue, "
                                   "page, per_page."),
])
def test_a_bad_parameter_is_refused_with_what_to_fix(api, query, name, reason):
    response = api.get("/api/v1/items", **query)
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    problem = response.get_json()
    assert problem["title"] == "Bad Request"
    assert problem["invalid_params"] == [{"name": name, "reason": reason}]
    assert name in problem["detail"]


def test_a_nul_character_is_refused_with_a_problem(api):
    # The app refuses NUL anywhere before any view runs; from the API that is a problem too.
    response = api.get("/api/v1/items", theme="Voice\x00")
    assert response.status_code == 400
    assert response.mimetype == PROBLEM


def test_a_parameter_given_twice_is_refused(api):
    response = api.client.get("/api/v1/actions?status=complete&status=cancelled",
                              headers=api.headers())
    assert response.status_code == 400
    assert response.get_json()["invalid_params"] == [
        {"name": "status", "reason": "Give this parameter once."}]


def test_every_bad_parameter_is_named_at_once(api):
    response = api.get("/api/v1/actions", per_page="0", overdue="yes")
    assert [p["name"] for p in response.get_json()["invalid_params"]] == ["overdue", "per_page"]


def test_an_address_that_takes_no_parameters_refuses_one(api, seeded):
    response = api.get(f"/api/v1/items/{seeded.red.id}", fields="title")
    assert response.status_code == 400
    assert response.get_json()["invalid_params"][0]["reason"] == (
        "This address does not take 'fields'. It takes: no parameters.")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_the_api_only_reads(api, seeded, method):
    response = api.client.open(f"/api/v1/items/{seeded.red.id}", method=method,
                               headers=api.headers(), json={"title": "Changed"})
    assert response.status_code == 405
    assert response.mimetype == PROBLEM
    assert response.headers["Allow"] == "GET, HEAD"
    db.session.refresh(seeded.red)
    assert seeded.red.title == "Timeliness of contact screening"


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v2/items", "/api/v1/items/",
                                  "/api//v1/items", "/api/v1/items/99999999999", "/api"])
def test_an_unknown_api_address_is_a_problem_not_a_page(api, path):
    response = api.get(path)
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert b"<html" not in response.data


def test_an_unexpected_error_is_a_problem_not_a_page(api, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("tracker.items.queries.find_items", broken)
    response = api.get("/api/v1/items")
    assert response.status_code == 500
    assert response.mimetype == PROBLEM
    assert "the database went away" not in response.get_data(as_text=True)


def test_the_pages_keep_their_own_error_pages(client, seeded):
    from tests.conftest import sign_in_as

    sign_in_as(client, seeded.owner)
    response = client.get("/items/99999")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_what_people_typed_comes_back_exactly_as_typed(api, seeded):
    typed = ('Children\'s "views" </script><script>alert(1)</script> \\ 50% & more\n'
             'second line — café ✓ \u2028 end')
    item = ItemFactory(finding=FindingFactory(inspection=seeded.inspection, text=typed),
                       title=typed[:200], theme="Voice & <b>views</b>")
    ActionFactory(item=item, description=typed)
    response = api.get(f"/api/v1/items/{item.id}")
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = json.loads(response.get_data(as_text=True))
    assert body["title"] == typed[:200]
    assert body["finding_text"] == typed
    assert body["theme"] == "Voice & <b>views</b>"
    assert body["actions"][0]["description"] == typed
    # The same text to any JSON reader, but not one character a browser or an HTML page
    # embedding it could take as markup, and nothing outside ASCII to be misread.
    raw = response.get_data(as_text=True)
    assert not {"<", ">", "&"} & set(raw)
    assert "\\u003c/script\\u003e" in raw
    assert raw.isascii()


def test_a_parameter_name_is_echoed_safely_in_a_problem(api):
    response = api.get("/api/v1/items", **{"<img src=x>": "1"})
    assert response.status_code == 400
    assert response.get_json()["invalid_params"][0]["name"] == "<img src=x>"
    assert "<" not in response.get_data(as_text=True)


def test_an_issued_reports_files_download_byte_for_byte(client, seeded_with_reports):
    api = Api(client, seeded_with_reports.token)
    report = seeded_with_reports.report
    details = api.get(f"/api/v1/reports/{report.id}").get_json()
    assert details["version"] == 1
    assert details["committee"]["name"] == "Children's Services Scrutiny Committee"
    stored = {"html": report.html, "pdf": report.pdf, "docx": report.docx,
              "xlsx": report.xlsx}
    # The paper's three files and its background paper, the full action plan as Excel.
    assert [entry["format"] for entry in details["files"]] == ["html", "pdf", "docx", "xlsx"]
    assert details["links"]["xlsx"].endswith(f"/api/v1/reports/{report.id}/files/xlsx")
    for entry in details["files"]:
        fmt = entry["format"]
        response = api.get(entry["links"]["download"])
        assert response.status_code == 200
        assert response.data == stored[fmt]
        assert hashlib.sha256(response.data).hexdigest() == entry["sha256"]
        assert entry["size"] == len(stored[fmt])
        assert response.mimetype == entry["media_type"]
        assert response.headers["ETag"] == f'"{entry["sha256"]}"'
        assert response.headers["Content-Disposition"].startswith("attachment;")
    listed = api.get("/api/v1/reports").get_json()
    assert [row["id"] for row in listed["data"]] == [report.id]
    other = seeded_with_reports.other_report
    assert api.get(f"/api/v1/reports/{other.id}").status_code == 404
    assert api.get(f"/api/v1/reports/{other.id}/files/pdf").status_code == 404
    assert api.get(f"/api/v1/reports/{other.id}/files/xlsx").status_code == 404
    assert api.get(f"/api/v1/reports/{report.id}/files/txt").status_code == 404


def test_reading_writes_nothing_beyond_noting_the_tokens_use_once_an_hour(api, seeded):
    paths = ["/api/v1/", "/api/v1/items", f"/api/v1/items/{seeded.red.id}",
             "/api/v1/actions", "/api/v1/inspections", "/api/v1/reports"]
    writes = ("INSERT", "UPDATE", "DELETE")
    with recorded_statements() as first:
        api.get(paths[0])
    # The token's last use only.
    [write] = [s for s in first if s.lstrip().upper().startswith(writes)]
    assert write.startswith("UPDATE access_token SET last_used_at")
    with recorded_statements() as later:
        for path in paths:
            assert api.get(path).status_code == 200
    assert not [s for s in later if s.lstrip().upper().startswith(writes)]
    token = db.session.query(AccessToken).filter_by(user_id=seeded.owner.id).one()
    assert token.last_used_at == clock.now()
    with time_machine.travel(clock.now() + timedelta(hours=1, minutes=1), tick=False):
        api.get(paths[0])
        db.session.refresh(token)
        assert token.last_used_at == datetime(2026, 11, 22, 13, 1, tzinfo=UTC)
