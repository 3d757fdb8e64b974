"""Month-end counts worked out from the history, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tracker.items.models import ActionStatus
from tracker.reports.charts import figure_for, nice_step, to_png, to_svg
from tracker.reports.document import Chart
from tracker.reports.trend import ActionHistory, ItemHistory, month_ends, point_at, trend


def _at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_month_ends_run_from_the_first_month_to_the_month_before_today():
    assert month_ends(date(2026, 10, 15), date(2027, 1, 3)) == [
        date(2026, 10, 31), date(2026, 11, 30), date(2026, 12, 31)]
    assert month_ends(date(2026, 1, 1), date(2027, 1, 3), most=2) == [
        date(2026, 11, 30), date(2026, 12, 31)]
    assert month_ends(date(2026, 11, 2), date(2026, 11, 20)) == []


def test_an_action_has_the_status_its_history_gave_it_at_each_moment():
    action = ActionHistory(
        created_at=_at(date(2026, 8, 1)), status=ActionStatus.COMPLETE,
        due_date=date(2026, 10, 1),
        status_changes=[
            (_at(date(2026, 8, 20)), ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS),
            (_at(date(2026, 9, 10)), ActionStatus.IN_PROGRESS, ActionStatus.COMPLETE),
        ],
    )
    assert action.status_at(_at(date(2026, 7, 31))) is None
    assert action.status_at(_at(date(2026, 8, 10))) is ActionStatus.NOT_STARTED
    assert action.status_at(_at(date(2026, 9, 1))) is ActionStatus.IN_PROGRESS
    assert action.status_at(_at(date(2026, 9, 30))) is ActionStatus.COMPLETE


def test_a_moved_due_date_counts_from_the_moment_it_moved():
    action = ActionHistory(
        created_at=_at(date(2026, 8, 1)), status=ActionStatus.IN_PROGRESS,
        due_date=date(2026, 12, 1),
        date_moves=[(_at(date(2026, 10, 5)), date(2026, 9, 15), date(2026, 12, 1))],
    )
    item = ItemHistory(_at(date(2026, 8, 1)), None, None, [action])
    # At the end of September it was overdue against its first date; in October it was not.
    assert point_at([item], date(2026, 9, 30)).actions_overdue == 1
    assert point_at([item], date(2026, 10, 31)).actions_overdue == 0
    assert point_at([item], date(2026, 10, 31)).actions_on_time == 1


def test_items_are_overdue_past_their_target_complete_once_signed_off():
    done = ItemHistory(_at(date(2026, 8, 1)), date(2026, 9, 1), _at(date(2026, 9, 20)), [])
    late = ItemHistory(_at(date(2026, 8, 1)), date(2026, 9, 1), None, [])
    cancelled = ActionHistory(_at(date(2026, 8, 1)), ActionStatus.CANCELLED, date(2026, 8, 5))
    quiet = ItemHistory(_at(date(2026, 8, 1)), None, None, [cancelled])
    points = trend([done, late, quiet], date(2026, 10, 3))
    assert [p.day for p in points] == [date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 3)]
    assert [(p.items_on_time, p.items_overdue, p.items_complete) for p in points] == [
        (3, 0, 0), (1, 1, 1), (1, 1, 1)]
    assert all(p.actions_on_time + p.actions_overdue + p.actions_complete == 0 for p in points)
    assert points[-1].is_today


def test_chart_pictures_agree_and_escape_their_words():
    chart = Chart(chart="rag", title="Figure 1: <items>", alt="Alt & text",
                  labels=["Red", "Amber", "Green", "Complete"], series={"items": [3, 0, 2, 1]})
    svg = str(to_svg(figure_for(chart), "chart-1"))
    assert "<title id=\"chart-1-title\">Figure 1: &lt;items&gt;</title>" in svg
    assert "Alt &amp; text" in svg
    assert svg.count("<rect") == 3  # no bar for a zero
    png = to_png(figure_for(chart))
    assert png.startswith(b"\x89PNG") and png == to_png(figure_for(chart))
    assert [nice_step(n) for n in (0, 3, 4, 9, 37, 2000)] == [1, 1, 1, 5, 10, 500]


def test_the_trend_gives_at_each_month_end_the_counts_of_that_day():
    """The trend walks each action's history once for all the month ends; at each it must
    count as `point_at` does for that day alone."""
    moved = ActionHistory(
        created_at=_at(date(2026, 3, 2)), status=ActionStatus.IN_PROGRESS,
        due_date=date(2026, 12, 1),
        status_changes=[(_at(date(2026, 4, 9)), ActionStatus.NOT_STARTED,
                         ActionStatus.IN_PROGRESS)],
        date_moves=[(_at(date(2026, 6, 3)), date(2026, 5, 1), date(2026, 8, 1)),
                    (_at(date(2026, 9, 3)), date(2026, 8, 1), date(2026, 12, 1))],
    )
    done_then_reopened = ActionHistory(
        created_at=_at(date(2026, 2, 10)), status=ActionStatus.IN_PROGRESS,
        due_date=date(2026, 7, 1),
        status_changes=[
            (_at(date(2026, 5, 31), 23), ActionStatus.IN_PROGRESS, ActionStatus.COMPLETE),
            (_at(date(2026, 8, 12)), ActionStatus.COMPLETE, ActionStatus.IN_PROGRESS),
        ],
    )
    completed_quietly = ActionHistory(
        created_at=_at(date(2026, 6, 15)), status=ActionStatus.COMPLETE,
        due_date=date(2026, 9, 1), completed_on=date(2026, 10, 2),
    )
    cancelled = ActionHistory(
        created_at=_at(date(2026, 4, 1)), status=ActionStatus.CANCELLED,
        due_date=date(2026, 5, 1),
        status_changes=[(_at(date(2026, 7, 7)), ActionStatus.NOT_STARTED,
                         ActionStatus.CANCELLED)],
    )
    items = [
        ItemHistory(_at(date(2026, 2, 1)), date(2026, 9, 30), None,
                    [moved, done_then_reopened]),
        ItemHistory(_at(date(2026, 6, 1)), None, _at(date(2026, 10, 20)),
                    [completed_quietly, cancelled]),
        ItemHistory(_at(date(2026, 11, 5)), date(2026, 11, 10), None, []),
    ]
    today = date(2026, 11, 22)
    points = trend(items, today)
    days = month_ends(date(2026, 2, 1), today, most=11)
    assert points == [point_at(items, day) for day in days] + [
        point_at(items, today, is_today=True)]
    assert len({(p.actions_on_time, p.actions_overdue, p.actions_complete)
                for p in points}) > 3
