"""The dashboard and the page that explains how status is worked out."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from tracker import clock
from tracker.inspections.service import inspections_of_council, statutory_clock
from tracker.items import queries
from tracker.items.models import Priority, Rag
from tracker.items.status import StatusRules, rag_rule_in_words
from tracker.permissions import ALL_ROLES, allow, can_sign_off_item

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@allow(ALL_ROLES)
def home():
    today = clock.today()
    rules = StatusRules.from_config(current_app.config)
    council_id = current_user.council_id
    deadlines = [
        (inspection, statutory_clock(inspection, today))
        for inspection in inspections_of_council(council_id)
    ]
    return render_template(
        "dashboard/home.html",
        summary=queries.council_summary(council_id, today, rules),
        rags=[Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE],
        priorities=list(Priority),
        deadlines=[(i, d) for i, d in deadlines if d],
        my_actions=queries.actions_for_owner(current_user, today),
        overdue=queries.overdue_actions(council_id, today, limit=10),
        overdue_total=queries.count_overdue_actions(council_id, today),
        date_requests=queries.pending_due_date_requests_for(current_user),
        awaiting_sign_off=[
            item for item in queries.items_awaiting_sign_off(council_id)
            if can_sign_off_item(current_user, item)
        ],
        recent=queries.recently_updated_items(council_id),
    )


@bp.route("/how-status-is-worked-out")
@allow(ALL_ROLES)
def how_status_is_worked_out():
    rules = StatusRules.from_config(current_app.config)
    return render_template(
        "dashboard/how_status_is_worked_out.html", rules=rules, steps=rag_rule_in_words(rules)
    )
