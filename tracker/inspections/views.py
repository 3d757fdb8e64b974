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
from tracker.accounts.models import Role
from tracker.accounts.service import get_user, users_of_council
from tracker.committees.service import (
    add_inspection_to_committee,
    committees_of_council,
    get_committee,
)
from tracker.formatting import long_date, marked_text_blocks
from tracker.forms import page_status, rules_on_form, user_choices
from tracker.inspections import imports, queries, service
from tracker.inspections.forms import (
    AddToCommitteeForm,
    ImportReviewForm,
    ImportUploadForm,
    PlanSubmittedForm,
    lead_officers_form,
)
from tracker.items.queries import facts_of
from tracker.items.service import assign_lead_officers
from tracker.items.status import work_out_status
from tracker.pagination import page_number
from tracker.permissions import ADMIN_ONLY, ALL_ROLES, allow
from tracker.settings import settings
from tracker.uploads import service as uploads
from tracker.uploads.models import UploadKind
from tracker.web import acting_user, id_from_query, load_or_404

bp = Blueprint("inspections", __name__)


@bp.route("/inspections")
@allow(ALL_ROLES)
def list_inspections():
    page = queries.inspections_page(current_user.council_id,
                                    page=page_number(request.args.get("page")))
    return render_template(
        "inspections/list.html", page=page, tracked=queries.tracked_counts(page.rows)
    )


def _render_inspection(page: queries.InspectionPage, form, status: int = 200):
    today = clock.today()
    rules = settings().status_rules
    inspection = page.inspection
    return render_template(
        "inspections/view.html",
        inspection=inspection,
        visit_dates=page.visit_dates,
        still_open=page.still_open,
        groups=service.findings_by_category(page.findings),
        deadlines=service.running_deadlines(
            inspection.letter_date, inspection.plan_submitted_on,
            (finding.category for finding in page.findings), today),
        statuses={finding.item_id: work_out_status(facts_of(finding), today, rules)
                  for finding in page.findings if finding.item_id is not None},
        form=form,
    ), status


@bp.route("/inspections/<int:inspection_id>")
@allow(ALL_ROLES)
def view_inspection(inspection_id: int):
    page = load_or_404(queries.inspection_page, inspection_id)
    return _render_inspection(page, PlanSubmittedForm())


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
    return _render_inspection(load_or_404(queries.inspection_page, inspection_id), form,
                              page_status(form))


# --- Next steps after an import ---------------------------------------------------------------


def _tracked_items(inspection) -> list:
    return [f.item for f in inspection.findings if f.item is not None]


def _lead_choices() -> list[SelectChoice]:
    people = [user for user in users_of_council(current_user.council_id, active_only=True)
              if user.role is not Role.COMMITTEE_MEMBER]
    return user_choices(people, blank="Not assigned yet")


def _committee_choices(inspection) -> list[SelectChoice]:
    return [SelectChoice("", "Choose a committee")] + [
        SelectChoice(str(c.id), c.name) for c in committees_of_council(current_user.council_id)
        if inspection not in c.inspections]


def _next_steps_page(inspection, leads_form=None, committee_form=None, status: int = 200):
    items = _tracked_items(inspection)
    if leads_form is None:
        leads_form = lead_officers_form(items, _lead_choices(), formdata=None, data={
            f"lead_{item.id}": str(item.lead_officer_id or "") for item in items})
    if committee_form is None:
        committee_form = AddToCommitteeForm(formdata=None)
    committee_form.committee.choices = _committee_choices(inspection)
    return render_template(
        "inspections/next_steps.html", inspection=inspection, items=items,
        leads_form=leads_form, committee_form=committee_form,
        committees=[c for c in committees_of_council(current_user.council_id)
                    if inspection in c.inspections],
        deadlines=service.statutory_clock(inspection, clock.today()),
    ), status


@bp.route("/inspections/<int:inspection_id>/next-steps")
@allow(ADMIN_ONLY)
def next_steps(inspection_id: int):
    """What to do after a letter is imported: leads, a committee, the dates, the actions."""
    return _next_steps_page(load_or_404(queries.inspection_for_page, inspection_id))


