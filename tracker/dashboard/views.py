"""The dashboard and the page that explains how status is worked out."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from tracker import clock
from tracker.accounts.models import Role
from tracker.inspections.queries import inspections_with_running_clock
from tracker.inspections.service import deadlines_of_letter
from tracker.items import queries
from tracker.items.models import Priority
from tracker.items.status import ShownStatus, status_rule_in_words
from tracker.permissions import ALL_ROLES, PUBLIC, allow
from tracker.questions.queries import questions_waiting_for
from tracker.reminders.notices import recent_notices
from tracker.reports.service import latest_papers_of_member
from tracker.settings import settings

bp = Blueprint("dashboard", __name__)

# Each list on the dashboard shows this many rows and links to the rest.
SHOWN = 10

@bp.route("/")
@allow(ALL_ROLES)
def home():
    # The signed-in person, read once rather than through the proxy for every list.
    user = current_user._get_current_object()
    today = clock.today()
    rules = settings().status_rules
    council_id = user.council_id
    staff = user.role is not Role.COMMITTEE_MEMBER
    # The statutory deadlines are the council staff's to meet: a councillor cannot act on them.
    deadlines = [
        (inspection, deadlines_of_letter(inspection.letter_date, inspection.has_priority_action,
                                         today))
        for inspection in inspections_with_running_clock(council_id)
    ] if staff else []
    # Every list is one statement of plain values, its total counted with it; the counts are
    # one more.
    summary = queries.council_summary(council_id, today, rules)
    return render_template(
        "dashboard/home.html",
        summary=summary,
        statuses=list(ShownStatus),
        priorities=list(Priority),
        deadlines=deadlines,
        my_overdue=queries.overdue_actions_owned_by(user, today, limit=SHOWN)
        if staff else None,
        overdue=queries.overdue_actions(council_id, today, limit=SHOWN),
        overdue_total=summary.overdue_actions,
        date_requests=queries.due_date_requests_waiting(user, limit=SHOWN)
        if staff else None,
        cancellations=queries.cancellations_waiting(user, limit=SHOWN)
        if staff else None,
        awaiting_sign_off=queries.items_awaiting_sign_off_by(user, limit=SHOWN)
        if staff else None,
        not_planned=queries.not_planned_items_led_by(user, today, rules)[:SHOWN]
        if staff else [],
        # Decisions on what they asked and actions given to them, from the moment they happen.
        notices=recent_notices(user, clock.now(), limit=SHOWN) if staff else [],
        recent=queries.recently_updated_items(council_id),
        questions=questions_waiting_for(user, today, limit=SHOWN) if staff else None,
        # A councillor's committees, each with the latest paper it was sent.
        papers=latest_papers_of_member(user) if not staff else [],
    )


@bp.route("/how-status-is-worked-out")
@allow(PUBLIC)
def how_status_is_worked_out():
    rules = settings().status_rules
    return render_template(
        "dashboard/how_status_is_worked_out.html", rules=rules,
        steps=status_rule_in_words(rules), statuses=list(ShownStatus),
    )
