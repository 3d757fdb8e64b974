"""Screens for tracked items and their actions."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from tracker import clock
from tracker.accounts.service import get_user, names_of_council_users, users_of_council
from tracker.audit.service import (
    action_history_in_words,
    history_in_words,
    item_history_in_words,
    last_entry_of_action,
    last_update_of_action,
)
from tracker.evidence.files import evidence_of
from tracker.formatting import long_date
from tracker.forms import page_status, rules_on_form, uploaded_files, user_choices
from tracker.inspections.models import FindingCategory
from tracker.inspections.queries import inspection_titles
from tracker.inspections.service import get_inspection, inspections_of_council
from tracker.items import export, queries, service
from tracker.items.forms import (
    ActionForm,
    AddActionForm,
    AddItemForm,
    CancelActionForm,
    CancellationDecisionForm,
    DecisionForm,
    DueDateForm,
    ItemDetailsForm,
    ItemEvidenceForm,
    ItemFilterForm,
    MarkCompleteForm,
    RagOverrideForm,
    SignOffForm,
    UpdateActionForm,
    WithdrawForm,
)
from tracker.items.models import (
    ActionStatus,
    CancellationRequest,
    DueDateChange,
    ItemStatus,
    Priority,
    Rag,
)
from tracker.items.status import ShownStatus, StatusRules, is_stale
from tracker.pagination import page_number
from tracker.partners.service import link_rows
from tracker.permissions import (
    ADMIN_ONLY,
    ALL_ROLES,
    STAFF,
    allow,
    can_add_action,
    can_add_item_evidence,
    can_ask_to_cancel_action,
    can_cancel_action_directly,
    can_change_lead_officer,
    can_decide_request,
    can_edit_action,
    can_edit_item,
    can_mark_item_complete,
    can_move_due_date_directly,
    can_override_rag,
    can_see_request,
    can_sign_off_item,
    can_update_action,
    can_withdraw_request,
    require,
)
from tracker.questions.queries import questions_about_item
from tracker.settings import settings
from tracker.web import acting_user, load_or_404

bp = Blueprint("items", __name__)


def _rules() -> StatusRules:
    return settings().status_rules


def _version(form) -> int:
    return int(form.version.data)  # the form's validators let only digits through


def _chosen_user(value: str | None):
    if not value or not str(value).isdigit():
        return None
    return get_user(current_user.council_id, int(value))


def _staff_choices(blank: str | None = None) -> list[SelectChoice]:
    users = [
        u for u in users_of_council(current_user.council_id, active_only=True)
        if u.role.value != "committee member"
    ]
    return user_choices(users, blank=blank)


@bp.route("/items")
@allow(ALL_ROLES)
def list_items():
    args = request.args.copy()
    if "rag" in args and "state" not in args:
        # Addresses from before the status had states (dashboards, emails) kept the RAG as
        # `rag`; each RAG is a status of its own.
        args["state"] = args.pop("rag")
    form = ItemFilterForm(args)
    council_id = current_user.council_id
    form.owner.choices = [SelectChoice("", "Anyone")] + [
        SelectChoice(str(user_id), name) for user_id, name in names_of_council_users(council_id)
    ]
    form.theme.choices = [SelectChoice("", "Any")] + [
        SelectChoice(theme, theme) for theme in queries.themes_in_use(council_id)
    ]
    form.inspection.choices = [SelectChoice("", "Any")] + [
        SelectChoice(str(inspection_id), title)
        for inspection_id, title in inspection_titles(council_id)
    ]
    valid = form.validate() if args else True
    filters = queries.ItemFilters()
    if valid:
        shown = ShownStatus(form.state.data) if form.state.data else None
        filters = queries.ItemFilters(
            state=shown.state if shown else None,
            rag=shown.rag if shown else None,
            status=ItemStatus(form.status.data) if form.status.data else None,
            priority=Priority(form.priority.data) if form.priority.data else None,
            owner_id=int(form.owner.data) if form.owner.data else None,
            theme=form.theme.data or "",
            inspection_id=int(form.inspection.data) if form.inspection.data else None,
            overdue_only=form.overdue.data == "yes",
            text=(form.q.data or "").strip(),
        )
    # A page number past any list (however many digits) is the first page, as on every list.
    wanted = page_number(form.page.data) if valid else 1
    page = queries.find_items(
        council_id,
        filters,
        today=clock.today(),
        now=clock.now(),
        rules=_rules(),
        page=wanted,
        per_page=settings().items_per_page,
    )
    kept_args = {k: v for k, v in args.items() if k != "page" and v}
    return render_template(
        "items/list.html", form=form, page=page, args=kept_args, filtered=bool(kept_args)
    ), (200 if valid else 400)


@bp.route("/items/action-plan.xlsx")
@allow(ALL_ROLES)
def action_plan_xlsx():
    return _action_plan_download("xlsx")


@bp.route("/items/action-plan.csv")
@allow(ALL_ROLES)
def action_plan_csv():
    return _action_plan_download("csv")


def _action_plan_download(file_format: str) -> Response:
    rows = export.action_plan_rows(current_user.council_id, clock.today(), _rules())
    name = f"action-plan-{clock.today().isoformat()}.{file_format}"
    if file_format == "xlsx":
        body = export.plan_as_xlsx(rows, title=f"{current_user.council.name}: action plan")
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, mimetype = export.plan_as_csv(rows), "text/csv"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.route("/items/<int:item_id>")
@allow(ALL_ROLES)
def view_item(item_id: int):
    item = load_or_404(queries.item_for_page, item_id)
    today = clock.today()
    now = clock.now()
    rules = _rules()
    actions = queries.actions_of_item(item.id)
    history = item_history_in_words(item.id, page=page_number(request.args.get("page")))
    return render_template(
        "items/view.html",
        item=item,
        actions=actions,
        status=queries.status_of(item, today, rules),
        stale=item.status is not ItemStatus.COMPLETE and is_stale(item.last_updated_at, now, rules),
        history=history,
        entries=history.rows,
        completion=service.completion_of(actions),
        questions=questions_about_item(item, current_user.council_id, today),
        evidence=evidence_of(item),
        late_for_target=[a for a in actions if service.due_after(a, item.target_date)],
    )


@bp.route("/items/<int:item_id>/evidence", methods=["GET", "POST"])
@allow(STAFF)
def add_item_evidence(item_id: int):
    item = load_or_404(queries.get_item, item_id, may=can_add_item_evidence)
    form = ItemEvidenceForm()
    if form.validate_on_submit():
        with rules_on_form(form):
            service.add_item_evidence(item, actor=acting_user(), now=clock.now(),
                                      link=form.link.data or "",
                                      files=uploaded_files(form.files))
            flash("Evidence added", "success")
            return redirect(url_for("items.view_item", item_id=item.id, _anchor="evidence"))
    return render_template("items/add_evidence.html", form=form, item=item,
                           evidence=evidence_of(item)), page_status(form)


@bp.route("/items/new", methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def add_item():
    form = AddItemForm()
    council_id = current_user.council_id
    form.inspection.choices = [SelectChoice("", "Choose an inspection")] + [
        SelectChoice(str(i.id), f"{i.title} ({i.letter_date.year if i.letter_date else 'undated'})")
        for i in inspections_of_council(council_id)
    ]
    form.lead_officer.choices = _staff_choices(blank="No lead officer yet")
    if request.method == "GET":
        inspection_id = request.args.get("inspection", "")
        form.inspection.data = inspection_id if inspection_id.isdigit() else ""
        form.priority.data = Priority.MEDIUM.value
    if form.validate_on_submit():
        inspection = load_or_404(get_inspection, int(form.inspection.data))
        with rules_on_form(form):
            item = service.create_item(
                inspection=inspection,
                category=FindingCategory(form.category.data),
                finding_text=form.finding_text.data,
                title=form.title.data,
                lead_officer=_chosen_user(form.lead_officer.data),
                theme=form.theme.data or "",
                priority=Priority(form.priority.data),
                target_date=form.target_date.data,
                measure_of_success=form.measure_of_success.data or "",
                actor=acting_user(),
                now=clock.now(),
            )
            flash(f"Item “{item.title}” added", "success")
            return redirect(url_for("items.view_item", item_id=item.id))
    status = page_status(form)
    return render_template("items/add.html", form=form), status


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@allow(STAFF)
def edit_item(item_id: int):
    item = load_or_404(queries.get_item, item_id, may=can_edit_item)
    form = ItemDetailsForm(obj=item if request.method == "GET" else None)
    may_change_lead = can_change_lead_officer(current_user)
    form.lead_officer.choices = _staff_choices(blank="No lead officer yet")
    if request.method == "GET":
        form.version.data = item.version
        form.priority.data = item.priority.value
        form.lead_officer.data = str(item.lead_officer_id or "")
    if form.validate_on_submit():
        with rules_on_form(form):
            service.edit_item(
                item,
                actor=acting_user(),
                now=clock.now(),
                expected_version=_version(form),
                title=form.title.data,
                theme=form.theme.data or "",
                priority=Priority(form.priority.data),
                target_date=form.target_date.data,
                measure_of_success=form.measure_of_success.data or "",
                lead_officer=_chosen_user(form.lead_officer.data),
                may_change_lead=may_change_lead,
            )
            flash("Item saved", "success")
            return redirect(url_for("items.view_item", item_id=item.id))
    status = page_status(form)
    return render_template(
        "items/edit.html", form=form, item=item, conflict=form.conflict,
        may_change_lead=may_change_lead,
    ), status


@bp.route("/items/<int:item_id>/actions/new", methods=["GET", "POST"])
@allow(STAFF)
def add_action(item_id: int):
    item = load_or_404(queries.get_item, item_id, may=can_add_action)
    form = AddActionForm()
    form.owner.choices = _staff_choices(blank="Choose an owner")
    if form.validate_on_submit():
        with rules_on_form(form):
            action = service.add_action(
                item,
                actor=acting_user(),
                now=clock.now(),
                description=form.description.data,
                owner=_chosen_user(form.owner.data),
                due_date=form.due_date.data,
            )
            if service.due_after_target(action):
                flash(f"Action added. It is due after the item's target date, "
                      f"{long_date(item.target_date)}: move one of the two dates, or keep "
                      f"them if the item will finish late.", "info")
            else:
                flash("Action added", "success")
            return redirect(url_for("items.view_item", item_id=item.id))
    status = page_status(form)
    return render_template("items/add_action.html", form=form, item=item,
                           earliest=service.earliest_action_date(item)), status


@bp.route("/actions/<int:action_id>")
@allow(ALL_ROLES)
def view_action(action_id: int):
    action = load_or_404(queries.get_action, action_id)
    return render_template(
        "items/view_action.html",
        action=action,
        item=action.item,
        history=action_history_in_words(action.id),
        extensions=service.extension_count(action),
        pending=service.pending_due_date_change(action),
        cancelling=service.pending_cancellation(action),
        stale=action.is_open and is_stale(action.last_updated_at, clock.now(), _rules()),
        # Only those who send and revoke partner links see them.
        partner_links=(link_rows(action, clock.now())
                       if can_edit_action(current_user, action) else []),
        evidence=evidence_of(action.item, action),
    )


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@allow(STAFF)
def edit_action(action_id: int):
    action = load_or_404(queries.get_action, action_id, may=can_edit_action)
    form = ActionForm(obj=action if request.method == "GET" else None)
    form.owner.choices = _staff_choices(blank="Choose an owner")
    if request.method == "GET":
        form.version.data = action.version
        form.owner.data = str(action.owner_id or "")
    if form.validate_on_submit():
        with rules_on_form(form):
            service.edit_action(
                action,
                actor=acting_user(),
                now=clock.now(),
                expected_version=_version(form),
                description=form.description.data,
                owner=_chosen_user(form.owner.data),
            )
            flash("Action saved", "success")
            return redirect(url_for("items.view_action", action_id=action.id))
    status = page_status(form)
    return render_template(
        "items/edit_action.html", form=form, action=action, conflict=form.conflict
    ), status


@bp.route("/actions/<int:action_id>/update", methods=["GET", "POST"])
@allow(STAFF)
def update_action(action_id: int):
    action = load_or_404(queries.get_action, action_id, may=can_update_action)
    form = UpdateActionForm()
    if not (can_cancel_action_directly(current_user, action)
            or action.status is ActionStatus.CANCELLED):
        # The owner asks the lead officer instead ("Ask to cancel").
        form.status.choices = [choice for choice in form.status.choices
                               if choice.value != ActionStatus.CANCELLED.value]
    if request.method == "GET":
        form.version.data = action.version
        form.status.data = action.status.value
        form.evidence_link.data = action.evidence_link
    if form.validate_on_submit():
        with rules_on_form(form):
            service.update_action(
                action,
                actor=acting_user(),
                now=clock.now(),
                expected_version=_version(form),
                status=ActionStatus(form.status.data),
                commentary=form.commentary.data or "",
                evidence_link=form.evidence_link.data or "",
                files=uploaded_files(form.files),
            )
            flash("Update saved", "success")
            if request.args.get("back") == "my-actions":
                return redirect(url_for("items.my_actions"))
            return redirect(url_for("items.view_action", action_id=action.id))
    status = page_status(form)
    last = last_entry_of_action(action) if form.conflict else None
    latest = history_in_words([last]) if last is not None else []
    return render_template(
        "items/update_action.html", form=form, action=action, conflict=form.conflict,
        latest=latest, last_update=last_update_of_action(action),
    ), status


@bp.route("/actions/<int:action_id>/due-date", methods=["GET", "POST"])
@allow(STAFF)
def change_due_date(action_id: int):
    action = load_or_404(queries.get_action, action_id, may=can_update_action)
    form = DueDateForm()
    if form.validate_on_submit():
        with rules_on_form(form):
            change = service.change_due_date(
                action, actor=acting_user(), now=clock.now(),
                new_date=form.new_date.data, reason=form.reason.data,
            )
            if change.state.value == "approved":
                flash("Due date changed", "success")
            else:
                flash("Your request has been sent to the lead officer for a decision", "success")
            return redirect(url_for("items.view_action", action_id=action.id))
    status = page_status(form)
    return render_template(
        "items/change_due_date.html", form=form, action=action,
        direct=can_move_due_date_directly(current_user, action),
        waiting=service.pending_due_date_change(action),
    ), status


@bp.route("/actions/<int:action_id>/cancel", methods=["GET", "POST"])
@allow(STAFF)
def cancel_action(action_id: int):
    action = load_or_404(queries.get_action, action_id, may=can_ask_to_cancel_action)
    form = CancelActionForm()
    if form.validate_on_submit():
        with rules_on_form(form):
            asked = service.cancel_action(action, actor=acting_user(), now=clock.now(),
                                          reason=form.reason.data)
            if asked is None:
                flash("Action cancelled", "success")
            else:
                flash("Your request has been sent to the lead officer for a decision", "success")
            return redirect(url_for("items.view_action", action_id=action.id))
    return render_template(
        "items/cancel_action.html", form=form, action=action,
        direct=can_cancel_action_directly(current_user, action),
        waiting=service.pending_cancellation(action),
    ), page_status(form)


# The two kinds of request to the lead officer: the decision form and the page of each.
_REQUEST_PAGES = {
    DueDateChange: (DecisionForm, "items/decide_due_date.html"),
    CancellationRequest: (CancellationDecisionForm, "items/decide_cancellation.html"),
}


def _asked(change_id: int | None, cancellation_id: int | None):
    """The request a route names, if the signed-in person may see it."""
    if change_id is not None:
        return load_or_404(queries.get_due_date_change, change_id, may=can_see_request)
    return load_or_404(queries.get_cancellation, cancellation_id, may=can_see_request)


@bp.route("/due-date-changes/<int:change_id>", methods=["GET", "POST"])
@bp.route("/cancellations/<int:cancellation_id>", methods=["GET", "POST"])
@allow(STAFF)
def decide_request(change_id: int | None = None, cancellation_id: int | None = None):
    """A request's page: what was asked; the decision form for the lead officer, and the
    withdraw button for the person who asked."""
    asked = _asked(change_id, cancellation_id)
    form_class, template = _REQUEST_PAGES[type(asked)]
    form = form_class()
    deciding = can_decide_request(current_user, asked)
    if request.method == "POST":
        require(deciding)
    if form.validate_on_submit():
        with rules_on_form(form):
            service.decide_request(asked, actor=acting_user(), now=clock.now(),
                                   approve=form.decision.data == "approve",
                                   note=form.note.data or "")
            flash("Decision saved", "success")
            return redirect(url_for("items.view_action", action_id=asked.action_id))
    return render_template(
        template, form=form, change=asked, deciding=deciding,
        asked_by_me=asked.requested_by_id == current_user.id,
    ), page_status(form)


@bp.route("/due-date-changes/<int:change_id>/withdraw", methods=["POST"])
@bp.route("/cancellations/<int:cancellation_id>/withdraw", methods=["POST"])
@allow(STAFF)
def withdraw_request(change_id: int | None = None, cancellation_id: int | None = None):
    """The person who asked (or an administrator) takes a waiting request back. The form is
    only a button: its one possible error is an expired form token, which Flask-WTF answers
    itself."""
    asked = _asked(change_id, cancellation_id)
    if not asked.is_waiting:
        flash(f"That request is no longer waiting: it was {asked.state.value}", "info")
    else:
        require(can_withdraw_request(current_user, asked))
        if WithdrawForm().validate_on_submit():
            service.withdraw_request(asked, actor=acting_user(), now=clock.now())
            flash("Request withdrawn", "success")
    return redirect(url_for("items.view_action", action_id=asked.action_id))


@bp.route("/items/<int:item_id>/status", methods=["GET", "POST"])
@allow(STAFF)
def override_rag(item_id: int):
    item = load_or_404(queries.get_item, item_id, may=can_override_rag)
    form = RagOverrideForm()
    if request.method == "GET":
        form.rag.data = item.rag_override.value if item.rag_override else ""
    if form.validate_on_submit():
        with rules_on_form(form):
            service.override_rag(
                item, actor=acting_user(), now=clock.now(),
                rag=Rag(form.rag.data) if form.rag.data else None, reason=form.reason.data,
            )
            flash("Status saved", "success")
            return redirect(url_for("items.view_item", item_id=item.id))
    status = page_status(form)
    return render_template(
        "items/override_rag.html", form=form, item=item,
        status=queries.status_of(item, clock.today(), _rules()),
    ), status


@bp.route("/items/<int:item_id>/complete", methods=["GET", "POST"])
@allow(STAFF)
def mark_complete(item_id: int):
    item = load_or_404(queries.get_item, item_id, may=can_mark_item_complete)
    form = MarkCompleteForm()
    if request.method == "GET":
        form.outcome_evidence.data = item.outcome_evidence
    if form.validate_on_submit():
        with rules_on_form(form):
            service.mark_item_complete(
                item, actor=acting_user(), now=clock.now(),
                outcome_evidence=form.outcome_evidence.data,
            )
            flash("Item marked complete: it now needs signing off by someone else", "success")
            return redirect(url_for("items.view_item", item_id=item.id))
    status = page_status(form)
    return render_template("items/mark_complete.html", form=form, item=item,
                           completion=service.completion_check(item)), status


@bp.route("/items/<int:item_id>/sign-off", methods=["GET", "POST"])
@allow(STAFF)
def sign_off(item_id: int):
    item = load_or_404(queries.get_item, item_id, may=can_sign_off_item)
    form = SignOffForm()
    if form.validate_on_submit():
        with rules_on_form(form):
            if form.decision.data == "sign-off":
                service.sign_off_item(
                    item, actor=acting_user(), now=clock.now(), comment=form.comment.data or ""
                )
                message = "Item signed off: it is now complete"
            else:
                service.refuse_sign_off(
                    item, actor=acting_user(), now=clock.now(), reason=form.comment.data or ""
                )
                message = "Item sent back to the lead officer"
            flash(message, "success")
            return redirect(url_for("items.view_item", item_id=item.id))
    status = page_status(form)
    return render_template("items/sign_off.html", form=form, item=item), status


@bp.route("/my-actions")
@allow(STAFF)
def my_actions():
    mine = queries.actions_for_owner(acting_user(), clock.today(),
                                     page=page_number(request.args.get("page")))
    return render_template("items/my_actions.html", mine=mine, groups=mine.groups)


@bp.route("/due-date-changes")
@allow(STAFF)
def due_date_requests():
    user = acting_user()
    return render_template(
        "items/due_date_requests.html",
        page=queries.pending_due_date_requests_for(
            user, page=page_number(request.args.get("page"))),
        cancellations=queries.pending_cancellations_for(
            user, page=page_number(request.args.get("cancellations_page"))),
    )
