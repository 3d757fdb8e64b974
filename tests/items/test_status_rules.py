from datetime import date

import pytest

from tracker.items.models import ItemStatus, Rag
from tracker.items.status import (
    ItemFacts,
    ItemState,
    ShownStatus,
    status_rule_in_words,
    work_out_status,
)
from tracker.settings import default_settings

TODAY = date(2026, 11, 22)
RULES = default_settings().status_rules


def facts(**changes):
    """An open item with a lead officer and one open action, changed as a test needs."""
    values = {"status": ItemStatus.OPEN, "target_date": None, "has_lead_officer": True,
              "open_actions": 1, "complete_actions": 0, "cancelled_actions": 0,
              "earliest_open_due": date(2027, 3, 1), "tracked_since": date(2026, 10, 30)}
    values.update(changes)
    return ItemFacts(**values)


def status(**changes):
    return work_out_status(facts(**changes), TODAY, RULES)


def test_item_with_action_overdue_by_more_than_fourteen_days_is_red():
    result = status(earliest_open_due=date(2026, 11, 7))
    assert result.state is ItemState.IN_DELIVERY
    assert result.rag is Rag.RED
    assert "15 days overdue" in result.reason


def test_item_with_action_overdue_by_exactly_fourteen_days_is_amber():
    assert status(earliest_open_due=date(2026, 11, 8)).rag is Rag.AMBER


def test_item_whose_target_date_has_passed_is_red():
    result = status(target_date=date(2026, 11, 21))
    assert result.rag is Rag.RED
    assert "21 November 2026" in result.reason


def test_action_due_soon_and_not_started_makes_item_amber():
    assert status(earliest_not_started_due=date(2026, 12, 6)).rag is Rag.AMBER


def test_action_due_later_and_not_started_leaves_item_green():
    result = status(earliest_not_started_due=date(2026, 12, 7))
    assert result.rag is Rag.GREEN
    assert result.shown is ShownStatus.GREEN
    assert result.label == "Green"


def test_signed_off_item_is_complete_even_with_a_manual_override():
    result = status(status=ItemStatus.COMPLETE, rag_override=Rag.RED, rag_override_reason="x")
    assert result.state is ItemState.COMPLETE
    assert result.rag is None
    assert result.shown is ShownStatus.COMPLETE


def test_manual_override_wins_over_the_rule_and_shows_its_reason():
    result = status(earliest_open_due=date(2026, 1, 1), rag_override=Rag.AMBER,
                    rag_override_reason="Audit done; write-up delayed by sickness")
    assert result.rag is Rag.AMBER
    assert result.overridden
    assert result.label == "Amber (set by hand)"
    assert "write-up delayed" in result.reason


def test_an_item_marked_complete_awaits_sign_off_whatever_its_dates_say():
    result = status(status=ItemStatus.AWAITING_SIGN_OFF, open_actions=0, complete_actions=2,
                    earliest_open_due=None, target_date=date(2026, 1, 1))
    assert result.state is ItemState.AWAITING_SIGN_OFF
    assert result.rag is None
    assert result.label == "Awaiting sign-off"


def test_an_item_with_every_action_done_is_delivered_awaiting_evidence_of_impact():
    result = status(open_actions=0, complete_actions=3, earliest_open_due=None,
                    target_date=date(2026, 1, 1))
    assert result.state is ItemState.DELIVERED
    assert result.label == "Delivered, awaiting evidence of impact"
    assert result.reason == ("All 3 actions are complete; the outcome is not yet evidenced "
                             "and signed off.")


def test_a_delivered_item_counts_its_cancelled_actions_in_the_reason():
    result = status(open_actions=0, complete_actions=1, cancelled_actions=2,
                    earliest_open_due=None)
    assert result.state is ItemState.DELIVERED
    assert result.reason.startswith("1 action is complete and 2 cancelled;")


def test_delivered_comes_before_not_planned_even_without_a_lead_officer():
    result = status(has_lead_officer=False, open_actions=0, complete_actions=1,
                    earliest_open_due=None)
    assert result.state is ItemState.DELIVERED


def test_an_item_sent_back_at_sign_off_is_delivered_again_with_the_reason_it_was_sent_back():
    result = status(open_actions=0, complete_actions=2, earliest_open_due=None,
                    sent_back_reason="The audit covers one team only.",
                    sent_back_on=date(2026, 11, 20))
    assert result.state is ItemState.DELIVERED
    assert result.reason.endswith(
        "Sent back at sign-off on 20 November 2026: The audit covers one team only.")


def test_an_item_sent_back_whose_action_is_reopened_shows_its_rag_with_the_reason():
    result = status(sent_back_reason="Needs a re-audit", sent_back_on=date(2026, 11, 20))
    assert result.state is ItemState.IN_DELIVERY
    assert result.rag is Rag.GREEN
    assert "Sent back at sign-off on 20 November 2026: Needs a re-audit." in result.reason


@pytest.mark.parametrize(("changes", "reason"), [
    ({"has_lead_officer": False},
     "No lead officer yet, 23 days after the finding was imported (30 October 2026)."),
    ({"open_actions": 0, "earliest_open_due": None},
     "No actions planned, 23 days after the finding was imported (30 October 2026)."),
    ({"open_actions": 0, "cancelled_actions": 2, "earliest_open_due": None},
     "Every action was cancelled, 23 days after the finding was imported (30 October 2026)."),
    ({"has_lead_officer": False, "open_actions": 0, "earliest_open_due": None},
     "No lead officer yet and no actions planned, 23 days after the finding was imported "
     "(30 October 2026)."),
    ({"has_lead_officer": False, "open_actions": 0, "earliest_open_due": None,
      "tracked_since": TODAY},
     "No lead officer yet and no actions planned, on the day the finding was imported."),
])
def test_an_item_with_no_lead_no_actions_or_only_cancelled_ones_is_not_planned(changes, reason):
    result = status(**changes)
    assert result.state is ItemState.NOT_PLANNED
    assert result.rag is None
    assert result.label == "Not planned"
    assert result.reason == reason


def test_not_planned_comes_before_a_rag_set_by_hand_and_a_passed_target_date():
    result = status(has_lead_officer=False, rag_override=Rag.GREEN, rag_override_reason="x",
                    target_date=date(2026, 1, 1))
    assert result.state is ItemState.NOT_PLANNED
    assert not result.overridden


def test_every_shown_status_has_words_a_colour_and_its_state():
    assert [s.label for s in ShownStatus] == [
        "Not planned", "Red", "Amber", "Green", "Delivered, awaiting evidence of impact",
        "Awaiting sign-off", "Complete"]
    assert len({s.colour for s in ShownStatus}) == len(ShownStatus)
    for state in ItemState:
        shown = ShownStatus.of_state(state)
        assert shown and all(s.state is state for s in shown)
    assert ShownStatus.of_state(ItemState.IN_DELIVERY) == [
        ShownStatus.RED, ShownStatus.AMBER, ShownStatus.GREEN]


def test_the_rule_in_words_names_every_state_in_the_order_it_is_checked():
    titles = [title for title, _text in status_rule_in_words(RULES)]
    assert titles == ["Complete", "Awaiting sign-off", "Delivered, awaiting evidence of impact",
                      "Not planned", "Set by hand", "Red", "Amber", "Green"]
