"""Reports produced by the scheduler process: on a committee's schedule, or asked for in the
app; the report owner told once by email; failures shown to the person who asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import func, select

from tests.conftest import sign_in_as
from tests.reminders.conftest import about
from tracker import clock
from tracker.accounts.models import Role
from tracker.committees.models import ReportCadence
from tracker.extensions import db
from tracker.jobs.models import RunState
from tracker.reminders.models import Delivery, DeliveryKind
from tracker.reminders.service import send_due_deliveries
from tracker.reports.models import IssuedReport, ReportRun, RunKind
from tracker.reports.runs import produce_queued_reports, queue_scheduled_reports, request_run
from tracker.reports.service import save_report_schedule

# The known committee meets on Thursday 10 December 2026; five working days before is
# Thursday 3 December, 9am (UK time is UTC in winter).
DUE = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def five_days_before_meetings(known, *, auto_issue: bool = False) -> None:
    save_report_schedule(known.committee, cadence=ReportCadence.BEFORE_MEETING, rule_months="",
                         rule_day="", days_before=5, time_of_day="09:00", owner=known.lead,
                         auto_issue=auto_issue)
    db.session.commit()


def runs() -> list[ReportRun]:
    return list(db.session.scalars(select(ReportRun).order_by(ReportRun.id)))


def test_the_draft_is_produced_when_due_and_the_report_owner_gets_one_email(known, inbox):
    five_days_before_meetings(known)
    with time_machine.travel(DUE - timedelta(minutes=1), tick=False):
        assert queue_scheduled_reports(clock.now()) == 0
    with time_machine.travel(DUE + timedelta(minutes=4), tick=False):
        assert queue_scheduled_reports(clock.now()) == 1
        assert queue_scheduled_reports(clock.now()) == 0  # a second look queues nothing
        assert produce_queued_reports().done == 1
        assert produce_queued_reports().done == 0
        assert inbox.messages == []  # queued, for the deliveries job
        assert send_due_deliveries().sent == 1

    (run,) = runs()
    assert run.kind is RunKind.DRAFT and run.state is RunState.DONE
    assert run.scheduled_for == DUE and run.pdf.startswith(b"%PDF")
    assert run.docx.startswith(b"PK") and b"Meg Boustead" in run.html
    (message,) = inbox.to(known.lead.email)
    assert about(message["Subject"]) == f"draft progress report to {known.committee.name} ready"
    text = inbox.text(message)
    assert f"Dear {known.lead.name}" in text
    assert "meeting on 10 December 2026" in text
    assert f"/report-runs/{run.id}" in text
    delivery = db.session.scalars(select(Delivery)).one()
    assert delivery.kind is DeliveryKind.REPORT and delivery.state is RunState.DONE


def test_a_committee_that_issues_automatically_gets_the_next_version(known, inbox):
    five_days_before_meetings(known, auto_issue=True)
    with time_machine.travel(DUE, tick=False):
        queue_scheduled_reports(clock.now())
        produce_queued_reports()
        send_due_deliveries()

    report = db.session.scalars(select(IssuedReport)).one()
    assert report.version == 1 and report.issued_by_id is None
    (message,) = inbox.to(known.lead.email)
    assert "issued (version 1)" in message["Subject"]
    assert f"/reports/{report.id}" in inbox.text(message)


def test_a_scheduler_back_after_a_day_skips_the_missed_report(known, inbox):
    five_days_before_meetings(known)
    with time_machine.travel(DUE + timedelta(hours=25), tick=False):
        assert queue_scheduled_reports(clock.now()) == 0
    assert runs() == []


def test_the_email_waits_in_the_delivery_log_while_the_mail_server_is_down(
    known, smtp_server_down
):
    five_days_before_meetings(known)
    with time_machine.travel(DUE, tick=False):
        queue_scheduled_reports(clock.now())
        assert produce_queued_reports().done == 1
        assert send_due_deliveries().failed == 1
    delivery = db.session.scalars(select(Delivery)).one()
    assert delivery.will_retry
    assert "Could not reach the mail server" in delivery.last_error
    assert delivery.lease_until is not None  # the deliveries job tries again then


def test_an_issue_asked_for_by_someone_no_longer_an_administrator_fails_with_the_reason(
    client, known
):
    run = request_run(known.committee, RunKind.ISSUE, actor=known.admin, now=clock.now())
    known.admin.role = Role.MANAGER
    db.session.commit()

    assert produce_queued_reports().failed == 1

    assert run.state is RunState.FAILED
    assert db.session.scalar(select(func.count()).select_from(IssuedReport)) == 0
    sign_in_as(client, known.lead)
    page = client.get(f"/report-runs/{run.id}").get_data(as_text=True)
    assert "Only an administrator of the committee&#39;s council can issue a report" in page


def test_a_run_left_running_by_a_stopped_scheduler_is_produced_again(known):
    run = request_run(known.committee, RunKind.DRAFT, actor=known.lead, now=clock.now())
    # Its lease ran out: the scheduler producing it stopped.
    run.state, run.attempts = RunState.RUNNING, 1
    run.lease_until = clock.now() - timedelta(minutes=1)
    db.session.commit()

    assert produce_queued_reports().done == 1
    assert run.state is RunState.DONE and run.attempts == 2


def test_draft_files_are_cleared_after_a_week(client, known):
    run = request_run(known.committee, RunKind.DRAFT, actor=known.lead, now=clock.now())
    db.session.commit()
    produce_queued_reports()
    sign_in_as(client, known.lead)
    assert client.get(f"/report-runs/{run.id}.docx").status_code == 200

    with time_machine.travel(clock.now() + timedelta(days=8), tick=False):
        produce_queued_reports()
        sign_in_as(client, known.lead)  # a week later: a new session
        page = client.get(f"/report-runs/{run.id}").get_data(as_text=True)
        assert "These files have been cleared" in page
        assert client.get(f"/report-runs/{run.id}.docx").status_code == 404


def test_the_progress_address_answers_with_the_state_for_the_page_script(client, known):
    run = request_run(known.committee, RunKind.DRAFT, actor=known.lead, now=clock.now())
    sign_in_as(client, known.lead)
    assert client.get(f"/report-runs/{run.id}/progress").get_json() == {
        "state": "queued", "label": "Waiting to start"}
    produce_queued_reports()
    assert client.get(f"/report-runs/{run.id}/progress").get_json()["state"] == "done"


def test_administrator_sets_a_schedule_in_words_and_sees_the_next_dates(client, known):
    sign_in_as(client, known.admin)
    path = f"/committees/{known.committee.id}/report/schedule"
    assert client.get(path).status_code == 200

    refused = client.post(path, data={"report_cadence": "rule", "report_rule_months": "1,4",
                                      "report_rule_day": "someday", "report_time": "09:00",
                                      "report_owner": str(known.lead.id)})
    assert refused.status_code == 400
    assert "1st mon, 2nd tue or last fri" in refused.get_data(as_text=True)
    assert known.committee.report_cadence is ReportCadence.NONE

    saved = client.post(path, data={
        "report_cadence": "rule", "report_rule_months": "January, April, July, October",
        "report_rule_day": "first Monday", "report_time": "09:00",
        "report_owner": str(known.lead.id)})
    assert saved.status_code == 302
    assert (known.committee.report_rule_months, known.committee.report_rule_day) == (
        "1,4,7,10", "1st mon")
    page = " ".join(client.get(f"/committees/{known.committee.id}").get_data(as_text=True)
                    .split())
    assert "Monday 4 January 2027 at 9:00am" in page
    assert "First Monday of January, April, July and October at 9am" in page
    assert f"{known.lead.name} is emailed when it is ready" in page


def test_the_schedule_form_shows_only_the_chosen_kinds_fields(client, known):
    sign_in_as(client, known.admin)
    page = client.get(f"/committees/{known.committee.id}/report/schedule").get_data(
        as_text=True)
    # GOV.UK conditional reveal: each kind's fields sit inside its radio's hidden panel.
    rule_panel = page[page.index('id="conditional-report_cadence-2"'):]
    rule_panel = rule_panel[:rule_panel.index('id="conditional-report_cadence-3"')]
    assert 'name="report_rule_months"' in rule_panel
    assert 'name="report_rule_day"' in rule_panel
    assert 'name="report_days_before"' not in rule_panel
    assert 'name="report_days_before"' in page[page.index('id="conditional-report_cadence-3"'):]


def test_a_fifth_monday_rule_is_refused_on_the_form(client, known):
    sign_in_as(client, known.admin)
    refused = client.post(f"/committees/{known.committee.id}/report/schedule", data={
        "report_cadence": "rule", "report_rule_months": "1,4", "report_rule_day": "5th mon",
        "report_time": "09:00", "report_owner": str(known.lead.id)})
    assert refused.status_code == 400
    assert "Not every month has a fifth Monday: enter “last Monday”" in refused.get_data(
        as_text=True)
    assert known.committee.report_cadence is ReportCadence.NONE


def test_a_schedule_needs_someone_to_tell(client, known):
    sign_in_as(client, known.admin)
    response = client.post(f"/committees/{known.committee.id}/report/schedule",
                           data={"report_cadence": "before meeting", "report_days_before": "5",
                                 "report_time": "09:00", "report_owner": ""})
    assert response.status_code == 400
    assert "Choose who is told when the report is ready" in response.get_data(as_text=True)


def test_only_administrators_change_the_schedule(client, known):
    sign_in_as(client, known.lead)
    path = f"/committees/{known.committee.id}/report/schedule"
    assert client.get(path).status_code == 403
    assert client.post(path, data={"report_cadence": "none"}).status_code == 403


def test_an_email_that_cannot_be_built_is_recorded_as_failed_with_the_reason(
    known, inbox, client
):
    # A line break typed into the committee's name before such names were refused.
    known.committee.name = "Children's Services\nScrutiny Committee"
    five_days_before_meetings(known)
    with time_machine.travel(DUE, tick=False):
        queue_scheduled_reports(clock.now())
        assert produce_queued_reports().done == 1  # the report is made all the same
        send_due_deliveries()
    assert inbox.messages == []
    delivery = db.session.scalars(select(Delivery)).one()
    assert delivery.state is RunState.FAILED
    assert delivery.last_error.startswith("The email could not be built, so it was not sent")
    assert delivery.to_address == known.lead.email
    sign_in_as(client, known.admin)
    page = client.get("/admin/reminders").text
    assert "The email could not be built, so it was not sent" in page
