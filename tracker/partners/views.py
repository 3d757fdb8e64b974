"""Partner links: the lead officer sends and revokes them; the partner's page, reached without
signing in, for one action only."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from tracker import clock
from tracker.evidence import files
from tracker.evidence.files import evidence_of
from tracker.evidence.views import file_response
from tracker.formatting import long_date
from tracker.forms import page_status, rules_on_form, uploaded_files
from tracker.items import queries
from tracker.items.models import ActionStatus
from tracker.partners import service
from tracker.partners.forms import PartnerUpdateForm, SendLinkForm
from tracker.partners.models import PartnerLink
from tracker.permissions import PUBLIC, STAFF, allow, can_edit_action, require
from tracker.settings import settings
from tracker.web import acting_user, load_or_404

bp = Blueprint("partners", __name__)


@bp.route("/actions/<int:action_id>/partner-links/new", methods=["GET", "POST"])
@allow(STAFF)
def send_link(action_id: int):
    action = load_or_404(queries.get_action, action_id, may=can_edit_action)
    form = SendLinkForm()
    if request.method == "GET":
        form.days.data = str(service.DEFAULT_DAYS)
    if form.validate_on_submit():
        with rules_on_form(form):
            sent = service.send_partner_link(
                action, actor=acting_user(), now=clock.now(),
                days=form.day_count)
            flash(f"Link sent to {sent.link.recipient.display_name}. It works until the end "
                  f"of {long_date(service.last_day(sent.link))}.", "success")
            return redirect(url_for("items.view_action", action_id=action.id))
    return render_template(
        "partners/send.html", form=form, action=action,
        sendable=service.partner_can_be_sent_a_link(action),
    ), page_status(form)


@bp.route("/actions/<int:action_id>/partner-links/<int:link_id>/revoke", methods=["POST"])
@allow(STAFF)
def revoke_link(action_id: int, link_id: int):
    link = service.get_link(current_user.council_id, link_id)
    if link is None or link.action_id != action_id:
        abort(404)
    require(can_edit_action(current_user, link.action))
    # The form is only a button: its one possible error is an expired form token, which
    # Flask-WTF answers itself (the CSRF error page).
    if service.revoke_partner_link(link, actor=acting_user(),
                                   now=clock.now()):
        flash(f"Link to {link.recipient.display_name} revoked: it no longer works", "success")
    else:
        flash("That link had already stopped working", "info")
    return redirect(url_for("items.view_action", action_id=link.action_id))


# --- the partner's pages: no account, no session needed, never kept -----------------------


def _private(response: Any) -> Any:
    """The partner's pages carry a secret in their address: never stored, indexed or passed
    on (a link the partner follows from the page does not carry the address with it)."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused(refusal: service.LinkRefused):
    link = refusal.link
    if link is None:
        return _private((render_template("partners/link_unknown.html"), 404))
    return _private((render_template(
        "partners/link_gone.html", reason=refusal.reason, contact=service.whom_to_ask(link),
        council_name=_council_name(link),
    ), 410))


def _council_name(link: PartnerLink) -> str:
    return link.action.item.finding.inspection.council.name


def _council_id(link: PartnerLink) -> int:
    return link.action.item.finding.inspection.council_id


def _open(link_token: str) -> PartnerLink | Any:
    try:
        return service.open_partner_link(link_token, now=clock.now())
    except service.LinkRefused as refusal:
        return _refused(refusal)


@bp.route("/partner/<link_token>", methods=["GET", "POST"])
@allow(PUBLIC)
def partner_update(link_token: str):
    link = _open(link_token)
    if not isinstance(link, PartnerLink):
        return link
    action = link.action
    form = PartnerUpdateForm()
    if request.method == "GET":
        form.version.data = str(action.version)
        form.status.data = (action.status.value if action.status in service.PARTNER_STATUSES
                            else ActionStatus.IN_PROGRESS.value)
        form.evidence_link.data = action.evidence_link
    if form.validate_on_submit():
        with rules_on_form(form):
            try:
                service.post_partner_update(
                    link, now=clock.now(), expected_version=form.expected_version,
                    status=ActionStatus(form.status.data),
                    commentary=form.commentary.data or "",
                    evidence_link=form.evidence_link.data or "",
                    files=uploaded_files(form.files),
                    daily_posts=settings().partner_link_daily_posts)
            except service.LinkRefused as refusal:
                return _refused(refusal)
            return _private(redirect(url_for("partners.partner_update_sent",
                                             link_token=link_token)))
    return _private((render_template(
        "partners/update.html", form=form, link=link, action=action, item=action.item,
        contact=service.whom_to_ask(link), council_name=_council_name(link),
        conflict=form.conflict, last_day=service.last_day(link),
        evidence=evidence_of(action.item, action), link_token=link_token,
    ), page_status(form)))


@bp.route("/partner/<link_token>/evidence/<int:file_id>")
@allow(PUBLIC)
def partner_file(link_token: str, file_id: int):
    """A file of the partner's own action, through their link; any other file is missing."""
    link = _open(link_token)
    if not isinstance(link, PartnerLink):
        return link
    evidence = files.get_file(_council_id(link), file_id)
    if evidence is None or not files.partner_may_open(link, evidence):
        abort(404)
    return _private(file_response(evidence))


@bp.route("/partner/<link_token>/sent")
@allow(PUBLIC)
def partner_update_sent(link_token: str):
    link = _open(link_token)
    if not isinstance(link, PartnerLink):
        return link
    return _private(render_template(
        "partners/sent.html", link=link, action=link.action, item=link.action.item,
        contact=service.whom_to_ask(link), council_name=_council_name(link),
        last_day=service.last_day(link),
    ))
