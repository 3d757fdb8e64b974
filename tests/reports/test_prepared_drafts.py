"""A large committee's draft page is prepared by the scheduler, never worked out in the
request: the page queues one preparation and shows its progress, then shows the paper with
the time it was prepared, and after a change shows that paper while the next is prepared. A
small committee's draft stays live."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.conftest import TEST_NOW, configure, sign_in_as
from tests.reports.helpers import html_text
from tracker import clock
from tracker.extensions import db
from tracker.items.models import ActionStatus
from tracker.items.service import update_action
from tracker.jobs.models import RunState
from tracker.reports.models import ReportRun, RunKind
from tracker.reports.prepared import data_stamp, queue_preparation
from tracker.reports.runs import produce_queued_reports
from tracker.settings import settings

# The known committee follows two tracked items: any limit under two makes it "large".
LARGE = {"DRAFT_PAGE_LIVE_ITEMS": 1}


@pytest.fixture
def large(app, known):
    configure(app, **LARGE)
    yield known
    configure(app, DRAFT_PAGE_LIVE_ITEMS=500)


def page_runs() -> list[ReportRun]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(ReportRun).where(ReportRun.kind == RunKind.PAGE).order_by(ReportRun.id)))


def words(response) -> str:
    return re.sub(r"\s+", " ", html_text(response.data))


def draft_of(client, known):
    return client.get(f"/committees/{known.committee.id}/report")


def test_a_large_committees_draft_page_queues_one_preparation_and_shows_progress(
        client, large):
    sign_in_as(client, large.admin)
    first = draft_of(client, large)
    assert first.status_code == 200
    text = words(first)
    assert "This committee follows 2 tracked items" in text
    assert "This draft is being prepared: waiting to start" in text
    assert "This page updates itself when it is ready" in text
    assert "Check again" in text
    # Its progress is asked of the run, as the run page does; no paper is shown yet.
    (run,) = page_runs()
    assert f'data-report-run-progress="/report-runs/{run.id}/progress"' in first.data.decode()
    assert 'data-state="queued"' in first.data.decode()
    assert "Action taken" not in text
    # The tools stay: issuing and producing the files.
    assert "Issue version 1" in text and "Produce the files of this draft" in text
    # Opening it again, or someone else opening it, queues nothing more.
    draft_of(client, large)
    sign_in_as(client, large.lead)
    assert "being prepared" in words(draft_of(client, large))
    assert [r.id for r in page_runs()] == [run.id]
    assert run.requested_by_id == large.admin.id


def test_after_the_schedulers_run_the_page_shows_the_prepared_paper(client, large):
    sign_in_as(client, large.admin)
    draft_of(client, large)
    with time_machine.travel(TEST_NOW + timedelta(seconds=5), tick=False):
        assert produce_queued_reports().done == 1
    (run,) = page_runs()
    assert run.state is RunState.DONE and b"<article class=\"report\"" in run.html
    with time_machine.travel(TEST_NOW + timedelta(minutes=2), tick=False):
        page = draft_of(client, large)
    text = words(page)
    assert "Up to date. Prepared on 22 November 2026 at 12:00pm from the tracker's data, " \
           "which has not changed since." in text
    assert "Timeliness of contact screening" in text and "Meg Boustead" in text
    assert "being prepared" not in text and "data-report-run-progress" not in page.data.decode()
    # The paper sits in the page once, inside the page's layout, with its own heading.
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert page.data.count(b'<article class="report"') == 1
    assert page.data.index(b'<article class="report"') < page.data.index(b"</main>")
    assert len(page_runs()) == 1  # nothing changed: nothing queued


def test_a_change_after_that_shows_the_older_paper_with_its_time_while_the_next_is_prepared(
        client, large):
    sign_in_as(client, large.admin)
    draft_of(client, large)
    produce_queued_reports()
    with time_machine.travel(TEST_NOW + timedelta(minutes=20), tick=False):
        update_action(large.rota, actor=large.lead, now=clock.now(), expected_version=None,
                      status=ActionStatus.IN_PROGRESS,
                      commentary="Rota now covers weekends as well.", evidence_link="")
        db.session.commit()
        page = draft_of(client, large)
        text = words(page)
        assert "Being prepared again with the latest changes. The draft below was prepared " \
               "on 22 November 2026 at 12:00pm; changes made since then are not in it yet." in text
        assert "Timeliness of contact screening" in text  # the older paper, still shown
        assert "Rota now covers weekends" not in text
        first, second = page_runs()
        assert first.state is RunState.DONE and second.state is RunState.QUEUED
        assert 'data-state="queued"' in page.data.decode()

        assert produce_queued_reports().done == 1
        text = words(draft_of(client, large))
    assert "Up to date. Prepared on 22 November 2026 at 12:20pm" in text
    assert "Rota now covers weekends" in text
    # Only the newest prepared paper is kept.
    first, second = page_runs()
    assert first.html is None and second.html is not None


def test_the_next_day_the_draft_is_prepared_again(client, large):
    sign_in_as(client, large.admin)
    draft_of(client, large)
    produce_queued_reports()
    with time_machine.travel(TEST_NOW + timedelta(days=1), tick=False):
        sign_in_as(client, large.admin)  # a new day, a new session
        text = words(draft_of(client, large))
    assert "Being prepared again with the latest changes" in text
    assert len(page_runs()) == 2


def test_the_stamp_moves_with_what_the_paper_shows_and_only_then(app, large):
    rules = settings().status_rules
    before = data_stamp(large.committee, now=clock.now(), rules=rules)
    assert data_stamp(large.committee, now=clock.now() + timedelta(minutes=5),
                      rules=rules) == before
    large.committee.contact_name = "Someone Else"
    db.session.commit()
    after_contact = data_stamp(large.committee, now=clock.now(), rules=rules)
    assert after_contact != before
    large.people.lead.name = "Meg Renamed"
    db.session.commit()
    assert data_stamp(large.committee, now=clock.now(), rules=rules) != after_contact


def test_a_small_committees_draft_stays_live(client, known):
    sign_in_as(client, known.admin)
    page = draft_of(client, known)
    text = words(page)
    assert "worked out from the tracker's data each time the page opens" in text
    assert "Timeliness of contact screening" in text
    assert page_runs() == []
    docx = client.get(f"/committees/{known.committee.id}/report.docx")
    assert docx.status_code == 200 and docx.data.startswith(b"PK")


def test_committee_members_cannot_see_a_large_committees_draft(client, large):
    sign_in_as(client, large.member)
    assert draft_of(client, large).status_code == 403
    assert page_runs() == []


def test_the_word_and_web_files_of_a_large_draft_come_from_a_draft_run(client, large):
    sign_in_as(client, large.lead)
    for fmt in ("docx", "html"):
        response = client.get(f"/committees/{large.committee.id}/report.{fmt}")
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/committees/{large.committee.id}/report")
    text = words(draft_of(client, large))
    assert "its Word, web page and PDF files are produced in the background" in text
    asked = client.post(f"/committees/{large.committee.id}/report/pdf")
    assert asked.status_code == 302
    assert produce_queued_reports().done == 2  # the page and the files
    run = db.session.scalars(select(ReportRun).where(ReportRun.kind == RunKind.DRAFT)).one()
    for fmt, start in (("docx", b"PK"), ("html", b"<!DOCTYPE html>"), ("pdf", b"%PDF")):
        response = client.get(f"/report-runs/{run.id}.{fmt}")
        assert response.status_code == 200 and response.data.startswith(start)


def test_the_database_lets_only_one_preparation_wait_per_committee(app, large):
    stamp = data_stamp(large.committee, now=clock.now(), rules=settings().status_rules)
    first = queue_preparation(large.committee, actor=large.admin, now=clock.now(), stamp=stamp)
    again = queue_preparation(large.committee, actor=large.lead, now=clock.now(), stamp=stamp)
    assert again.id == first.id
    db.session.commit()
    db.session.add(ReportRun(committee_id=large.committee.id, kind=RunKind.PAGE,
                             state=RunState.QUEUED, requested_at=clock.now()))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_preparation_that_failed_is_said_and_not_asked_for_again_until_the_data_changes(
        client, large):
    sign_in_as(client, large.admin)
    draft_of(client, large)
    (run,) = page_runs()
    # The scheduler stopped while preparing it, three times over: the queue gives it up.
    run.state, run.attempts, run.lease_until = (RunState.RUNNING, 3,
                                                clock.now() - timedelta(minutes=1))
    db.session.commit()
    produce_queued_reports()
    assert page_runs()[0].state is RunState.FAILED
    text = words(draft_of(client, large))
    assert "The latest changes could not be prepared: The scheduler stopped while producing " \
           "this report" in text
    assert "The tracker tries again when the data next changes." in text
    assert len(page_runs()) == 1  # not asked for again on the same data
    large.committee.report_title = "Improvement plan: progress"
    db.session.commit()
    assert "This draft is being prepared" in words(draft_of(client, large))
    assert [r.state for r in page_runs()] == [RunState.FAILED, RunState.QUEUED]


def test_a_preparations_own_address_leads_to_the_draft_page(client, large):
    sign_in_as(client, large.lead)
    draft_of(client, large)
    (run,) = page_runs()
    response = client.get(f"/report-runs/{run.id}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/committees/{large.committee.id}/report")
    progress = client.get(f"/report-runs/{run.id}/progress")
    assert progress.json == {"state": "queued", "label": "Waiting to start"}
    assert client.get(f"/report-runs/{run.id}.html").status_code == 404
