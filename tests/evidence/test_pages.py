"""The evidence packs pages: asking for a pack, following it, downloading it."""

from __future__ import annotations

import hashlib
import re
from datetime import date

import pytest

from tests.conftest import sign_in_as
from tests.evidence.conftest import BEFORE, make_plan_with_changes, zip_of
from tests.factories import CouncilFactory
from tracker import clock
from tracker.evidence.models import EvidencePack
from tracker.evidence.service import produce_queued_packs, request_pack
from tracker.extensions import db
from tracker.reports.models import RunState


def ask(client, day="31", month="10", year="2026", scope=""):
    # The date input's three boxes share the field's name: day, month, year in order.
    return client.post("/evidence-packs", data={"as_of": [day, month, year], "scope": scope})


def only_pack() -> EvidencePack:
    (pack,) = db.session.query(EvidencePack).all()
    return pack


@pytest.mark.parametrize("role", ["admin", "lead"])
def test_staff_ask_for_a_pack_of_a_day_and_follow_it(client, plan, role):
    sign_in_as(client, getattr(plan, role))
    page = client.get("/evidence-packs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Evidence packs for the next inspection" in html
    # Today is filled in; the scope lists every item or one inspection.
    assert 'id="as_of-day" name="as_of" type="text" value="22"' in html
    assert "Every tracked item" in html
    assert "(letter of 27 July 2026)" in html

    response = ask(client)
    pack = only_pack()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/evidence-packs/{pack.id}")
    assert (pack.as_of, pack.inspection_id, pack.state) == (BEFORE, None, RunState.QUEUED)
    assert pack.requested_by_id == getattr(plan, role).id

    waiting = client.get(f"/evidence-packs/{pack.id}").get_data(as_text=True)
    assert "Waiting to start" in waiting
    listed = client.get("/evidence-packs").get_data(as_text=True)
    assert "As of 31 October 2026" in listed and "Waiting to start" in listed


def test_a_pack_of_one_inspection(client, plan):
    sign_in_as(client, plan.lead)
    assert ask(client, scope=str(plan.inspection.id)).status_code == 302
    assert only_pack().inspection_id == plan.inspection.id


@pytest.mark.parametrize(("fields", "message"), [
    ({"day": "", "month": "", "year": ""}, "Enter the date"),
    ({"month": ""}, "Date must include a month"),
    ({"day": "31", "month": "2"}, "Date must be a real date, for example 27 3 2026"),
    ({"day": "23", "month": "11"}, "The date must be today or in the past"),
    ({"day": "31", "month": "7"},
     "The date must be on or after 1 August 2026, when the first item was recorded"),
    ({"scope": "999999"}, "Choose the items from the list"),
])
def test_the_form_says_what_to_fix(client, plan, fields, message):
    sign_in_as(client, plan.lead)
    response = ask(client, **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert message in html
    assert "<title>Error: " in html
    assert db.session.query(EvidencePack).count() == 0


def test_asking_twice_while_it_waits_gives_the_same_pack(client, plan):
    sign_in_as(client, plan.lead)
    first = ask(client).headers["Location"]
    assert ask(client).headers["Location"] == first
    assert db.session.query(EvidencePack).count() == 1


def test_the_page_shows_progress_and_asks_the_page_script_to_refresh_it(client, plan):
    pack = request_pack(council_id=plan.council_id, as_of=BEFORE, inspection=None,
                        actor=plan.lead, now=clock.now())
    pack.state, pack.started_at, pack.items_done, pack.items_total = (
        RunState.RUNNING, clock.now(), 12, 40)
    db.session.commit()
    sign_in_as(client, plan.lead)

    html = client.get(f"/evidence-packs/{pack.id}").get_data(as_text=True)
    assert "12 of 40 items done" in html
    progress = re.search(r'data-report-run-progress="([^"]+)" data-state="running"', html)
    assert progress is not None
    # No inline script: the site's own script (tracker.js) does the asking.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)

    address = progress.group(1).replace("&amp;", "&")
    assert client.get(address).get_json() == {
        "state": "running", "label": "Being produced", "items_done": 12, "items_total": 40}
    pack.items_done = 15
    db.session.commit()
    assert client.get(address).get_json()["state"] == "running"  # not a tenth further yet
    pack.items_done = 16
    db.session.commit()
    assert client.get(address).get_json()["state"] == "running, moved on"  # reload
    pack.state, pack.items_done = RunState.FAILED, 17
    db.session.commit()
    assert client.get(address).get_json()["state"] == "failed"


def test_a_ready_pack_downloads_as_the_stored_bytes_with_a_safe_name(client, plan):
    pack = request_pack(council_id=plan.council_id, as_of=BEFORE, inspection=plan.inspection,
                        actor=plan.lead, now=clock.now())
    db.session.commit()
    produce_queued_packs()
    db.session.refresh(pack)
    sign_in_as(client, plan.admin)

    html = client.get(f"/evidence-packs/{pack.id}").get_data(as_text=True)
    assert "Ready: 2 items" in html
    assert "Download the evidence pack (ZIP" in html
    assert pack.zip_sha256 in html
    response = client.get(f"/evidence-packs/{pack.id}/download")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.data == zip_of(pack)
    assert hashlib.sha256(response.data).hexdigest() == pack.zip_sha256
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=evidence-pack-annual-unannounced-inspection-of-contact-"
        "2026-07-27-as-of-2026-10-31.zip")
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_pack_not_ready_yet_has_nothing_to_download(client, plan):
    pack = request_pack(council_id=plan.council_id, as_of=BEFORE, inspection=None,
                        actor=plan.lead, now=clock.now())
    db.session.commit()
    sign_in_as(client, plan.lead)
    assert client.get(f"/evidence-packs/{pack.id}/download").status_code == 404


def test_another_councils_pack_is_not_found(client, plan):
    other = make_plan_with_changes(CouncilFactory())
    pack = request_pack(council_id=other.council_id, as_of=BEFORE, inspection=None,
                        actor=other.lead, now=clock.now())
    db.session.commit()
    produce_queued_packs()
    sign_in_as(client, plan.admin)
    for path in ("", "/progress", "/download"):
        assert client.get(f"/evidence-packs/{pack.id}{path}").status_code == 404
    # Nor is it listed, nor can its inspection be chosen.
    assert "As of 31 October 2026" not in client.get("/evidence-packs").get_data(as_text=True)
    assert ask(client, scope=str(other.inspection.id)).status_code == 400


def test_committee_members_are_refused_evidence_packs(client, plan):
    pack = request_pack(council_id=plan.council_id, as_of=BEFORE, inspection=None,
                        actor=plan.lead, now=clock.now())
    db.session.commit()
    sign_in_as(client, plan.member)
    assert client.get("/evidence-packs").status_code == 403
    assert ask(client).status_code == 403
    for path in ("", "/progress", "/download"):
        assert client.get(f"/evidence-packs/{pack.id}{path}").status_code == 403
    assert db.session.query(EvidencePack).count() == 1


def test_the_items_list_links_staff_to_evidence_packs(client, plan):
    sign_in_as(client, plan.lead)
    assert 'href="/evidence-packs"' in client.get("/items").get_data(as_text=True)
    sign_in_as(client, plan.member)
    assert 'href="/evidence-packs"' not in client.get("/items").get_data(as_text=True)


def test_a_day_before_the_inspections_first_item_is_refused_for_that_inspection(client, plan):
    from tests.evidence.test_pack import create_other_inspection

    other = create_other_inspection(plan)  # its only item was recorded on 2 September 2026
    sign_in_as(client, plan.lead)
    response = ask(client, scope=str(other.id), day="1", month="9")
    assert response.status_code == 400
    assert ("The date must be on or after 2 September 2026, when the first item of this "
            "inspection was recorded") in response.get_data(as_text=True)
    assert ask(client, day="1", month="9").status_code == 302


def test_today_is_allowed(client, plan):
    sign_in_as(client, plan.lead)
    today = clock.today()
    assert today == date(2026, 11, 22)
    assert ask(client, day="22", month="11").status_code == 302
