"""What every request shares: the single commit point, error pages and template helpers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from tracker import clock, formatting, permissions
from tracker.accounts.models import Role, SignInOutcome, User
from tracker.accounts.sessions import end_current_session
from tracker.accounts.signin import record
from tracker.addresses import row_address
from tracker.evidence.sniff import size_in_words
from tracker.extensions import db
from tracker.forms import error_list, select_options
from tracker.pagination import page_links
from tracker.settings import settings

T = TypeVar("T")


def acting_user() -> User:
    """The signed-in person, as the model object the services record as the actor."""
    return current_user._get_current_object()


def load_or_404(get: Callable[[int, int], T | None], object_id: int,
                may: Callable[[User, T], bool] | None = None, *,
                missing: Callable[[], Any] | None = None) -> T:
    """The signed-in person's council's object with this id, or 404; then, when `may` is
    given, 403 unless the person may touch it (404 before 403, so another council's objects
    are never confirmed to exist).

    `get(council_id, object_id)` is the area's own council-scoped query, which answers None
    for another council's object as for a missing one. `missing` makes an area's own 404
    page, where it has one.
    """
    found = get(current_user.council_id, object_id)
    if found is None:
        abort(404 if missing is None else make_response(missing()))
    if may is not None:
        permissions.require(may(current_user, found))
    return found


# The largest id a database integer column holds (as `<int:…>` in URLs, tracker/__init__.py).
LARGEST_ID = 2**31 - 1


def id_from_query(value: str | None) -> int | None:
    """A row id given in the query string (`?committee=12`), or None for anything that is not
    one: not ASCII digits, or past the largest id (which would overflow the database driver:
    an id that cannot exist is simply not found)."""
    if not value or not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number <= LARGEST_ID else None


SERVICE_NAME = "Improvement tracker"

# The section of the navigation each page belongs to: by its endpoint where that differs from
# its blueprint's, else by its blueprint; a page in none (your account) highlights nothing.
_SECTION_OF_ENDPOINT = {
    "items.my_actions": "my actions",
    "items.update_action": "my actions",
    "items.change_due_date": "my actions",
    "items.cancel_action": "my actions",
    "questions.waiting_for_me": "my actions",
    "questions.answer_question": "my actions",
    "reminders.pause_mine": "my actions",
    "reminders.pause_for_user": "users",
    "data_protection.inspection_retention": "inspections",
    "reports.report_schedule": "committees",
    "reports.report_details": "committees",
    "reports.draft_report": "committees",
    "reports.issue_report": "committees",
    "accounts.sign_in": "",
    "accounts.your_account": "",
    "dashboard.how_status_is_worked_out": "",
}
_SECTION_OF_BLUEPRINT = {
    "dashboard": "dashboard", "items": "items", "evidence": "items", "partners": "items",
    "inspections": "inspections", "plan_import": "inspections", "committees": "committees",
    "questions": "committees", "reports": "reports", "accounts": "users",
    "reminders": "reminders", "data_protection": "users",
}


def nav_section(endpoint: str | None) -> str:
    """The navigation section ("my actions", "committees" …) a page belongs to, or ""."""
    if not endpoint:
        return ""
    if endpoint in _SECTION_OF_ENDPOINT:
        return _SECTION_OF_ENDPOINT[endpoint]
    return _SECTION_OF_BLUEPRINT.get(endpoint.partition(".")[0], "")


@dataclass(frozen=True)
class NavLink:
    """A link of the service navigation: where it goes, its words, whether this page is in its
    section."""

    href: str
    text: str
    active: bool


# The navigation's sections in order: (section, endpoint, words). "my actions" is for staff;
# "users" and "reminders" for those who manage users.
_NAVIGATION = (
    ("dashboard", "dashboard.home", "Dashboard"),
    ("my actions", "items.my_actions", "My actions"),
    ("items", "items.list_items", "Items"),
    ("inspections", "inspections.list_inspections", "Inspections"),
    ("committees", "committees.list_committees", "Committees"),
    ("reports", "reports.list_reports", "Reports"),
    ("users", "accounts.list_users", "Users"),
    ("reminders", "reminders.admin", "Reminders"),
)


@dataclass(frozen=True)
class LayoutLinks:
    """The addresses the layout links to on every page: the service's home, your account,
    signing out, the footer's page, the stylesheet, icon and script (with their content's
    hash), and the navigation's sections as (section, address, words)."""

    home: str
    your_account: str
    sign_out: str
    how_status_is_worked_out: str
    stylesheet: str
    icon: str
    script: str
    sections: tuple[tuple[str, str, str], ...]


