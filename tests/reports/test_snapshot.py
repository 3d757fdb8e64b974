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
from tracker.reports.snapshot import PreviousReport, build_snapshot, days_text, in_sentence


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


def test_items_off_track_and_priority_actions_are_set_out_with_what_was_done_and_is_due(known):
    addressing = _section(_draft(known), "5")
    table = next(b for b in addressing.blocks if isinstance(b, Table))
    assert [c.title for c in table.columns] == [
        "No.", "Item, lead officer and state", "Action taken",
        "Action planned before the next meeting"]
    # Only areas for priority action and items off track are set out in section 5 …
    assert table.rows == [[
        "5.1",
        "Timeliness of contact screening. Meg Lead. Red. Area for priority action and repeat "
        "finding.",
        "Analysis workshop held, September 2026.",
        "Daily screening rota in place, due 1 November 2026 (overdue); Themed case file audit "
        "of children's views, due 15 January 2027.",
    ]]
    # … the rest are in appendix A in brief, with their state and its reason.
    in_brief = next(b for b in _draft(known).appendices[0].blocks if isinstance(b, Table))
    assert [row[0] for row in in_brief.rows] == ["5.1", "5.2"]
    assert in_brief.rows[1][2] == "Green. All actions are on track."


def test_current_position_gives_a_small_table_of_the_inspection_now(known):
    position = _section(_draft(known), "3")
    texts = [b.text for b in position.blocks if isinstance(b, Para)]
    assert ("The Committee follows two items with five actions. Of the five actions not "
            "cancelled, one (20%) is complete, three on track and one overdue.") in texts
    table = next(b for b in position.blocks if isinstance(b, Table))
    assert table.caption == ("Annual unannounced inspection of contact, referral and "
                             "assessment arrangements (letter of 27 July 2026)")
    # The first paper: now only; states no item is in are left out.
    assert [column.title for column in table.columns] == ["Measure", "Now"]
    assert table.rows == [["Items Red", "1"], ["Items Green", "1"], ["Actions complete", "1"],
                          ["Actions on track", "3"], ["Actions overdue", "1"],
                          ["% of actions complete", "20%"], ["Date extensions granted", "1"]]
    # No chart of items by status repeats the table.
    assert [b.chart for b in position.blocks if isinstance(b, Chart)] == ["percent"]


def test_the_next_paper_compares_with_what_the_last_issued_paper_stored(known):
    issue_report(known.committee, actor=known.admin, now=at(2026, 11, 1), rules=RULES)
    db.session.commit()
    items.update_action(known.sign_off, actor=known.lead, now=at(2026, 11, 10),
                        expected_version=None, status=ActionStatus.COMPLETE,
                        commentary="Done early", evidence_link="")
    db.session.commit()
    table = next(b for b in _section(_draft(known), "3").blocks if isinstance(b, Table))
    assert [column.title for column in table.columns] == ["Measure", "Now", "Version 1"]
    rows = {row[0]: row[1:] for row in table.rows}
    # On 1 November item 5.1 was Green (the rota was not yet overdue): as the paper said.
    assert rows["Items Red"] == ["1", "0"]
    assert rows["Items Green"] == ["1", "2"]
    assert rows["Actions complete"] == ["2", "1"]
    assert rows["% of actions complete"] == ["40%", "20%"]


def test_the_paper_reads_the_last_papers_figures_as_stored_not_worked_out_again(known):
    report = issue_report(known.committee, actor=known.admin, now=at(2026, 11, 1), rules=RULES)
    db.session.commit()
    stored = json.loads(report.snapshot_json)["figures"]["inspections"]
    told = stored[str(known.inspection.id)]
    assert told["states"]["green"] == 2 and told["complete"] == 1


def test_a_paper_issued_before_figures_were_kept_gives_its_items_states_only(known):
    # An issued paper of before: its stored snapshot has each item's state, no figures.
    stored = {str(known.screening.id): "green", str(known.assessments.id): "green"}
    previous = PreviousReport(1, at(2026, 11, 1), stored)
    snapshot = build_snapshot(known.committee, today=clock.today(), now=clock.now(),
                              rules=RULES, previous=previous)
    table = next(b for b in _section(snapshot, "3").blocks if isinstance(b, Table))
    rows = {row[0]: row[1:] for row in table.rows}
    assert rows["Items Green"] == ["1", "2"]
    assert rows["% of actions complete"] == ["20%", "–"]


