"""Screens for inspections and their findings."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from tracker import clock
from tracker.formatting import long_date
from tracker.forms import page_status, rules_on_form
from tracker.inspections import imports, queries, service
from tracker.inspections.forms import ImportReviewForm, ImportUploadForm, PlanSubmittedForm
from tracker.items.queries import item_facts
from tracker.items.status import work_out_status
from tracker.pagination import page_number
from tracker.permissions import ADMIN_ONLY, ALL_ROLES, allow
from tracker.settings import settings
from tracker.web import acting_user, load_or_404

bp = Blueprint("inspections", __name__)


@bp.route("/inspections")
@allow(ALL_ROLES)
def list_inspections():
    page = queries.inspections_page(current_user.council_id,
                                    page=page_number(request.args.get("page")))
    return render_template(
        "inspections/list.html", page=page, tracked=queries.tracked_counts(page.rows)
    )


def _render_inspection(inspection, form, status: int = 200):
    today = clock.today()
    rules = settings().status_rules
    items = [f.item for f in inspection.findings if f.item is not None]
    facts = item_facts(items)
    return render_template(
        "inspections/view.html",
        inspection=inspection,
        groups=service.findings_by_category(inspection),
        deadlines=service.statutory_clock(inspection, today),
        statuses={item.id: work_out_status(facts[item.id], today, rules) for item in items},
        form=form,
    ), status


@bp.route("/inspections/<int:inspection_id>")
@allow(ALL_ROLES)
def view_inspection(inspection_id: int):
    inspection = load_or_404(queries.inspection_for_page, inspection_id)
    return _render_inspection(inspection, PlanSubmittedForm())


@bp.route("/inspections/<int:inspection_id>/plan-submitted", methods=["POST"])
@allow(ADMIN_ONLY)
def mark_plan_submitted(inspection_id: int):
    inspection = load_or_404(queries.inspection_for_page, inspection_id)
    form = PlanSubmittedForm()
    if form.validate_on_submit():
        with rules_on_form(form):
            service.mark_plan_submitted(
                inspection, submitted_on=form.submitted_on.data, today=clock.today()
            )
            flash("The action plan is recorded as submitted", "success")
            return redirect(url_for("inspections.view_inspection", inspection_id=inspection.id))
    return _render_inspection(inspection, form, page_status(form))


# --- Importing a letter ---------------------------------------------------------------------

# Empty rows under the proposed findings, for findings the importer missed.
BLANK_FINDING_ROWS = 3
MOST_REVIEW_ROWS = imports.MOST_FINDINGS + BLANK_FINDING_ROWS


@bp.route("/inspections/import", methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def start_import():
    form = ImportUploadForm()
    max_bytes = settings().import_max_bytes
    form.document.description = (
        f"A PDF, a Word document (.docx) or a text file, up to {imports.size_words(max_bytes)}"
    )
    if form.validate_on_submit():
        with rules_on_form(form):
            if form.document.data:
                upload = form.document.data
                draft = imports.start_import(
                    current_user.council_id, actor=acting_user(), now=clock.now(),
                    # One byte over the limit is enough for the importer to refuse it.
                    data=upload.read(max_bytes + 1), filename=upload.filename or "",
                    max_bytes=max_bytes,
                )
            else:
                draft = imports.start_import_from_text(
                    current_user.council_id, actor=acting_user(), now=clock.now(),
                    text=form.text.data, max_bytes=max_bytes,
                )
            return redirect(url_for("inspections.review_import", draft_id=draft.id))
    return render_template(
        "inspections/import_start.html",
        form=form,
        drafts=imports.drafts_of_council(current_user.council_id),
    ), page_status(form)


def _inspection_label(inspection) -> str:
    when = long_date(inspection.letter_date) if inspection.letter_date else "Undated"
    return f"{when}: {inspection.title}"


def _finding_label(number: int, finding) -> str:
    words = " ".join(finding.text.split())
    if len(words) > 110:
        words = words[:110].rsplit(" ", 1)[0] + "…"
    return f"{number}. {finding.category.label}: {words}"


def _set_repeat_choices(form: ImportReviewForm, previous) -> None:
    """Each row's repeat choices: the findings of the inspection the page proposes."""
    choices = [SelectChoice("", "Not linked to a finding in the tracker")]
    if previous is not None:
        choices += [
            SelectChoice(str(finding.id), _finding_label(number, finding))
            for number, finding in enumerate(previous.findings, start=1)
        ]
    form.matches_for.data = str(previous.id) if previous is not None else ""
    for row in form.findings:
        row.form.repeat_of.choices = choices


def _propose_repeat_links(form: ImportReviewForm, previous) -> None:
    """Preselect, for each repeat finding, the previous finding worded most like it."""
    for row in form.findings:
        proposal = None
        if (row.form.repeat_evidence.data or "").strip():
            proposal = imports.proposed_repeat_link(row.form.text.data or "", previous)
        row.form.repeat_of.data = str(proposal[0].id) if proposal else ""


