"""Pages of the calendar feed: the person's own settings page, and the feed itself."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from tracker import clock
from tracker import settings as tracker_settings
from tracker.access.service import NewToken
from tracker.calendar_feed import service
from tracker.calendar_feed.forms import TURN_OFF, FeedForm
from tracker.permissions import ALL_ROLES, PUBLIC, allow
from tracker.web import acting_user

bp = Blueprint("calendar_feed", __name__)

# Calendar clients poll; a client that asks again within this time uses its own copy.
# Never a shared cache: the address is the credential.
FEED_CACHE_CONTROL = "private, max-age=300"


def _public_url() -> str:
    return tracker_settings.settings().public_url


def _page(form: FeedForm, made: NewToken | None = None) -> str:
    return render_template(
        "calendar_feed/page.html",
        form=form,
        feed=service.current_feed(acting_user()),
        address=service.feed_address(made.secret, _public_url()) if made else None,
        public_url=_public_url(),
        every_committee=service.sees_every_committee(acting_user()),
        keep_completed_days=service.KEEP_COMPLETED_FOR.days,
    )


@bp.route("/account/calendar", methods=["GET", "POST"])
@allow(ALL_ROLES)
def settings() -> Any:
    form = FeedForm()
    if request.method == "GET":
        return _page(form)
    if not form.validate_on_submit():
        return _page(form), 400
    if form.change.data == TURN_OFF:
        if service.turn_off_feed(acting_user(), now=clock.now()):
            flash("Your calendar feed is off: its address no longer works", "success")
        else:
            flash("Your calendar feed was already off", "success")
        return redirect(url_for("calendar_feed.settings"))
    # The address is shown on this answer only: the tracker keeps its hash, never the address.
    made = service.new_feed_address(acting_user(), now=clock.now())
    return _page(FeedForm(formdata=None), made)


@bp.route("/calendar/<feed_token>.ics")
@allow(PUBLIC)
def feed(feed_token: str) -> Response:
    body = service.feed_by_address(feed_token, now=clock.now(), public_url=_public_url())
    if body is None:
        # The same answer for every kind of wrong address: nothing says which it was.
        return Response("Not found\n", status=404, mimetype="text/plain")
    response = Response(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = FEED_CACHE_CONTROL
    # The same data on the same day gives the same bytes: a client that sends back the ETag
    # gets 304 and no body.
    response.add_etag()
    return response.make_conditional(request)