def layout_links() -> LayoutLinks:
    """The layout's links for this request. They depend on nothing a request carries but the
    address the app is served under (its script root), so they are made once per process
    for each, not fifteen times a page (3 to 7 microseconds a link)."""
    return _layout_links(current_app._get_current_object(), request.script_root)


@lru_cache(maxsize=8)
def _layout_links(app: Flask, script_root: str) -> LayoutLinks:
    return LayoutLinks(
        home=url_for("dashboard.home"),
        your_account=url_for("accounts.your_account"),
        sign_out=url_for("accounts.sign_out"),
        how_status_is_worked_out=url_for("dashboard.how_status_is_worked_out"),
        stylesheet=url_for("static", filename="build/tracker.css"),
        icon=url_for("static", filename="favicon.svg"),
        script=url_for("static", filename="build/tracker.js"),
        sections=tuple((name, url_for(target), text) for name, target, text in _NAVIGATION),
    )


def navigation(user: User, endpoint: str | None) -> list[NavLink]:
    """The links of the service navigation for a signed-in person on the page of `endpoint`,
    the link of the page's section active (`nav_section`)."""
    section = nav_section(endpoint)
    manages_users = permissions.can_manage_users(user)
    shown = []
    for name, href, text in layout_links().sections:
        if name == "my actions" and user.role is Role.COMMITTEE_MEMBER:
            continue
        if name in ("users", "reminders") and not manages_users:
            continue
        shown.append(NavLink(href, text, section == name))
    return shown


def name_before_sign_in() -> str | None:
    """The council a page names before anyone signs in: the only council in the database,
    or None when it holds several (or none), and the page names the service alone."""
    from tracker.accounts.service import all_councils

    councils = all_councils()
    return councils[0].name if len(councils) == 1 else None


def link(href: str, text: str, hidden: str = "") -> Markup:
    """A GOV.UK link, its text escaped; `hidden` adds words for screen readers only."""
    if hidden:
        return Markup(
            '<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden"> {}</span></a>'
        ).format(href, text, hidden)
    return Markup('<a class="govuk-link" href="{}">{}</a>').format(href, text)


_WEB_LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def linked_text(text: str) -> Markup:
    """Text people typed, escaped, with each web link in it (http or https) made a link that
    opens it; a full stop or bracket closing a sentence is not taken as part of the link."""
    parts = []
    last = 0
    for match in _WEB_LINK.finditer(text or ""):
        url = match.group(0).rstrip(".,;:!?)")
        end = match.start() + len(url)
        parts.append(escape(text[last:match.start()]))
        parts.append(link(url, url))
        last = end
    parts.append(escape((text or "")[last:]))
    return Markup("").join(parts)


# Everything from this site only; no inline script or style anywhere, no plugins, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# The headers every response carries (unless it sets its own), in the order they are added.
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"),
)


@permissions.allow(permissions.PUBLIC)
def health() -> Response:
    """For a load balancer or service manager: this web process answers. It reads nothing from
    the database, so it is also the load benchmark's reference for the fastest possible page."""
    return Response("OK\n", mimetype="text/plain")


# The idle time is noted to the minute: a cookie re-signed and sent back on every request
# would cost more than the page it comes with when the page is a kept one.
SEEN_AT_STEP_SECONDS = 60


