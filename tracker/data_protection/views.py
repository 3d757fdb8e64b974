"""Administrators' pages for data protection: how long inspections are kept, the record of
what was removed or anonymised, and anonymising a person who has left."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker import clock
from tracker.accounts import service as accounts
from tracker.data_protection import anonymise, retention
from tracker.data_protection.forms import (
    AnonymiseForm,
    CouncilRetentionForm,
    InspectionRetentionForm,
)
from tracker.forms import page_status, rules_on_form
from tracker.inspections.service import get_inspection
from tracker.permissions import ADMIN_ONLY, allow
from tracker.web import acting_user, load_or_404

bp = Blueprint("data_protection", __name__)


def _render_overview(form: CouncilRetentionForm, status: int = 200):
    council = current_user.council
    kept = retention.retentions(council_id=council.id)
    return render_template(
        "data_protection/overview.html", form=form, council=council, kept=kept,
        records=retention.erasure_records(council.id), today=clock.today(),
        removed_in_words=retention.removed_in_words), status


@bp.route("/admin/data-protection", methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def overview():
    form = CouncilRetentionForm(years=current_user.council.retention_years)
    if form.validate_on_submit():
        with rules_on_form(form):
            retention.set_council_retention(current_user.council, years=form.years.data)
            flash(f"Inspections are now kept for {form.years.data} years after their plans "
                  f"close", "success")
            return redirect(url_for("data_protection.overview"))
    return _render_overview(form, page_status(form))


@bp.route("/inspections/<int:inspection_id>/retention", methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def inspection_retention(inspection_id: int):
    inspection = load_or_404(get_inspection, inspection_id)
    form = InspectionRetentionForm(years=inspection.retention_years)
    if form.validate_on_submit():
        with rules_on_form(form):
            retention.set_inspection_retention(inspection, years=form.years.data)
            flash("The retention period is saved", "success")
            return redirect(url_for("data_protection.inspection_retention",
                                    inspection_id=inspection.id))
    return render_template(
        "data_protection/inspection.html", form=form, inspection=inspection,
        retention=retention.retention_of(inspection),
        council_years=inspection.council.retention_years,
    ), page_status(form)


@bp.route("/users/<int:user_id>/anonymise", methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def anonymise_person(user_id: int):
    user = load_or_404(accounts.get_user, user_id)
    form = AnonymiseForm()
    if form.validate_on_submit():
        with rules_on_form(form):
            anonymise.anonymise_person(user, actor=acting_user(), now=clock.now())
            flash(f"The person is anonymised: they are now shown as {user.name}", "success")
            return redirect(url_for("accounts.edit_user", user_id=user.id))
    return render_template(
        "data_protection/anonymise.html", form=form, user=user,
        still=anonymise.still_theirs(user),
    ), page_status(form)