def _match_hints(form: ImportReviewForm, previous) -> dict[int, str]:
    """Why a repeat finding's link is proposed, by row, for the rows that have one."""
    hints: dict[int, str] = {}
    if previous is None or not previous.findings:
        return hints
    for index, row in enumerate(form.findings):
        if not (row.form.repeat_evidence.data or "").strip():
            continue
        proposal = imports.proposed_repeat_link(row.form.text.data or "", previous)
        if proposal is None:
            hints[index] = "No finding of the previous inspection is worded like this one."
        else:
            finding, score = proposal
            number = previous.findings.index(finding) + 1
            hints[index] = (
                f"Proposed: the previous inspection’s finding {number}, the closest wording "
                f"(a {score:.0%} match). Confirm or change it."
            )
    return hints


def _initial_review_data(draft, previous) -> dict:
    details = imports.proposed_details(draft)
    rows = [
        {
            "source": finding.source,
            "category": finding.category.value,
            "text": finding.text,
            "group": finding.group,
            "repeat_evidence": finding.repeat_evidence,
        }
        for finding in imports.proposed_findings(draft)
    ]
    rows += [{"source": "", "category": ""} for _ in range(BLANK_FINDING_ROWS)]
    # A draft kept before letters were limited may hold more rows than the form takes.
    rows = rows[:MOST_REVIEW_ROWS]
    return {
        "title": details.title,
        "inspectorate": details.inspectorate,
        "letter_date": details.letter_date,
        "visit_dates": details.visit_dates,
        "inspector": details.inspector,
        "inspector_role": details.inspector_role,
        "recipient": details.recipient,
        "previous_inspection_text": details.previous_inspection_text,
        "previous_inspection": str(previous.id) if previous is not None else "",
        "overall_judgement": details.overall_judgement,
        "findings": rows,
    }


@bp.route("/inspections/import/<int:draft_id>", methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def review_import(draft_id: int):
    draft = load_or_404(imports.get_draft, draft_id)
    council_inspections = {i.id: i for i in service.inspections_of_council(draft.council_id)}

    def inspection_named(value: str | None):
        # Read before the form is validated: "²" passes str.isdigit() but not int().
        if not value or not (value.isascii() and value.isdigit()):
            return None
        return council_inspections.get(int(value))

    if request.method == "GET":
        previous = imports.propose_previous_inspection(draft)
        form = ImportReviewForm(data=_initial_review_data(draft, previous))
    else:
        form = ImportReviewForm()
        previous = inspection_named(form.matches_for.data)
    form.previous_inspection.choices = [SelectChoice("", "None of these")] + [
        SelectChoice(str(i.id), _inspection_label(i)) for i in council_inspections.values()
    ]
    _set_repeat_choices(form, previous)
    if request.method == "GET":
        _propose_repeat_links(form, previous)
    elif form.validate_on_submit():
        chosen = inspection_named(form.previous_inspection.data)
        if chosen is not previous:
            # The repeat choices listed the other inspection's findings: offer the new ones.
            _set_repeat_choices(form, chosen)
            _propose_repeat_links(form, chosen)
            previous = chosen
            form.previous_inspection.errors.append(
                "Check the links of the repeat findings to the previous inspection you chose, "
                "then confirm again"
            )
        else:
            findings, links = form.reviewed_findings()
            with rules_on_form(form):
                try:
                    inspection = imports.confirm_import(
                        draft, actor=acting_user(), now=clock.now(),
                        details=form.reviewed_details(), findings=findings,
                        previous_inspection=chosen, repeat_links=links,
                        allow_duplicate=bool(form.allow_duplicate.data),
                    )
                except imports.DraftGone:
                    abort(404)
                flash(imports.ImportSummary.of(inspection).message, "success")
                return redirect(
                    url_for("inspections.view_inspection", inspection_id=inspection.id)
                )
    errors = form.error_entries()
    details = form.reviewed_details()
    return render_template(
        "inspections/import_review.html",
        form=form,
        draft=draft,
        errors=errors,
        previous=previous,
        hints=_match_hints(form, previous),
        actions=imports.proposed_actions(draft),
        duplicate=imports.duplicate_of(draft, title=details.title,
                                       letter_date=details.letter_date)
        if request.method == "POST" else imports.duplicate_of(draft),
        named_council=imports.council_named_elsewhere(draft),
        list_labels={name: c.plural_label for name, c in imports.LIST_CATEGORIES.items()},
    ), (400 if errors else 200)


@bp.route("/inspections/import/<int:draft_id>/cancel", methods=["POST"])
@allow(ADMIN_ONLY)
def cancel_import(draft_id: int):
    draft = load_or_404(imports.get_draft, draft_id)
    try:
        imports.cancel_import(draft)
    except imports.DraftGone:
        abort(404)
    flash("Import cancelled: nothing was saved", "success")
    return redirect(url_for("inspections.start_import"))