@bp.route("/inspections/<int:inspection_id>/next-steps/leads", methods=["POST"])
@allow(ADMIN_ONLY)
def assign_leads(inspection_id: int):
    inspection = load_or_404(queries.inspection_for_page, inspection_id)
    items = _tracked_items(inspection)
    form = lead_officers_form(items, _lead_choices())
    if form.validate_on_submit():
        chosen = form.leads()
        with rules_on_form(form):
            changed = assign_lead_officers(
                [(item, get_user(current_user.council_id, int(chosen[item.id]))
                  if chosen.get(item.id) else None) for item in items],
                actor=acting_user(), now=clock.now())
            flash(f"Lead officers saved: {changed} "
                  f"{'item' if changed == 1 else 'items'} changed", "success")
            return redirect(url_for("inspections.next_steps", inspection_id=inspection.id))
    return _next_steps_page(inspection, leads_form=form, status=page_status(form))


@bp.route("/inspections/<int:inspection_id>/next-steps/committee", methods=["POST"])
@allow(ADMIN_ONLY)
def add_to_committee(inspection_id: int):
    inspection = load_or_404(queries.inspection_for_page, inspection_id)
    form = AddToCommitteeForm()
    form.committee.choices = _committee_choices(inspection)
    if form.validate_on_submit():
        committee = get_committee(current_user.council_id, int(form.committee.data))
        if committee is None:
            abort(404)
        with rules_on_form(form):
            add_inspection_to_committee(committee, inspection)
            flash(f"{committee.name}'s progress reports now cover this inspection", "success")
            return redirect(url_for("inspections.next_steps", inspection_id=inspection.id))
    return _next_steps_page(inspection, committee_form=form, status=page_status(form))


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
    refused = uploads.refusal(current_user.council_id, UploadKind.LETTER,
                              id_from_query(request.args.get("upload")))
    if refused is not None and request.method == "GET":
        # The file was refused when the scheduler read it: the form again, with why.
        form.document.errors = [refused]
    elif form.validate_on_submit():
        with rules_on_form(form):
            if form.document.data:
                upload = form.document.data
                waiting = imports.queue_letter_upload(
                    current_user.council_id, actor=acting_user(), now=clock.now(),
                    # One byte over the limit is enough for it to be refused.
                    data=upload.read(max_bytes + 1), filename=upload.filename or "",
                    max_bytes=max_bytes,
                )
                return redirect(url_for("uploads.progress", upload_id=waiting.id))
            draft = imports.start_import_from_text(
                current_user.council_id, actor=acting_user(), now=clock.now(),
                text=form.text.data, max_bytes=max_bytes,
            )
            return redirect(url_for("inspections.review_import", draft_id=draft.id))
    return render_template(
        "inspections/import_start.html",
        form=form,
        drafts=imports.drafts_of_council(current_user.council_id),
        unconfirmed_kept_days=imports.UNCONFIRMED_KEPT_DAYS,
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
            "body": finding.body.value,
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
        "note": details.note,
        "findings": rows,
    }


def _line_anchor(line: int) -> str:
    return f"document-line-{line + 1}"


def _shortfall_warnings(draft) -> list[dict[str, str]]:
    """The review page's warnings that the document may hold more findings than were read,
    each with the anchor of its place in the document's text."""
    warnings = []
    for warning in imports.proposed_warnings(draft):
        label = imports.LIST_CATEGORIES[warning.category].plural_label
        under = f"“{warning.heading}”"
        if warning.heading.lower() != label.lower():
            under += f" (read as {label.lower()})"
        if warning.body == "lscb":
            under += ", the LSCB’s list"
        if warning.kind == "gap":
            why = (f"its numbered paragraphs jump from {warning.after} to {warning.number}, "
                   f"at line {warning.line + 1} of the text")
        else:
            why = f"nothing was read under it, at line {warning.line + 1} of the text"
        warnings.append({
            "text": f"This document may hold more findings than were found under {under}: "
                    f"{why}.",
            "anchor": _line_anchor(warning.line),
        })
    return warnings


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
                return redirect(url_for("inspections.next_steps", inspection_id=inspection.id))
    errors = form.error_entries()
    details = form.reviewed_details()
    referred_to = imports.inspection_referred_back_to(draft)
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
        warnings=_shortfall_warnings(draft),
        document_text=marked_text_blocks(
            draft.source_text,
            {w.line: _line_anchor(w.line) for w in imports.proposed_warnings(draft)},
        ),
        referred_to=referred_to,
        referred_to_worded=draft.proposal.get("refers_back_to") or "",
        still_open=imports.still_open_items(referred_to),
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
