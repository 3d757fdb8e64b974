"""An inspection is kept for its retention period after its plan closes; administrators are
told once, 30 days before; then it is removed whole, the rest left as it was, and the
removal recorded. The clock stands at 22 November 2026."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import sign_in_as
from tests.data_protection.conftest import (
    NOW,
    a_committee,
    close_plan,
    dump,
    whole_inspection,
)
from tests.factories import AdminFactory, CouncilFactory, InspectionFactory
from tests.scenario import at, make_people, make_plan
from tracker.audit.models import HistoryEntry
from tracker.data_protection.models import ErasureKind, ErasureRecord, RetentionBasis
from tracker.data_protection.retention import (
    apply_retention,
    retention_of,
    set_council_retention,
    set_inspection_retention,
    tables_under_inspection,
)
from tracker.errors import RuleBroken
from tracker.evidence.models import EvidencePack
from tracker.extensions import db
from tracker.inspections.models import Inspection
from tracker.jobs.models import RunState
from tracker.reminders.models import Delivery, DeliveryKind
from tracker.reminders.service import send_due_deliveries

TODAY = date(2026, 11, 22)


def test_an_inspection_is_kept_seven_years_after_its_last_item_is_signed_off(council):
    people = make_people(council)
    plan = make_plan(council, people=people)
    db.session.commit()
    assert retention_of(plan.inspection).plan_closed_on is None  # open: kept
    assert retention_of(plan.inspection).removal_on is None

    close_plan(plan, at(2019, 3, 4))
    retention = retention_of(plan.inspection)
    assert (retention.plan_closed_on, retention.years, retention.basis, retention.removal_on) \
        == (date(2019, 3, 4), 7, RetentionBasis.COUNCIL, date(2026, 3, 4))


def test_administrators_set_the_period_for_the_council_and_for_one_inspection(council):
    plan = make_plan(council)
    close_plan(plan, at(2019, 3, 4))
    set_council_retention(council, years=10)
    assert retention_of(plan.inspection).removal_on == date(2029, 3, 4)
    set_inspection_retention(plan.inspection, years=25)
    retention = retention_of(plan.inspection)
    assert (retention.removal_on, retention.basis) == (date(2044, 3, 4),
                                                       RetentionBasis.INSPECTION)
    set_inspection_retention(plan.inspection, years=None)
    assert retention_of(plan.inspection).removal_on == date(2029, 3, 4)
    with pytest.raises(RuleBroken, match="from 1 to 100"):
        set_council_retention(council, years=0)


def test_an_inspection_without_tracked_items_closes_on_its_letters_date(council):
    inspection = InspectionFactory(council=council, letter_date=date(2015, 6, 1))
    assert retention_of(inspection).removal_on == date(2022, 6, 1)


def _notices() -> list[tuple]:
    return [tuple(row) for row in db.session.execute(
        select(Delivery.recipient_id, Delivery.day, Delivery.topic, Delivery.state)
        .where(Delivery.kind == DeliveryKind.RETENTION_NOTICE).order_by(Delivery.id))]


def test_administrators_are_told_once_30_days_before_and_it_goes_no_sooner(council, app):
    people = make_people(council)
    second_admin = AdminFactory(council=council, name="Sam Second")
    committee, meeting = a_committee(council)
    whole = whole_inspection(council, people, committee, meeting, closed_at=at(2019, 12, 20))
    inspection_id = whole.plan.inspection.id
    # Its period ends on 20 December 2026: the notice is due from 20 November.

    assert apply_retention(today=TODAY - timedelta(days=3), now=NOW).notices == 0
    run = apply_retention(today=TODAY, now=NOW)
    db.session.commit()
    assert (run.notices, run.removed) == (2, 0)
    send_due_deliveries()
    # Again the same day, and the next: nothing twice.
    assert apply_retention(today=TODAY, now=NOW).notices == 0
    assert apply_retention(today=TODAY + timedelta(days=1), now=NOW).notices == 0
    db.session.commit()
    notices = _notices()
    assert sorted(recipient for recipient, *_ in notices) == sorted(
        [people.admin.id, second_admin.id])
    assert {(day, topic, state.value) for _, day, topic, state in notices} == {
        (date(2026, 12, 20), f"inspection-{inspection_id}", "done")}
    message = db.session.scalars(select(Delivery.message).where(
        Delivery.recipient_id == second_admin.id,
        Delivery.kind == DeliveryKind.RETENTION_NOTICE)).one()
    assert "22 December 2026" in message  # 30 days after the notice, later than the 20th

    # The 20th is the end of its period, but the notice went only 28 days before.
    assert apply_retention(today=date(2026, 12, 21), now=NOW).removed == 0
    assert db.session.get(Inspection, inspection_id) is not None
    assert apply_retention(today=date(2026, 12, 22), now=NOW).removed == 1
    db.session.commit()
    assert db.session.get(Inspection, inspection_id) is None
    assert len(_notices()) == 2


def test_nothing_is_removed_without_a_notice_sent(council):
    people = make_people(council)
    committee, meeting = a_committee(council)
    whole_inspection(council, people, committee, meeting, closed_at=at(2010, 1, 4))
    run = apply_retention(today=TODAY, now=NOW)
    db.session.commit()
    # The notice is written but not yet sent: the inspection stays.
    assert (run.notices, run.removed) == (1, 0)
    assert apply_retention(today=TODAY + timedelta(days=60), now=NOW).removed == 0


def _remove_when_due(today: date) -> None:
    apply_retention(today=today, now=NOW)
    db.session.commit()
    send_due_deliveries()
    apply_retention(today=today + timedelta(days=30), now=NOW)
    db.session.commit()


def test_a_removal_takes_the_inspection_whole_and_leaves_everything_else_byte_identical(
    council,
):
    # Everything that stays, written first: the people, the committees and meetings, an open
    # plan of the same council and a closed one of another council kept for longer.
    people = make_people(council)
    committee, meeting = a_committee(council)
    kept_committee, kept_meeting = a_committee(council)
    kept = whole_inspection(council, people, kept_committee, kept_meeting, closed_at=None)
    other_council = CouncilFactory()
    set_council_retention(other_council, years=50)
    other_people = make_people(other_council)
    other_committee, other_meeting = a_committee(other_council)
    whole_inspection(other_council, other_people, other_committee, other_meeting,
                     closed_at=at(2010, 1, 4))
    # A council-wide pack as of a day before the expired inspection was imported (today).
    db.session.add(EvidencePack(council_id=council.id, as_of=date(2026, 11, 1),
                                state=RunState.DONE, zip_sha256="4" * 64))
    db.session.commit()
    before = dump()

    expired = whole_inspection(council, people, committee, meeting, closed_at=at(2010, 1, 4))
    # One as of today holds its items: it goes with it.
    db.session.add(EvidencePack(council_id=council.id, as_of=TODAY, state=RunState.DONE,
                                zip_sha256="5" * 64))
    db.session.commit()
    expired_id, title = expired.plan.inspection.id, expired.plan.inspection.title
    items = {expired.plan.screening.id, expired.plan.assessments.id}
    assert db.session.scalar(select(func.count(HistoryEntry.id)).where(
        HistoryEntry.item_id.in_(items))) > 0

    _remove_when_due(TODAY)

    assert dump() == before
    assert kept.plan.inspection.id != expired_id
    record = db.session.scalars(select(ErasureRecord)).one()
    assert (record.kind, record.subject_id, record.subject_title, record.plan_closed_on,
            record.retention_years, record.basis, record.by_id) == (
        ErasureKind.INSPECTION_REMOVED, expired_id, title, date(2010, 1, 4), 7,
        RetentionBasis.COUNCIL, None)
    assert record.notice_sent_at is not None
    assert {name: count for name, count in record.removed.items()} == {
        "inspection": 1, "inspection_day": 2, "committee_inspection": 1, "finding": 2,
        "item": 2, "action": 5, "due_date_change": 1, "partner_link": 1,
        "history_entry": record.removed["history_entry"], "member_question": 1,
        "evidence_pack": 2, "evidence_pack_chunk": 1, "evidence_file": 1, "plan_import": 1,
        "issued_report": 1, "notice": 2}
    assert record.removed["history_entry"] >= 9


def test_the_removal_covers_every_table_under_an_inspection_found_by_its_foreign_keys():
    # A new table of an item's or action's rows joins this list by its foreign key alone.
    assert {table.name for table in tables_under_inspection()} == {
        "inspection", "inspection_day", "committee_inspection", "finding", "item", "action",
        "due_date_change", "cancellation_request", "partner_link", "history_entry",
        "member_question", "evidence_pack", "evidence_pack_chunk", "evidence_file",
        "plan_import", "still_open_item", "notice", "upload_reading"}


def test_a_later_inspection_keeps_its_findings_but_no_longer_points_at_the_removed_one(
    council,
):
    people = make_people(council)
    committee, meeting = a_committee(council)
    expired = whole_inspection(council, people, committee, meeting, closed_at=at(2010, 1, 4))
    later = make_plan(council, people=people, previous_inspection=expired.plan.inspection)
    later.screening.finding.repeat_of_id = expired.plan.screening.finding.id
    db.session.commit()
    later_id, finding_id = later.inspection.id, later.screening.finding.id

    _remove_when_due(TODAY)

    later_inspection = db.session.get(Inspection, later_id)
    assert later_inspection.previous_inspection_id is None
    finding = later_inspection.findings[[f.id for f in later_inspection.findings].index(
        finding_id)]
    assert finding.repeat_of_id is None
    assert finding.is_repeat  # the letter's own sentence still says so


def test_the_history_stays_append_only_outside_a_removal(council):
    plan = make_plan(council)
    db.session.commit()
    with pytest.raises(DBAPIError, match="never changed or removed"):
        db.session.execute(delete(HistoryEntry).where(HistoryEntry.item_id == plan.screening.id))
    db.session.rollback()
    with pytest.raises(DBAPIError, match="never changed or removed"):
        db.session.execute(text("UPDATE history_entry SET text = 'x'"))
    db.session.rollback()


def test_the_record_of_removals_is_shown_to_administrators(client, council):
    people = make_people(council)
    committee, meeting = a_committee(council)
    whole_inspection(council, people, committee, meeting, closed_at=at(2010, 1, 4))
    _remove_when_due(TODAY)
    sign_in_as(client, people.admin)
    page = client.get("/admin/data-protection").get_data(as_text=True)
    assert "Annual unannounced inspection" in page
    assert "Removed by the scheduler" in page
    assert client.get("/admin/data-protection").status_code == 200
    sign_in_as(client, people.lead)
    assert client.get("/admin/data-protection").status_code == 403
