from datetime import date

from tracker.items.models import ItemStatus, Rag
from tracker.items.status import ItemFacts, work_out_rag
from tracker.settings import default_settings

TODAY = date(2026, 11, 22)
RULES = default_settings().status_rules


def facts(**changes):
    values = {"status": ItemStatus.OPEN, "target_date": None}
    values.update(changes)
    return ItemFacts(**values)


def test_item_with_action_overdue_by_more_than_fourteen_days_is_red():
    result = work_out_rag(facts(earliest_open_due=date(2026, 11, 7)), TODAY, RULES)
    assert result.rag is Rag.RED
    assert "15 days overdue" in result.reason


def test_item_with_action_overdue_by_exactly_fourteen_days_is_amber():
    result = work_out_rag(facts(earliest_open_due=date(2026, 11, 8)), TODAY, RULES)
    assert result.rag is Rag.AMBER


def test_item_whose_target_date_has_passed_is_red():
    result = work_out_rag(facts(target_date=date(2026, 11, 21)), TODAY, RULES)
    assert result.rag is Rag.RED
    assert "21 November 2026" in result.reason


def test_action_due_soon_and_not_started_makes_item_amber():
    result = work_out_rag(facts(earliest_not_started_due=date(2026, 12, 6)), TODAY, RULES)
    assert result.rag is Rag.AMBER


def test_action_due_later_and_not_started_leaves_item_green():
    result = work_out_rag(facts(earliest_not_started_due=date(2026, 12, 7)), TODAY, RULES)
    assert result.rag is Rag.GREEN


def test_signed_off_item_is_complete_even_with_a_manual_override():
    result = work_out_rag(
        facts(status=ItemStatus.COMPLETE, rag_override=Rag.RED, rag_override_reason="x"),
        TODAY,
        RULES,
    )
    assert result.rag is Rag.COMPLETE


def test_manual_override_wins_over_the_rule_and_shows_its_reason():
    result = work_out_rag(
        facts(earliest_open_due=date(2026, 1, 1), rag_override=Rag.AMBER,
              rag_override_reason="Audit done; write-up delayed by sickness"),
        TODAY,
        RULES,
    )
    assert result.rag is Rag.AMBER
    assert result.overridden
    assert "write-up delayed" in result.reason
