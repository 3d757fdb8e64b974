"""The rules for items and actions, called as the domain functions (no request needed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.factories import (
    ActionFactory,
    AdminFactory,
    FindingFactory,
    InspectionFactory,
    ItemFactory,
    UserFactory,
)
from tracker.audit.models import HistoryEntry, HistoryField, HistoryIsAppendOnly, HistoryKind
from tracker.errors import RuleBroken
from tracker.extensions import db
from tracker.inspections.models import FindingCategory
from tracker.inspections.service import statutory_clock
from tracker.items import queries, service
from tracker.items.models import ActionStatus, DueDateChangeState, ItemStatus, Priority, Rag
from tracker.items.queries import ItemFilters
from tracker.items.status import ItemState, ShownStatus, is_overdue, is_stale
from tracker.settings import default_settings

# Items from the factories are created on 1 August 2026 at 9am UTC (10am in the UK).
NOW = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
TODAY = date(2026, 9, 1)
RULES = default_settings().status_rules

pytestmark = pytest.mark.usefixtures("app")


def history(item, kind=None):
    query = (select(HistoryEntry).where(HistoryEntry.item_id == item.id)
             .order_by(HistoryEntry.id))
    if kind is not None:
        query = query.where(HistoryEntry.kind == kind)
    return list(db.session.scalars(query))


@pytest.fixture
def action():
    # The owner is a manager who is not the item's lead officer.
    return ActionFactory(due_date=date(2026, 12, 1))


# Due dates ---------------------------------------------------------------------------------


def test_lead_officer_moves_a_due_date_and_the_original_is_kept_and_extensions_counted(action):
    lead = action.item.lead_officer

    first = service.change_due_date(action, actor=lead, now=NOW, new_date=date(2027, 1, 15),
                                    reason="Audit team short-staffed in December")
    service.change_due_date(action, actor=lead, now=NOW, new_date=date(2027, 2, 1),
                            reason="Audit sample widened")

    assert first.state is DueDateChangeState.APPROVED
    assert action.due_date == date(2027, 2, 1)
    assert action.original_due_date == date(2026, 12, 1)
    assert action.date_moved
    assert service.extension_count(action) == 2
    changes = history(action.item, HistoryKind.DUE_DATE_CHANGE)
    assert [c.text for c in changes] == ["Audit team short-staffed in December",
                                         "Audit sample widened"]
    # Kept as dates, not as words (the words are made when shown).
    assert (changes[0].field, changes[0].old, changes[0].new) == (
        HistoryField.DUE_DATE, date(2026, 12, 1), date(2027, 1, 15))
    assert changes[0].new_value == "2027-01-15"


def test_admin_moves_a_due_date_at_once(action):
    admin = AdminFactory(council=action.item.finding.inspection.council)
    change = service.change_due_date(action, actor=admin, now=NOW, new_date=date(2027, 1, 15),
                                     reason="Agreed at the improvement board")
    assert change.state is DueDateChangeState.APPROVED
    assert action.due_date == date(2027, 1, 15)


def test_owner_who_is_not_the_lead_asks_and_the_date_waits_for_the_lead(action):
    change = service.change_due_date(action, actor=action.owner, now=NOW,
                                     new_date=date(2027, 1, 15),
                                     reason="Waiting for the new case recording system")

    assert change.state is DueDateChangeState.PENDING
    assert action.due_date == date(2026, 12, 1)
    assert service.pending_due_date_change(action) is change
    assert service.extension_count(action) == 0
    [request] = history(action.item, HistoryKind.DUE_DATE_REQUESTED)
    assert request.author_id == action.owner.id
    assert request.text == "Waiting for the new case recording system"


def test_lead_officer_approves_a_requested_date_and_it_takes_effect(action):
    lead = action.item.lead_officer
    change = service.change_due_date(action, actor=action.owner, now=NOW,
                                     new_date=date(2027, 1, 15), reason="New system late")

    service.decide_due_date_change(change, actor=lead, now=NOW, approve=True, note="")

    assert change.state is DueDateChangeState.APPROVED
    assert change.decided_by_id == lead.id
    assert action.due_date == date(2027, 1, 15)
    assert action.original_due_date == date(2026, 12, 1)
    assert service.extension_count(action) == 1
    assert service.pending_due_date_change(action) is None


def test_lead_officer_must_say_why_when_refusing_a_date_and_the_date_stays(action):
    lead = action.item.lead_officer
    change = service.change_due_date(action, actor=action.owner, now=NOW,
                                     new_date=date(2027, 1, 15), reason="New system late")

    with pytest.raises(RuleBroken) as refused_silently:
        service.decide_due_date_change(change, actor=lead, now=NOW, approve=False, note="  ")
    assert refused_silently.value.field == "note"
    assert change.state is DueDateChangeState.PENDING

    service.decide_due_date_change(change, actor=lead, now=NOW, approve=False,
                                   note="Use the paper audit tool meanwhile")

    assert change.state is DueDateChangeState.REFUSED
    assert change.decision_note == "Use the paper audit tool meanwhile"
    assert action.due_date == date(2026, 12, 1)
    assert service.extension_count(action) == 0
    [refusal] = history(action.item, HistoryKind.DUE_DATE_REFUSED)
    assert refusal.text == "Use the paper audit tool meanwhile"


@pytest.mark.parametrize("who", ["lead officer", "owner"])
def test_a_due_date_change_always_needs_a_reason(action, who):
    actor = action.item.lead_officer if who == "lead officer" else action.owner
    with pytest.raises(RuleBroken) as error:
        service.change_due_date(action, actor=actor, now=NOW, new_date=date(2027, 1, 15),
                                reason="   ")
    assert error.value.field == "reason"
    assert action.due_date == date(2026, 12, 1)
    assert action.due_date_changes == []


def test_a_due_date_before_the_inspections_letter_is_refused(action):
    # The letter of 27 July 2026; the item was recorded on 1 August 2026. A plan made since
    # the letter may hold dates before the item was recorded, not before the letter.
    lead = action.item.lead_officer
    with pytest.raises(RuleBroken) as error:
        service.change_due_date(action, actor=lead, now=NOW, new_date=date(2026, 7, 26),
                                reason="Backdating")
    assert error.value.field == "new_date"
    assert "27 July 2026, the date of the inspection's letter" in error.value.message
    assert action.due_date == date(2026, 12, 1)
    # The letter's day itself is allowed.
    service.change_due_date(action, actor=lead, now=NOW, new_date=date(2026, 7, 27),
                            reason="Done early")
    assert action.due_date == date(2026, 7, 27)


def test_a_new_action_due_before_the_inspections_letter_is_refused(action):
    with pytest.raises(RuleBroken) as error:
        service.add_action(action.item, actor=action.item.lead_officer, now=NOW,
                           description="Backdated", owner=action.owner,
                           due_date=date(2026, 7, 26))
    assert error.value.field == "due_date"
    assert len(action.item.actions) == 1


def test_without_a_letter_date_the_earliest_due_date_is_the_day_the_item_was_created(action):
    action.item.finding.inspection.letter_date = None
    with pytest.raises(RuleBroken, match="1 August 2026, when the item was created"):
        service.add_action(action.item, actor=action.item.lead_officer, now=NOW,
                           description="Backdated", owner=action.owner,
                           due_date=date(2026, 7, 31))


def test_a_second_request_by_someone_else_is_refused_while_one_is_pending(action):
    # (The asker's own second request replaces the first: tests/items/test_due_date_requests.py.)
    first_owner = action.owner
    service.change_due_date(action, actor=first_owner, now=NOW, new_date=date(2027, 1, 15),
                            reason="New system late")
    action.owner = UserFactory(council=first_owner.council)
    with pytest.raises(RuleBroken, match=f"{first_owner.name} has already asked"):
        service.change_due_date(action, actor=action.owner, now=NOW,
                                new_date=date(2027, 2, 15), reason="Even later")
    with pytest.raises(RuleBroken, match="approve or refuse that request first"):
        service.change_due_date(action, actor=action.item.lead_officer, now=NOW,
                                new_date=date(2027, 2, 15), reason="Moving it myself")
    assert len(action.due_date_changes) == 1


# Completion and sign-off -------------------------------------------------------------------


def test_marking_an_item_complete_needs_outcome_evidence(action):
    action.status = ActionStatus.COMPLETE
    with pytest.raises(RuleBroken) as error:
        service.mark_item_complete(action.item, actor=action.item.lead_officer, now=NOW,
                                   outcome_evidence="  ")
    assert error.value.field == "outcome_evidence"
    assert action.item.status is ItemStatus.OPEN


def test_marking_an_item_complete_needs_every_action_closed(action):
    item = action.item
    ActionFactory(item=item, status=ActionStatus.CANCELLED)
    with pytest.raises(RuleBroken, match="1 open action"):
        service.mark_item_complete(item, actor=item.lead_officer, now=NOW,
                                   outcome_evidence="Audit shows improvement")
    assert item.status is ItemStatus.OPEN

    action.status = ActionStatus.COMPLETE
    service.mark_item_complete(item, actor=item.lead_officer, now=NOW,
                               outcome_evidence="Audit shows improvement")
    assert item.status is ItemStatus.AWAITING_SIGN_OFF
    assert item.marked_complete_by_id == item.lead_officer.id


def test_the_person_who_marked_an_item_complete_cannot_sign_it_off(action):
    item = action.item
    action.status = ActionStatus.COMPLETE
    service.mark_item_complete(item, actor=item.lead_officer, now=NOW,
                               outcome_evidence="Audit shows improvement")
    with pytest.raises(RuleBroken, match="Someone other than"):
        service.sign_off_item(item, actor=item.lead_officer, now=NOW)
    assert item.status is ItemStatus.AWAITING_SIGN_OFF
    assert queries.status_of(item, TODAY, RULES).state is ItemState.AWAITING_SIGN_OFF


def test_another_person_signs_off_and_the_item_is_complete(action):
    item = action.item
    admin = AdminFactory(council=item.finding.inspection.council)
    action.status = ActionStatus.COMPLETE
    service.mark_item_complete(item, actor=item.lead_officer, now=NOW,
                               outcome_evidence="Audit shows improvement")
    service.sign_off_item(item, actor=admin, now=NOW, comment="Seen the audit")

    assert item.status is ItemStatus.COMPLETE
    assert item.signed_off_by_id == admin.id
    assert queries.status_of(item, TODAY, RULES).state is ItemState.COMPLETE
    [sign_off] = history(item, HistoryKind.SIGN_OFF)
    assert sign_off.author_id == admin.id


# RAG override and the history --------------------------------------------------------------


def test_a_rag_override_needs_a_reason(action):
    item = action.item
    with pytest.raises(RuleBroken) as error:
        service.override_rag(item, actor=item.lead_officer, now=NOW, rag=Rag.RED, reason=" ")
    assert error.value.field == "reason"
    assert item.rag_override is None
    assert history(item, HistoryKind.RAG_OVERRIDE) == []


def test_a_rag_override_is_shown_and_kept_in_the_history_and_can_be_cleared(action):
    item = action.item
    lead = item.lead_officer
    assert queries.status_of(item, TODAY, RULES).rag is Rag.GREEN

    service.override_rag(item, actor=lead, now=NOW, rag=Rag.RED,
                         reason="Social worker vacancies threaten the plan")
    result = queries.status_of(item, TODAY, RULES)
    assert result.rag is Rag.RED
    assert result.overridden
    assert "Social worker vacancies" in result.reason

    service.override_rag(item, actor=lead, now=NOW, rag=None, reason="Vacancies filled")
    assert item.rag_override is None
    assert queries.status_of(item, TODAY, RULES).rag is Rag.GREEN
    set_by_hand, cleared = history(item, HistoryKind.RAG_OVERRIDE)
    assert (set_by_hand.new, set_by_hand.text) == (
        Rag.RED, "Social worker vacancies threaten the plan")
    # No value is the rule's own (shown as "Worked out by the rule").
    assert (cleared.old, cleared.new) == (Rag.RED, None)
    assert cleared.author_id == lead.id


def test_complete_cannot_be_set_by_hand_nor_can_a_rag_hide_an_item_that_is_not_planned(action):
    # Complete comes only from marking the item complete and its sign-off: a RAG is red,
    # amber or green.
    assert {rag.value for rag in Rag} == {"red", "amber", "green"}
    item = ItemFactory(finding__inspection=action.item.finding.inspection)
    service.override_rag(item, actor=item.lead_officer, now=NOW, rag=Rag.GREEN,
                         reason="Looks fine")
    result = queries.status_of(item, TODAY, RULES)
    assert result.state is ItemState.NOT_PLANNED
    assert not result.overridden


def test_a_history_entry_cannot_be_edited(action):
    service.update_action(action, actor=action.owner, now=NOW, expected_version=None,
                          status=ActionStatus.IN_PROGRESS, commentary="Started",
                          evidence_link="")
    db.session.commit()
    [entry] = history(action.item, HistoryKind.STATUS_CHANGE)
    entry.text = "Rewritten later"
    with pytest.raises(HistoryIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert history(action.item, HistoryKind.STATUS_CHANGE)[0].text == "Started"


def test_a_history_entry_cannot_be_deleted(action):
    service.update_action(action, actor=action.owner, now=NOW, expected_version=None,
                          status=ActionStatus.IN_PROGRESS, commentary="Started",
                          evidence_link="")
    db.session.commit()
    [entry] = history(action.item, HistoryKind.STATUS_CHANGE)
    db.session.delete(entry)
    with pytest.raises(HistoryIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert len(history(action.item, HistoryKind.STATUS_CHANGE)) == 1


# Stale and overdue -------------------------------------------------------------------------


def test_an_item_not_updated_for_more_than_thirty_days_is_flagged_as_not_updated():
    last = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
    assert not is_stale(last, last + timedelta(days=30), RULES)
    assert is_stale(last, last + timedelta(days=30, minutes=1), RULES)
    assert not is_stale(last, last + timedelta(days=44), replace(RULES, stale_after_days=45))


def test_the_items_list_marks_an_item_not_updated_for_a_month(council):
    forgotten = ItemFactory(finding__inspection__council=council)
    recent = ItemFactory(finding__inspection__council=council,
                         last_updated_at=NOW - timedelta(days=2))
    page = queries.find_items(council.id, ItemFilters(), today=TODAY, now=NOW, rules=RULES)
    stale = {row.item.id: row.stale for row in page.rows}
    # Created on 1 August and untouched since: 31 days by 1 September.
    assert stale == {forgotten.id: True, recent.id: False}


def test_an_update_clears_the_not_updated_flag(action):
    council = action.item.finding.inspection.council
    service.update_action(action, actor=action.owner, now=NOW, expected_version=None,
                          status=ActionStatus.IN_PROGRESS, commentary="Started",
                          evidence_link="")
    page = queries.find_items(council.id, ItemFilters(), today=TODAY, now=NOW, rules=RULES)
    assert [row.stale for row in page.rows] == [False]


def test_an_action_due_yesterday_and_in_progress_is_overdue_but_a_complete_one_is_not(council):
    yesterday = TODAY - timedelta(days=1)
    assert is_overdue(ActionStatus.IN_PROGRESS, yesterday, TODAY)
    assert is_overdue(ActionStatus.NOT_STARTED, yesterday, TODAY)
    assert not is_overdue(ActionStatus.COMPLETE, yesterday, TODAY)
    assert not is_overdue(ActionStatus.CANCELLED, yesterday, TODAY)
    assert not is_overdue(ActionStatus.IN_PROGRESS, TODAY, TODAY)

    item = ItemFactory(finding__inspection__council=council)
    late = ActionFactory(item=item, due_date=yesterday, status=ActionStatus.IN_PROGRESS)
    ActionFactory(item=item, due_date=yesterday, status=ActionStatus.COMPLETE)
    ActionFactory(item=item, due_date=TODAY, status=ActionStatus.IN_PROGRESS)
    assert [line.id for line in queries.overdue_actions(council.id, TODAY)] == [late.id]
    assert queries.council_summary(council.id, TODAY, RULES).overdue_actions == 1



def test_the_dashboard_lists_the_longest_overdue_actions_first_whatever_their_status(council):
    item = ItemFactory(finding__inspection__council=council, lead_officer=None)
    owner = UserFactory(council=council, name="Sam Owner", organisation="Northshire Police")
    late = {}
    for days, status in ((9, ActionStatus.IN_PROGRESS), (7, ActionStatus.NOT_STARTED),
                         (5, ActionStatus.IN_PROGRESS), (3, ActionStatus.NOT_STARTED),
                         (1, ActionStatus.IN_PROGRESS)):
        late[days] = ActionFactory(item=item, due_date=TODAY - timedelta(days=days),
                                   status=status, owner=owner if days == 9 else None)
    ActionFactory(item=item, due_date=TODAY - timedelta(days=20), status=ActionStatus.COMPLETE)
    ActionFactory(item=ItemFactory(), due_date=TODAY - timedelta(days=30),
                  status=ActionStatus.IN_PROGRESS)  # another council's

    three = queries.overdue_actions(council.id, TODAY, limit=3)
    assert [line.id for line in three] == [late[9].id, late[7].id, late[5].id]
    assert [line.owner for line in three] == ["Sam Owner (Northshire Police)", None, None]
    assert [line.id for line in queries.overdue_actions(council.id, TODAY)] == [
        late[days].id for days in (9, 7, 5, 3, 1)]
    assert queries.council_summary(council.id, TODAY, RULES).overdue_actions == 5

    mine = queries.overdue_actions_owned_by(owner, TODAY, limit=10)
    assert [line.id for line in mine.rows] == [late[9].id] and mine.total == 1

# The items list's filters ------------------------------------------------------------------


@pytest.fixture
def three_items(council):
    """A red item (target date passed), an amber one (an action 3 days late), a green one."""
    lead = UserFactory(council=council)
    owner = UserFactory(council=council)
    red = ItemFactory(finding__inspection__council=council, lead_officer=lead,
                      priority=Priority.HIGH, target_date=date(2026, 8, 31),
                      title="Timeliness of assessments")
    ActionFactory(item=red, due_date=date(2026, 12, 1), status=ActionStatus.IN_PROGRESS)
    amber = ItemFactory(finding__inspection__council=council, priority=Priority.MEDIUM,
                        title="Strategy meetings")
    ActionFactory(item=amber, owner=owner, due_date=TODAY - timedelta(days=3),
                  status=ActionStatus.IN_PROGRESS)
    green = ItemFactory(finding__inspection__council=council, priority=Priority.LOW,
                        title="Return interviews for missing children",
                        finding__text="Return home interviews are not always offered.")
    ActionFactory(item=green, due_date=date(2027, 3, 1), status=ActionStatus.IN_PROGRESS)
    # Another council's item must never show.
    ItemFactory(title="Return interviews elsewhere", priority=Priority.LOW)
    return {"red": red, "amber": amber, "green": green, "lead": lead, "owner": owner}


def found(council, **filters):
    page = queries.find_items(council.id, ItemFilters(**filters), today=TODAY, now=NOW,
                              rules=RULES)
    return [row.item.id for row in page.rows]


def test_the_items_list_shows_the_most_urgent_first(council, three_items):
    ids = {name: three_items[name].id for name in ("red", "amber", "green")}
    assert found(council) == [ids["red"], ids["amber"], ids["green"]]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"rag": Rag.RED}, ["red"]),
        ({"rag": Rag.AMBER}, ["amber"]),
        ({"rag": Rag.GREEN}, ["green"]),
        ({"priority": Priority.LOW}, ["green"]),
        ({"priority": Priority.HIGH}, ["red"]),
        ({"overdue_only": True}, ["amber"]),
        ({"text": "missing children"}, ["green"]),
        ({"text": "RETURN HOME"}, ["green"]),  # the finding's words, any case
        ({"text": "nothing like this"}, []),
    ],
)
def test_the_items_list_filters_find_the_right_items(council, three_items, filters, expected):
    assert found(council, **filters) == [three_items[name].id for name in expected]


def test_the_items_list_filters_by_lead_officer_or_action_owner(council, three_items):
    assert found(council, owner_id=three_items["lead"].id) == [three_items["red"].id]
    assert found(council, owner_id=three_items["owner"].id) == [three_items["amber"].id]


def test_a_search_for_a_percentage_finds_only_items_that_mention_it(council, three_items):
    target = ItemFactory(finding__inspection__council=council,
                         title="95% of plans audited on time")
    assert found(council, text="95%") == [target.id]
    assert found(council, text="%") == [target.id]
    assert found(council, text="_") == []


def test_the_items_list_counts_items_by_rag_before_the_rag_filter(council, three_items):
    page = queries.find_items(council.id, ItemFilters(rag=Rag.RED), today=TODAY, now=NOW,
                              rules=RULES)
    assert page.total == 1
    assert page.counts == {ShownStatus.RED: 1, ShownStatus.AMBER: 1, ShownStatus.GREEN: 1}


# The statutory clock -----------------------------------------------------------------------


def inspection_with(letter_date, *categories):
    inspection = InspectionFactory(letter_date=letter_date)
    for category in categories:
        FindingFactory(inspection=inspection, category=category)
    db.session.refresh(inspection)
    return inspection


def test_the_statutory_clock_skips_weekends_and_the_christmas_bank_holidays():
    # Letter dated Monday 22 December 2025. Counting the working days after it:
    #   Tue 23, Wed 24 Dec ............................. 1-2
    #   Thu 25 (Christmas), Fri 26 (Boxing Day) ......... bank holidays, not counted
    #   Mon 29, Tue 30, Wed 31 Dec ..................... 3-5
    #   Thu 1 Jan 2026 (New Year's Day) ................ bank holiday, not counted
    #   Fri 2 Jan ...................................... 6
    #   5-9 Jan, 12-16 Jan ............................. 7-16
    #   Mon 19 - Thu 22 Jan ............................ 17-20  -> draft due Thu 22 January
    #   Fri 23 Jan ..................................... 21
    #   nine full weeks, 26 Jan - 27 Mar ............... 22-66
    #   Mon 30 Mar - Thu 2 Apr ......................... 67-70  -> plan due Thu 2 April
    inspection = inspection_with(date(2025, 12, 22), FindingCategory.PRIORITY_ACTION,
                                 FindingCategory.AREA_FOR_DEVELOPMENT)
    draft, plan = statutory_clock(inspection, date(2025, 12, 22))
    assert draft.due == date(2026, 1, 22)
    assert draft.working_days_left == 20
    assert plan.due == date(2026, 4, 2)
    assert plan.working_days_left == 70
    assert "priority action" in draft.what
    assert plan.what == "Action plan"


def test_without_an_area_for_priority_action_only_the_plan_is_due():
    inspection = inspection_with(date(2025, 12, 22), FindingCategory.AREA_FOR_DEVELOPMENT)
    [plan] = statutory_clock(inspection, date(2026, 1, 5))
    assert plan.due == date(2026, 4, 2)
    # Mon 5 January is working day 7 of the 70 (see the count above): 63 are left.
    assert plan.working_days_left == 63


def test_a_passed_deadline_shows_as_passed():
    inspection = inspection_with(date(2025, 12, 22), FindingCategory.PRIORITY_ACTION)
    draft, plan = statutory_clock(inspection, date(2026, 1, 23))
    assert draft.passed
    assert draft.working_days_left == -1
    assert not plan.passed


def test_the_clock_stops_once_the_plan_is_marked_submitted():
    inspection = inspection_with(date(2025, 12, 22), FindingCategory.PRIORITY_ACTION)
    inspection.plan_submitted_on = date(2026, 3, 30)
    assert statutory_clock(inspection, date(2026, 3, 31)) == []


def test_the_theme_filter_offers_each_theme_of_the_councils_items_once_in_order():
    ours, theirs = InspectionFactory(), InspectionFactory()
    for theme in ("Workforce", "", "Assessment", "Workforce", "Care leavers", "Assessment"):
        ItemFactory(finding=FindingFactory(inspection=ours), theme=theme)
    # Another council's themes are not offered, even one that sorts between ours.
    for theme in ("Adoption", "Bank staff", "Youth justice"):
        ItemFactory(finding=FindingFactory(inspection=theirs), theme=theme)
    db.session.flush()

    assert queries.themes_in_use(ours.council_id) == ["Assessment", "Care leavers",
                                                      "Workforce"]
    assert queries.themes_in_use(theirs.council_id) == ["Adoption", "Bank staff",
                                                        "Youth justice"]
    assert queries.themes_in_use(InspectionFactory().council_id) == []
