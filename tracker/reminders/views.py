"""Pausing one's reminders, and the administrators' reminders pages: delivery log, preview of
tomorrow, outbox and "run reminders now"."""

from __future__ import annotations

from datetime import datetime
from email.utils import parsedate_to_datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from tracker import clock
from tracker.accounts import service as accounts
from tracker.extensions import db
from tracker.formatting import UK, long_date
from tracker.forms import page_status, rules_on_form
from tracker.jobs.models import JobLock
from tracker.jobs.run import reminders_by_hand
from tracker.jobs.status import job_statuses
from tracker.mail import outbox_file, outbox_files, parse_message
from tracker.permissions import ADMIN_ONLY, STAFF, allow
from tracker.reminders import notices, service
from tracker.reminders.forms import PauseForm
from tracker.settings import settings
from tracker.web import acting_user, load_or_404

bp = Blueprint("reminders", __name__)
# Words of notices, for the daily email and the dashboard (plain text, escaped where shown).
bp.add_app_template_filter(notices.notice_title, "notice_title")
bp.add_app_template_filter(notices.notice_words, "notice_words")
bp.add_app_template_filter(notices.waiting_words, "waiting_words")


def _pause_page(user, back_href: str, done_href: str):
    form = PauseForm()
    if request.method == "GET":
        form.until.data = user.reminders_paused_until
    if form.validate_on_submit():
        with rules_on_form(form):
            service.pause_reminders(user, actor=acting_user(), now=clock.now(),
                                    until=form.until.data)
            if form.until.data:
                flash(f"Reminders paused until {long_date(form.until.data)}", "success")
            else:
                flash("Reminders are on", "success")
            return redirect(done_href)
    return render_template("reminders/pause.html", form=form, user=user,
                           back_href=back_href), page_status(form)


@bp.route("/reminders/pause", methods=["GET", "POST"])
@allow(STAFF)
def pause_mine():
    home = url_for("dashboard.home")
    return _pause_page(current_user, home, url_for("reminders.pause_mine"))


@bp.route("/users/<int:user_id>/reminders", methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def pause_for_user(user_id: int):
    user = load_or_404(accounts.get_user, user_id)
    back = url_for("accounts.edit_user", user_id=user.id)
    return _pause_page(user, back, url_for("reminders.admin"))


@bp.route("/admin/reminders")
@allow(ADMIN_ONLY)
def admin():
    now = clock.now()
    jobs = job_statuses(settings(), now, council_id=current_user.council_id)
    # The preview is of the next daily run, on its real date.
    next_run = service.next_reminder_run(
        now, settings().reminders, db.session.get(JobLock, "daily-reminders"))
    preview = service.plan_reminders(next_run.astimezone(UK).date(), settings=settings(),
                                     council_id=current_user.council_id)
    deliveries = service.recent_deliveries(current_user.council_id)
    return render_template("reminders/admin.html", deliveries=deliveries, preview=preview,
                           jobs=jobs, next_run=next_run, backend=settings().mail.backend)


@bp.route("/admin/reminders/run", methods=["POST"])
@allow(ADMIN_ONLY)
def run_now():
    # The job commits each claim before it sends (mail is safe because of the database), and
    # records the run, so "Last run" on the page moves.
    outcome = reminders_by_hand(current_user.council_id)
    if outcome is None:
        flash("Reminders are being run already: look again in a minute", "info")
    else:
        flash(f"Reminders run: {outcome}", "info" if " 0 failed" not in outcome else "success")
    return redirect(url_for("reminders.admin"))


def sent_at(message) -> datetime | None:
    """When a stored message was written, from its Date header (None without one)."""
    try:
        return parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        return None


def _addresses_of_council() -> set[str]:
    return {user.email.lower() for user in accounts.users_of_council(current_user.council_id)}


@bp.route("/admin/outbox")
@allow(ADMIN_ONLY)
def outbox():
    addresses = _addresses_of_council()
    messages = []
    for path in outbox_files(current_app.instance_path)[:500]:
        message = parse_message(path.read_bytes())
        # Only the council's own people's mail: the outbox folder is shared by the install.
        if str(message["To"] or "").lower() in addresses:
            messages.append({"name": path.name, "to": message["To"],
                             "subject": message["Subject"],
                             "date": sent_at(message)})
    return render_template("reminders/outbox.html", messages=messages,
                           backend=settings().mail.backend)


@bp.route("/admin/outbox/<name>")
@allow(ADMIN_ONLY)
def outbox_message(name: str):
    path = outbox_file(current_app.instance_path, name)
    if path is None:
        abort(404)
    raw = path.read_bytes()
    message = parse_message(raw)
    if str(message["To"] or "").lower() not in _addresses_of_council():
        abort(404)
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    return render_template(
        "reminders/outbox_message.html", name=path.name, message=message,
        sent=sent_at(message), text=text_part.get_content() if text_part else "",
        html=html_part.get_content() if html_part else "",
    )
