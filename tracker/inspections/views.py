"""Screens for inspections and their findings."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker import clock
from tracker.errors import RuleBroken
from tracker.forms import show_rule_broken
from tracker.inspections import service
from tracker.inspections.forms import PlanSubmittedForm
from tracker.items.queries import item_facts
from tracker.items.status import StatusRules, work_out_rag
from tracker.permissions import ADMIN_ONLY, ALL_ROLES, allow

bp = Blueprint("inspections", __name__)


@bp.route("/inspections")
@allow(ALL_ROLES)
def list_inspections():
    return render_template(
        "inspections/list.html",
        inspections=service.inspections_of_council(current_user.council_id),
    )


def _render_inspection(inspection, form, status: int = 200):
    today = clock.today()
    rules = StatusRules.from_config(current_app.config)
    items = [f.item for f in inspection.findings if f.item is not None]
    facts = item_facts(items)
    return render_template(
        "inspections/view.html",
        inspection=inspection,
        groups=service.findings_by_category(inspection),
        deadlines=service.statutory_clock(inspection, today),
        rags={item.id: work_out_rag(facts[item.id], today, rules) for item in items},
        form=form,
    ), status


@bp.route("/inspections/<int:inspection_id>")
@allow(ALL_ROLES)
def view_inspection(inspection_id: int):
    inspection = service.get_inspection(current_user.council_id, inspection_id)
    if inspection is None:
        abort(404)
    return _render_inspection(inspection, PlanSubmittedForm())


@bp.route("/inspections/<int:inspection_id>/plan-submitted", methods=["POST"])
@allow(ADMIN_ONLY)
def mark_plan_submitted(inspection_id: int):
    inspection = service.get_inspection(current_user.council_id, inspection_id)
    if inspection is None:
        abort(404)
    form = PlanSubmittedForm()
    if form.validate_on_submit():
        try:
            service.mark_plan_submitted(
                inspection, submitted_on=form.submitted_on.data, today=clock.today()
            )
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            flash("The action plan is recorded as submitted", "success")
            return redirect(url_for("inspections.view_inspection", inspection_id=inspection.id))
    return _render_inspection(inspection, form, 400)