def register_request_handling(app: Flask) -> None:
    """Install the commit point, error handlers, security headers and template helpers."""

    @app.before_request
    def refuse_nul_characters() -> None:
        # No person types a NUL character, and PostgreSQL cannot store one in text: not in
        # any name or value (every value of a repeated field), nor in an uploaded file's name.
        # A request without a content type has no form or files (werkzeug parses a body only
        # then), so only its query string is read.
        sources = (request.args, request.form) if request.want_form_data_parsed else (
            request.args,)
        if any("\x00" in name or any("\x00" in text for text in items)
               for values in sources for name, items in values.lists()):
            abort(400)
        if request.want_form_data_parsed and any(
                "\x00" in (upload.filename or "")
                for _, uploads in request.files.lists() for upload in uploads):
            abort(400)

    @app.before_request
    def refuse_json_bodies() -> None:
        # Every form posts form data. Flask-WTF would read a JSON body as the form, with
        # numbers, nulls and lists where the fields expect text: an error page (500).
        if request.method != "GET" and request.is_json:
            abort(400)

    @app.before_request
    def sign_out_when_idle() -> Any:
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        # A page that needs no sign-in (a calendar feed, a partner's link, /health) answers as
        # it is; the idle clock is left for the next page that does.
        view = app.view_functions.get(request.endpoint or "")
        if getattr(view, "access_rule", None) in (permissions.PUBLIC, permissions.API_TOKEN):
            return None
        now = int(clock.now().timestamp())
        idle_limit = settings().session_idle_minutes
        seen_at = session.get("seen_at")
        if isinstance(seen_at, int) and now - seen_at > idle_limit * 60:
            record(SignInOutcome.TIMED_OUT, email=current_user.email, user=current_user,
                   address=request.remote_addr or "", now=clock.now())
            end_current_session(session, now=clock.now())
            db.session.commit()
            logout_user()
            session.clear()
            flash(f"You were signed out because you had not used the tracker for "
                  f"{idle_limit} minutes. Sign in again to carry on.", "info")
            next_url = request.full_path if request.method == "GET" else None
            return redirect(url_for("accounts.sign_in", next=next_url))
        if not isinstance(seen_at, int) or now - seen_at >= SEEN_AT_STEP_SECONDS:
            session["seen_at"] = now
        return None

    @app.after_request
    def commit_or_roll_back(response: Response) -> Response:
        # One commit per request, and only for a success: a form re-shown with errors (400),
        # a conflict (409) or any failure leaves nothing half-written.
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.after_request
    def security_headers(response: Response) -> Response:
        # Each is added unless the response has its own: a download that sets its own policy
        # (the report's HTML file) keeps it. The names present are read once.
        headers = response.headers
        present = {name.lower() for name, _ in headers}
        for name, value in SECURITY_HEADERS:
            if name.lower() not in present:
                headers.add(name, value)
        if app.config["SESSION_COOKIE_SECURE"] and "strict-transport-security" not in present:
            # Served over HTTPS: browsers keep to HTTPS for a year.
            headers.add("Strict-Transport-Security", "max-age=31536000")
        if response.mimetype == "text/html" and "cache-control" not in present:
            headers.add("Cache-Control", "no-store")
        return response

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError) -> tuple[str, int]:
        db.session.rollback()
        return render_template("errors/csrf.html"), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        db.session.rollback()
        if error.code in (400, 403, 404, 405, 413):
            return render_template(f"errors/{error.code}.html", error=error), error.code
        return error

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        app.logger.exception("Unexpected error")
        return render_template("errors/500.html"), 500

    app.add_template_filter(formatting.long_date, "long_date")
    app.add_template_filter(formatting.short_date, "short_date")
    app.add_template_filter(formatting.date_and_time, "date_and_time")
    app.add_template_filter(formatting.marked_text_blocks, "marked_text_blocks")
    app.add_template_filter(formatting.plural, "plural")
    app.add_template_filter(linked_text, "linked")
    app.add_template_filter(size_in_words, "file_size")

    app.add_url_rule("/health", "health", health)

    app.add_template_global(error_list, "form_error_list")
    app.add_template_global(select_options, "select_options")
    app.add_template_global(link, "link")
    app.add_template_global(navigation, "navigation")
    app.add_template_global(layout_links, "layout_links")
    app.add_template_global(page_links, "page_links")
    # Long lists link each row with it: one url_for a list (tracker/addresses.py).
    app.add_template_global(row_address, "row_address")

    @app.context_processor
    def helpers() -> dict[str, Any]:
        if current_user.is_authenticated:
            council_name = current_user.council.name
        else:
            council_name = settings().council_name or name_before_sign_in()
        return {
            "can": permissions,
            "today": clock.today(),
            "status_rules": settings().status_rules,
            # Named for the council when it is known, else for the service alone.
            "council_name": council_name or SERVICE_NAME,
            "council_known": bool(council_name),
        }
