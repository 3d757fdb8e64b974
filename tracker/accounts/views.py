"""Signing in and out, and the administrators' screens for the council's users."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from tracker import clock
from tracker.access.models import TokenPurpose
from tracker.access.service import active_tokens
from tracker.accounts import passwords, service, sessions, signin
from tracker.accounts.forms import (
    ACTIVE,
    DEACTIVATED,
    AddUserForm,
    ChangePasswordForm,
    ConfirmForm,
    EditUserForm,
    ForgottenPasswordForm,
    ResetPasswordForm,
    SignInForm,
)
from tracker.accounts.models import SignInOutcome
from tracker.extensions import db
from tracker.forms import page_status, rules_on_form
from tracker.pagination import page_number
from tracker.permissions import ADMIN_ONLY, ALL_ROLES, PUBLIC, allow
from tracker.settings import settings
from tracker.web import acting_user, load_or_404

bp = Blueprint("accounts", __name__)

WRONG_CREDENTIALS = "Enter a correct email address and password"


def safe_next_url(target: str | None) -> str | None:
    """The `next` address if it is a page on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read a backslash as a slash, and control characters can hide a host.
    if "\\" in target or any(ord(char) < 32 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@allow(PUBLIC)
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = SignInForm()
    status = 400 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            user = signin.sign_in(
                form.email.data, form.password.data, address=request.remote_addr or "",
                now=clock.now(), rules=settings().sign_in)
        except signin.SignInRefused as refused:
            # The record of the attempt is committed already, in a transaction of its own.
            form.form_errors.append(refused.message)
            return render_template("accounts/sign_in.html", form=form), refused.status
        next_url = safe_next_url(request.args.get("next"))
        # A fresh session at sign-in, so nothing planted before it survives (fixation).
        session.clear()
        login_user(user)
        session[sessions.SESSION_KEY] = sessions.start_session(user, now=clock.now())
        session["seen_at"] = int(clock.now().timestamp())
        return redirect(next_url or url_for("dashboard.home"))
    if form.password.errors and WRONG_CREDENTIALS in form.password.errors:
        # Over-long password: the same single message as any wrong pair.
        form.password.errors = []
        form.form_errors.append(WRONG_CREDENTIALS)
    return render_template("accounts/sign_in.html", form=form), status


@bp.route("/sign-out", methods=["POST"])
@allow(ALL_ROLES)
def sign_out():
    signin.record(SignInOutcome.SIGNED_OUT, email=current_user.email, user=current_user,
                  address=request.remote_addr or "", now=clock.now())
    # Ended on the server: a copy of the cookie no longer signs anyone in.
    sessions.end_current_session(session, now=clock.now())
    logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/account")
@allow(ALL_ROLES)
def your_account():
    calendar = active_tokens(current_user, TokenPurpose.CALENDAR)
    return render_template("accounts/your_account.html", calendar=calendar[0] if calendar else None,
                           api_tokens=active_tokens(current_user, TokenPurpose.API))


@bp.route("/users")
@allow(ADMIN_ONLY)
def list_users():
    page = service.users_page(current_user.council_id,
                              page=page_number(request.args.get("page")))
    return render_template("accounts/list_users.html", page=page)


@bp.route("/users/sign-ins")
@allow(ADMIN_ONLY)
def sign_in_record():
    events = signin.sign_in_record(current_user.council_id)
    return render_template("accounts/sign_in_record.html", events=events)


@bp.route("/users/new", methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def add_user():
    form = AddUserForm()
    if form.validate_on_submit():
        with rules_on_form(form):
            user = service.create_user(
                council=current_user.council,
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                password=form.password.data,
                job_title=form.job_title.data,
                organisation=form.organisation.data,
                telephone=form.telephone.data,
            )
            flash(f"{user.name} has been added. Give them their password securely.", "success")
            return redirect(url_for("accounts.list_users"))
    return render_template("accounts/add_user.html", form=form), page_status(form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def edit_user(user_id: int):
    user = load_or_404(service.get_user, user_id)
    form = EditUserForm(obj=user, status=ACTIVE if user.active else DEACTIVATED)
    if form.validate_on_submit():
        with rules_on_form(form):
            service.change_user(
                user,
                actor=acting_user(),
                name=form.name.data,
                job_title=form.job_title.data,
                organisation=form.organisation.data,
                telephone=form.telephone.data,
                role=form.role.data,
                active=form.active,
                now=clock.now(),
                keep_session=session.get(sessions.SESSION_KEY) if user == current_user else None,
            )
            flash(f"Changes to {user.name} saved", "success")
            return redirect(url_for("accounts.list_users"))
    return render_template("accounts/edit_user.html", form=form, user=user), page_status(form)


@bp.route("/account/password", methods=["GET", "POST"])
@allow(ALL_ROLES)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with rules_on_form(form):
            passwords.change_password(
                acting_user(), current=form.current_password.data, new=form.new_password.data,
                now=clock.now(), address=request.remote_addr or "",
                keep_session=session.get(sessions.SESSION_KEY))
            flash("Your password has been changed. You have been signed out everywhere "
                  "else.", "success")
            return redirect(url_for("accounts.your_account"))
    return render_template("accounts/change_password.html", form=form), page_status(form)


@bp.route("/forgotten-password", methods=["GET", "POST"])
@allow(PUBLIC)
def forgotten_password():
    form = ForgottenPasswordForm()
    if form.validate_on_submit():
        try:
            passwords.ask_for_reset(form.email.data, address=request.remote_addr or "",
                                    now=clock.now(), rules=settings().sign_in)
        except signin.SignInRefused as refused:
            db.session.commit()  # the refusal stays in the sign-in record
            form.form_errors.append(refused.message)
            return render_template("accounts/forgotten_password.html", form=form), \
                refused.status
        # The same answer whether or not the address has an account.
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgotten_password.html", form=form), page_status(form)


@bp.route("/reset-password/<reset_secret>", methods=["GET", "POST"])
@allow(PUBLIC)
def reset_password(reset_secret: str):
    try:
        reset = passwords.open_reset_link(reset_secret, now=clock.now())
    except passwords.ResetLinkRefused as refused:
        return render_template("accounts/reset_link_gone.html"), refused.status
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with rules_on_form(form):
            passwords.reset_password(reset, new=form.password.data, now=clock.now(),
                                     address=request.remote_addr or "")
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash("Your password has been changed. Sign in with your new password.", "success")
            return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset_password.html", form=form, reset=reset), \
        page_status(form)


@bp.route("/users/<int:user_id>/reset-link", methods=["POST"])
@allow(ADMIN_ONLY)
def send_reset_link(user_id: int):
    user = load_or_404(service.get_user, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with rules_on_form(form):
            passwords.send_reset_link(user, actor=acting_user(), now=clock.now())
            flash(f"A link to choose a new password has been emailed to {user.email}. It "
                  f"works once, for an hour.", "success")
            return redirect(url_for("accounts.edit_user", user_id=user.id))
    flash(" ".join(message for message in form.form_errors) or "The form had expired. "
          "Please try again.", "error")
    return redirect(url_for("accounts.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/end-sessions", methods=["POST"])
@allow(ADMIN_ONLY)
def end_sessions(user_id: int):
    user = load_or_404(service.get_user, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        ended = service.end_sessions_of(user, actor=acting_user(), now=clock.now(),
                                        address=request.remote_addr or "",
                                        keep=session.get(sessions.SESSION_KEY))
        flash(f"{user.name} has been signed out everywhere ({ended} "
              f"{'session' if ended == 1 else 'sessions'} ended).", "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id))
