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
from tracker.accounts import service, signin
from tracker.accounts.forms import ACTIVE, DEACTIVATED, AddUserForm, EditUserForm, SignInForm
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
            # The record of the attempt is kept though the answer is a refusal: the commit
            # point would roll it back with the error status.
            db.session.commit()
            form.form_errors.append(refused.message)
            return render_template("accounts/sign_in.html", form=form), refused.status
        next_url = safe_next_url(request.args.get("next"))
        # A fresh session at sign-in, so nothing planted before it survives (fixation).
        session.clear()
        login_user(user)
        session["seen_at"] = int(clock.now().timestamp())
        # When this session began: sessions begun before their person's sessions were ended
        # no longer sign in (service.end_sessions_of).
        session["signed_in_at"] = clock.now().timestamp()
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
            )
            flash(f"Changes to {user.name} saved", "success")
            return redirect(url_for("accounts.list_users"))
    return render_template("accounts/edit_user.html", form=form, user=user), page_status(form)
