"""Ending all of a person's sessions: a session begun before is signed out wherever its cookie
is used, a copied cookie included; signing in again works."""

from __future__ import annotations

from tests.factories import PASSWORD, UserFactory
from tracker import clock
from tracker.accounts.sessions import end_sessions
from tracker.extensions import db


def _signed_in(client, user) -> None:
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_ending_a_persons_sessions_signs_out_every_copy_of_their_cookie(app, fixed_time):
    manager = UserFactory()
    laptop, copy = app.test_client(), app.test_client()
    _signed_in(laptop, manager)
    [cookie] = laptop._cookies.values()
    copy.set_cookie(cookie.key, cookie.value, domain=cookie.domain, secure=cookie.secure)
    assert copy.get("/").status_code == 200

    end_sessions(manager, now=clock.now())
    db.session.commit()

    for client in (laptop, copy):
        response = client.get("/")
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    # A sign-in after the end makes a session that works.
    fixed_time.shift(60)
    _signed_in(laptop, manager)
    assert laptop.get("/").status_code == 200


def test_a_session_of_someone_else_carries_on(app):
    manager, other = UserFactory(), UserFactory()
    browser = app.test_client()
    _signed_in(browser, other)
    end_sessions(manager, now=clock.now())
    db.session.commit()
    assert browser.get("/").status_code == 200
