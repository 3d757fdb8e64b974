"""The snapshot: plain data, worded once, that every format renders."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime

from tests.audit.renaming import rename_labels_and_dates
from tests.factories import CommitteeFactory, CommitteeMeetingFactory
from tests.reports.conftest import RULES, at
from tracker import clock
from tracker.extensions import db
from tracker.items import service as items
from tracker.items.models import ActionStatus
from tracker.reports.document import Bullets, Chart, Heading, Para, Snapshot, Table, clean
from tracker.reports.service import draft_snapshot, issue_report
from tracker.reports.snapshot import days_text, in_sentence


def _draft(known, now=None):
    now = now or clock.now()
    return draft_snapshot(known.committee, today=now.date(), now=now, rules=RULES)


def _section(snapshot, number):
    return next(s for s in snapshot.sections + snapshot.appendices if s.number == number)


def _bullets(section, label):
    return [b.text for block in section.blocks if isinstance(block, Bullets)
            and block.label == label for b in block.items]


def test_snapshot_holds_only_plain_data_and_survives_json_unchanged(known):
    snapshot = _draft(known)
    text = snapshot.to_json()
    assert Snapshot.from_json(text) == snapshot
    assert Snapshot.from_json(text).to_json() == text

    def plain(value):
        if dataclasses.is_dataclass(value):
            return all(plain(v) for v in vars(value).values())
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return value is None or isinstance(value, str | int | float | date)

    assert plain(snapshot)
    assert json.loads(text)["version"] is None


def test_title_block_uses_the_next_meeting_and_the_one_after_for_the_next_report(known):
    snapshot = _draft(known)
    assert snapshot.committee_name == "Children, Young People and Learning Scrutiny Committee"
    assert snapshot.report_of == "Report of the Executive Director of Children's Services"
    assert snapshot.meeting_date == date(2026, 12, 10)
    assert snapshot.next_report_date == date(2027, 2, 11)
    assert snapshot.title == ("Progress on the improvement plan: Annual unannounced inspection "
                              "of contact, referral and assessment arrangements")
    known.committee.report_title = "Contact, referral and assessment: progress"
    assert _draft(known).title == "Contact, referral and assessment: progress"


def test_sections_are_numbered_and_paragraphs_carry_their_numbers(known):
    snapshot = _draft(known)
    assert [s.heading for s in snapshot.sections] == [
        "1. Why has this report come to the Committee?",
        "2. Background: the inspection",
        "3. Current position",
        "4. Areas for priority action and areas for development",
        "5. How we are addressing them",
        "6. Next steps",
        "7. Conclusion",
    ]
    for section in snapshot.sections:
        numbers = [b.number for b in section.blocks if isinstance(b, Para | Heading) and b.number]
        assert numbers == [f"{section.number}.{n}" for n in range(1, len(numbers) + 1)]


def test_items_run_priority_action_first_with_their_status_and_the_reason(known):
    addressing = _section(_draft(known), "5")
    headings = [b for b in addressing.blocks if isinstance(b, Heading) and b.number]
    # Only areas for priority action and items off track are set out in section 5 …
    assert [(h.number, h.text, h.flags) for h in headings] == [
        ("5.1", "Timeliness of contact screening", ["Area for priority action", "Repeat finding"]),
    ]
    statuses = [b.text for b in addressing.blocks if isinstance(b, Para) and b.label == "Status:"]
    assert statuses == ["Red. An action is 21 days overdue (more than 14 days)."]
    # … the rest are in appendix A in brief, with their state and its reason.
    in_brief = next(b for b in _draft(known).appendices[0].blocks if isinstance(b, Table))
    assert [row[0] for row in in_brief.rows] == ["5.1", "5.2"]
    assert in_brief.rows[1][3] == "Green. All actions are on track."


def test_current_position_counts_items_by_rag_and_actions_by_state(known):
    position = _section(_draft(known), "3")
    texts = [b.text for b in position.blocks if isinstance(b, Para)]
    assert ("The Committee follows two tracked items. As at 22 November 2026, one is Red and "
            "one Green. Figure 1 and the table below show them by status and priority.") in texts
    assert "Of the five actions, one is complete, three are on track and one is overdue." in texts
    assert "One action has had its due date extended (one time in all)." in texts
    table = next(b for b in position.blocks if isinstance(b, Table))
    assert [column.title for column in table.columns] == [
        "Priority", "Not planned", "Red", "Amber", "Green", "Awaiting evidence",
        "Awaiting sign-off", "Complete", "Total"]
    assert table.rows == [["High", "0", "1", "0", "0", "0", "0", "0", "1"],
                          ["Medium", "0", "0", "0", "1", "0", "0", "0", "1"],
                          ["Low", "0", "0", "0", "0", "0", "0", "0", "0"],
                          ["All items", "0", "1", "0", "1", "0", "0", "0", "2"]]


def test_trend_counts_each_month_end_from_the_history(known):
    position = _section(_draft(known), "3")
    trend = next(b for b in position.blocks if isinstance(b, Chart) and b.chart == "trend")
    assert trend.labels == ["Aug 2026", "Sep 2026", "Oct 2026", "Today"]
    # 31 August: nothing done; 30 September: the workshop complete; 22 November: the rota is
    # overdue (due 1 November), so its item is too.
    assert trend.series["actions_complete"] == [0, 1, 1, 1]
    assert trend.series["actions_overdue"] == [0, 0, 0, 1]
    assert trend.series["actions_on_time"] == [5, 4, 4, 3]
    assert trend.series["items_overdue"] == [0, 0, 0, 1]
    assert trend.series["items_on_time"] == [2, 2, 2, 1]


def test_next_steps_lists_what_falls_due_before_the_meeting_that_gets_the_next_report(known):
    steps = _section(_draft(known), "6")
    due = [b.text for block in steps.blocks if isinstance(block, Bullets) for b in block.items]
    # Only for areas for priority action and items off track (5.2 is neither).
    assert due == [
        "Themed case file audit of children's views (5.1), due 15 January 2027; owner: Jo "
        "Partner (Northshire Police)",
    ]


def test_changes_since_the_last_issued_report_come_from_the_history(known):
    first = issue_report(known.committee, actor=known.admin, now=at(2026, 11, 1), rules=RULES)
    db.session.commit()
    items.update_action(known.sign_off, actor=known.lead, now=at(2026, 11, 10),
                        expected_version=None, status=ActionStatus.COMPLETE,
                        commentary="Done early", evidence_link="")
    items.change_due_date(known.sample, actor=known.lead, now=at(2026, 11, 12),
                          new_date=date(2027, 4, 1), reason="Waiting for the new system")
    items.add_action(known.assessments, actor=known.lead, now=at(2026, 11, 15),
                     description="Practice week on assessments", owner=known.lead,
                     due_date=date(2027, 1, 20))
    db.session.commit()
    changes = _section(_draft(known), "C")
    assert changes.blocks[0].text.startswith(
        f"What has changed between the issue of version {first.version} on 1 November 2026 "
        f"and 22 November 2026")
    assert _bullets(changes, "Actions completed:") == [
        "Assessment sign-off arrangements reviewed (5.2), 10 November 2026"]
    assert _bullets(changes, "Due dates moved:") == [
        "Audit of 30 assessments (5.2): from 1 March 2027 to 1 April 2027. Reason: Waiting "
        "for the new system"]
    assert _bullets(changes, "New actions:") == [
        "Practice week on assessments (5.2), due 20 January 2027"]
    # Nothing from before the last report is repeated.
    assert "Analysis workshop held" not in json.dumps(dataclasses.asdict(changes))


def test_an_item_whose_rag_changed_since_the_last_report_is_listed(known):
    with_time = datetime(2026, 10, 25, 12, 0, tzinfo=UTC)
    issue_report(known.committee, actor=known.admin, now=with_time, rules=RULES)
    db.session.commit()
    # On 25 October the rota (due 1 November) was not overdue: item 5.1 was Green then.
    changes = _section(_draft(known), "C")
    assert _bullets(changes, "Status changes:") == [
        "5.1 Timeliness of contact screening: from Green to Red"]


def test_first_report_says_there_is_nothing_to_compare_with(known):
    changes = _section(_draft(known), "C")
    assert changes.blocks[0].text.startswith("This is the first progress report issued")


def test_a_committee_with_no_inspections_still_gets_a_readable_report(app, council):
    committee = CommitteeFactory(council_id=council.id, name="New Committee")
    CommitteeMeetingFactory(committee=committee)
    snapshot = draft_snapshot(committee, today=clock.today(), now=clock.now(), rules=RULES)
    why = snapshot.sections[0].blocks[0].text
    assert "No inspection has been chosen for the Committee yet" in why
    assert snapshot.appendices[0].blocks[0].text == "No item is open."
    assert snapshot.contact is None
    assert snapshot.sections[-1].blocks[-1].label == "Recommendation:"


def test_helpers_write_dates_and_titles_as_a_person_would():
    assert days_text([date(2011, 10, 19), date(2011, 10, 18)]) == "18 and 19 October 2011"
    assert days_text([date(2026, 6, 30), date(2026, 7, 1)]) == "30 June and 1 July 2026"
    assert days_text([date(2025, 12, 31), date(2026, 1, 1)]) == (
        "31 December 2025 and 1 January 2026")
    assert in_sentence("Annual unannounced inspection") == "annual unannounced inspection"
    assert in_sentence("ILACS inspection") == "ILACS inspection"
    assert clean("  a\x0bb\r\nc\x00 ") == "ab\nc"


def test_renaming_a_label_or_the_date_format_changes_no_figure_of_the_trend_or_the_changes(
    known, monkeypatch,
):
    issue_report(known.committee, actor=known.admin, now=at(2026, 11, 1), rules=RULES)
    items.update_action(known.sign_off, actor=known.lead, now=at(2026, 11, 10),
                        expected_version=None, status=ActionStatus.COMPLETE,
                        commentary="Done early", evidence_link="")
    items.update_action(known.sample, actor=known.lead, now=at(2026, 11, 11),
                        expected_version=None, status=ActionStatus.IN_PROGRESS,
                        commentary="Sample chosen", evidence_link="")
    items.change_due_date(known.sample, actor=known.lead, now=at(2026, 11, 12),
                          new_date=date(2027, 4, 1), reason="Waiting for the new system")
    db.session.commit()
    before = _draft(known)

    # A later version renames every status label and writes dates another way.
    rename_labels_and_dates(monkeypatch)
    after = _draft(known)

    def trend_of(snapshot):
        chart = next(b for b in _section(snapshot, "3").blocks
                     if isinstance(b, Chart) and b.chart == "trend")
        return chart.labels, chart.series

    assert trend_of(after) == trend_of(before)
    assert trend_of(after)[1]["actions_complete"] == [0, 1, 1, 2]

    def changes_of(snapshot):
        return {block.label: len(block.items) for block in _section(snapshot, "C").blocks
                if isinstance(block, Bullets)}

    assert changes_of(after) == changes_of(before) == {
        "Actions completed:": 1, "Other changes of status:": 1, "Due dates moved:": 1,
        "Status changes:": 1}
    # The words follow the new labels and date format.
    assert _bullets(_section(after, "C"), "Due dates moved:") == [
        "Audit of 30 assessments (5.2): from 2027/03/01 to 2027/04/01. Reason: Waiting for "
        "the new system"]
    assert _bullets(_section(after, "C"), "Other changes of status:") == [
        "Audit of 30 assessments (5.2): from [not started] to [in progress]. Sample chosen"]
