"""The API tokens page (make, list and revoke your own tokens) and the API itself.

The JSON API lives in `tracker.api.v1`, a blueprint inside this one (endpoints
`api.v1.…`), so that its errors are answered as JSON while this page's are the usual pages.
A new token's secret is shown once, on the page that answers the form; never in a flash
message, which would carry it in the session cookie.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from tracker import clock
from tracker.access.models import TokenPurpose
from tracker.access.service import (
    MOST_API_TOKENS,
    NewToken,
    active_tokens,
    make_api_token,
    revoke_token,
)
from tracker.api import queries
from tracker.api.forms import NewTokenForm, RevokeTokenForm
from tracker.api.v1 import v1
from tracker.forms import page_status, rules_on_form
from tracker.permissions import ALL_ROLES, allow
from tracker.web import acting_user, load_or_404

bp = Blueprint("api", __name__)
bp.register_blueprint(v1)


def _tokens_page(form: NewTokenForm, *, new_token: NewToken | None = None,
                 revoke_form: RevokeTokenForm | None = None, status: int = 200):
    return render_template(
        "api/tokens.html",
        form=form,
        revoke_form=revoke_form or RevokeTokenForm(formdata=None),
        tokens=active_tokens(acting_user(), TokenPurpose.API),
        new_token=new_token,
        most_tokens=MOST_API_TOKENS,
    ), status


@bp.route("/account/api-tokens")
@allow(ALL_ROLES)
def tokens():
    return _tokens_page(NewTokenForm(formdata=None))


@bp.route("/account/api-tokens", methods=["POST"])
@allow(ALL_ROLES)
def make_token():
    form = NewTokenForm()
    if form.validate_on_submit():
        with rules_on_form(form):
            made = make_api_token(acting_user(), form.name.data or "", now=clock.now())
            # Answered here, not by a redirect: the secret is on this page and nowhere else.
            return _tokens_page(NewTokenForm(formdata=None), new_token=made)
    return _tokens_page(form, status=page_status(form))


@bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
@allow(ALL_ROLES)
def revoke(token_id: int):
    token = load_or_404(queries.get_api_token, token_id)
    form = RevokeTokenForm()
    if form.validate_on_submit():
        with rules_on_form(form):
            revoke_token(token, actor=acting_user(), now=clock.now())
            flash(f"Token ‘{token.name}’ revoked: it no longer works", "success")
            return redirect(url_for("api.tokens"))
    return _tokens_page(NewTokenForm(formdata=None), revoke_form=form,
                        status=page_status(form))
