"""Screens for importing an action-plan spreadsheet: upload, match the columns and check the
preview, then confirm or cancel."""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from tracker import clock
from tracker.extensions import db
from tracker.formatting import plural
from tracker.forms import page_status, rules_on_form, show_rule_broken
from tracker.inspections.imports import UNCONFIRMED_KEPT_DAYS, size_words
from tracker.inspections.service import get_inspection
from tracker.permissions import ADMIN_ONLY, allow
from tracker.plan_import import preview, service
from tracker.plan_import.cells import FIELDS
from tracker.plan_import.forms import CancelForm, ConfirmForm, MappingForm, PlanUploadForm
from tracker.plan_import.reading import column_letter
from tracker.settings import settings
from tracker.uploads import service as uploads
from tracker.uploads.models import UploadKind
from tracker.web import acting_user, id_from_query, load_or_404

bp = Blueprint("plan_import", __name__)

# Rows of the sheet shown above the mapping, so its columns can be recognised.
SAMPLE_ROWS = 3


def _gone():
    # Another council's import is as absent as a confirmed or cancelled one: the same answer.
    return render_template("plan_import/gone.html"), 404


@bp.route("/inspections/<int:inspection_id>/import-plan", methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def start(inspection_id: int):
    inspection = load_or_404(get_inspection, inspection_id)
    form = PlanUploadForm()
    max_bytes = settings().import_max_bytes
    form.spreadsheet.description = (
        f"An Excel workbook (.xlsx) or a CSV file, up to {size_words(max_bytes)}"
    )
    refused = uploads.refusal(inspection.council_id, UploadKind.ACTION_PLAN,
                              id_from_query(request.args.get("upload")),
                              inspection_id=inspection.id)
    if refused is not None and request.method == "GET":
        # The file was refused when the scheduler read it: the form again, with why.
        form.spreadsheet.errors = [refused]
    elif form.validate_on_submit():
        upload = form.spreadsheet.data
        with rules_on_form(form):
            waiting = service.queue_plan_upload(
                inspection, actor=acting_user(), now=clock.now(),
                # One byte over the limit is enough for it to be refused.
                data=upload.read(max_bytes + 1), filename=upload.filename or "",
                max_bytes=max_bytes,
            )
            return redirect(url_for("uploads.progress", upload_id=waiting.id))
    return render_template(
        "plan_import/start.html", form=form, inspection=inspection,
        waiting=service.imports_waiting(inspection),
    ), page_status(form)


def _render_mapping(plan, form: MappingForm, status: int = 200):
    what = preview.plan_preview(plan, actor=acting_user(), today=clock.today())
    rows = preview.sheet_rows(plan)
    return render_template(
        "plan_import/mapping.html",
        plan=plan,
        form=form,
        fields=FIELDS,
        preview=what,
        confirm_form=ConfirmForm(formdata=None, version=str(plan.version)),
        cancel_form=CancelForm(formdata=None),
        other_sheets=service.other_sheets(plan),
        letters=[column_letter(n) for n in range(len(plan.headers))],
        sample=[(number, cells + [""] * (len(plan.headers) - len(cells)))
                for number, cells in rows[:SAMPLE_ROWS]],
        unconfirmed_kept_days=UNCONFIRMED_KEPT_DAYS,
    ), status


def _mapping_form(plan, *, from_request: bool) -> MappingForm:
    if from_request:
        form = MappingForm()
    else:
        form = MappingForm(formdata=None, data=MappingForm.initial(preview.current_mapping(plan)))
    form.set_columns(service.column_choices(plan))
    return form


@bp.route("/plan-imports/<int:plan_import_id>", methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def mapping(plan_import_id: int):
    plan = load_or_404(service.get_plan_import, plan_import_id, missing=_gone)
    form = _mapping_form(plan, from_request=request.method == "POST")
    if request.method == "POST":
        if form.validate_on_submit():
            with rules_on_form(form):
                service.save_mapping(plan, actor=acting_user(), mapping=form.chosen())
                return redirect(url_for("plan_import.mapping", plan_import_id=plan.id,
                                        _anchor="preview"))
        return _render_mapping(plan, form, page_status(form))
    return _render_mapping(plan, form)


@bp.route("/plan-imports/<int:plan_import_id>/confirm", methods=["POST"])
@allow(ADMIN_ONLY)
def confirm(plan_import_id: int):
    plan = load_or_404(service.get_plan_import, plan_import_id, missing=_gone)
    confirm_form = ConfirmForm()
    if not confirm_form.validate_on_submit():
        form = _mapping_form(plan, from_request=False)
        form.form_errors.append(confirm_form.version.errors[0] if confirm_form.version.errors
                                else "The form had expired. Please try again.")
        return _render_mapping(plan, form, 400)
    with rules_on_form(confirm_form):
        try:
            outcome = service.confirm_plan_import(
                plan, actor=acting_user(), now=clock.now(),
                expected_version=int(confirm_form.version.data),
            )
        except service.ImportGone:
            db.session.rollback()
            return _gone()
        return _imported(outcome)
    # The attempt is undone (rules_on_form rolled it back): the page shows what is saved, and
    # the refusal on the mapping form, where the person can act on it.
    plan = load_or_404(service.get_plan_import, plan_import_id, missing=_gone)
    form = _mapping_form(plan, from_request=False)
    show_rule_broken(form, confirm_form.refusal)
    return _render_mapping(plan, form, page_status(confirm_form))


def _imported(outcome: service.ImportOutcome):
    created = (f"{plural(outcome.new_items, 'new item')}, "
               f"{plural(outcome.actions, 'action')}")
    if outcome.existing_items:
        created += f" (some of them added to {plural(outcome.existing_items, 'existing item')})"
    if outcome.left_out:
        # The rows left out are listed once, here: the import they came from is gone.
        return render_template(
            "plan_import/done.html", outcome=outcome, created=created,
            letters=[column_letter(n) for n in range(len(outcome.headers))],
        )
    flash(f"Action plan imported: {created}", "success")
    return redirect(url_for("inspections.view_inspection", inspection_id=outcome.inspection_id))


@bp.route("/plan-imports/<int:plan_import_id>/cancel", methods=["POST"])
@allow(ADMIN_ONLY)
def cancel(plan_import_id: int):
    plan = load_or_404(service.get_plan_import, plan_import_id, missing=_gone)
    inspection_id = plan.inspection_id
    try:
        service.cancel_plan_import(plan, actor=acting_user())
    except service.ImportGone:
        db.session.rollback()
        return _gone()
    flash("Import cancelled: nothing was saved", "success")
    if inspection_id is None:
        return redirect(url_for("inspections.list_inspections"))
    return redirect(url_for("inspections.view_inspection", inspection_id=inspection_id))