def test_trend_gives_the_percentage_of_actions_complete_at_each_month_end(known):
    position = _section(_draft(known), "3")
    trend = next(b for b in position.blocks if isinstance(b, Chart) and b.chart == "percent")
    assert trend.labels == ["Aug 2026", "Sep 2026", "Oct 2026", "Today"]
    # 31 August: nothing done; 30 September: the workshop complete, one of five.
    assert trend.series["complete"] == [0, 1, 1, 1]
    assert trend.series["actions"] == [5, 5, 5, 5]
    assert trend.series["percent"] == [0, 20, 20, 20]
    assert trend.alt.endswith("The bars read: August 2026, 0%; September 2026, 20%; October "
                              "2026, 20%; today, 20%.")


def test_next_steps_counts_what_falls_due_before_the_meeting_that_gets_the_next_report(known):
    steps = _section(_draft(known), "6")
    # Only for areas for priority action and items off track (5.2 is neither).
    assert steps.blocks[0].text == (
        "Before the Committee's meeting on 11 February 2027, when the next progress report is "
        "due, one action falls due for one item in section 5, which names it.")


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
        f"Between the issue of version {first.version} on 1 November 2026 and 22 November "
        f"2026, ")
    assert "one action was completed and one due date was moved" in changes.blocks[0].text
    table = next(b for b in changes.blocks if isinstance(b, Table))
    assert [c.title for c in table.columns] == [
        "No.", "Title", "Change of state and why", "Due dates moved", "Actions completed",
        "Signed off, added or cancelled"]
    rows = {row[0]: row for row in table.rows}
    assert rows["5.2"][3:] == ["1", "1", "Added: one action"]
    # Nothing from before the last report is repeated.
    assert "Analysis workshop held" not in json.dumps(dataclasses.asdict(changes))


def test_an_item_whose_state_changed_since_the_last_report_is_listed_with_the_reason(known):
    with_time = datetime(2026, 10, 25, 12, 0, tzinfo=UTC)
    issue_report(known.committee, actor=known.admin, now=with_time, rules=RULES)
    db.session.commit()
    # On 25 October the rota (due 1 November) was not overdue: item 5.1 was Green then.
    changes = _section(_draft(known), "C")
    table = next(b for b in changes.blocks if isinstance(b, Table))
    assert [row[:3] for row in table.rows] == [[
        "5.1", "Timeliness of contact screening",
        "From Green to Red: An action is 21 days overdue (more than 14 days)."]]
    assert changes.blocks[0].text.startswith(
        "Between the issue of version 1 on 25 October 2026 and 22 November 2026, one item "
        "changed state")


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
                     if isinstance(b, Chart) and b.chart == "percent")
        return chart.labels, chart.series

    assert trend_of(after) == trend_of(before)
    assert trend_of(after)[1]["complete"] == [0, 1, 1, 2]

    def changes_of(snapshot):
        table = next(b for b in _section(snapshot, "C").blocks if isinstance(b, Table))
        return [[row[0], *row[3:5]] for row in table.rows]

    assert changes_of(after) == changes_of(before)
    # The words follow the new labels and date format.
    summary = _section(after, "C").blocks[0].text
    assert "version 1 on 2026/11/01 and 2026/11/22" in summary


def test_the_snapshot_asks_the_database_the_same_number_of_times_however_many_items(known):
    """One statement per list (actions, their owners, their history), none per item or
    action: a plan with more items and actions, each with its own owner, costs no more."""
    from tests.factories import ActionFactory, FindingFactory, ItemFactory
    from tests.statements import recorded_statements

    def statements() -> int:
        db.session.expire_all()
        with recorded_statements() as sent:
            _draft(known)
        return len(sent)

    before = statements()
    for n in range(4):
        item = ItemFactory(finding=FindingFactory(inspection=known.inspection),
                           title=f"More work {n}")
        for day in (date(2026, 10, 1), date(2027, 1, 15), date(2027, 3, 1)):
            ActionFactory(item=item, due_date=day)
    db.session.commit()
    assert len(_draft(known).item_rags) > 4
    assert statements() == before
