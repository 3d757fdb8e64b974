"""Sessions end on the server: signing out ends a session wherever its cookie is used, an
administrator can sign a person out everywhere, and a new role or deactivation ends them."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import sign_in_as
from tests.factories import PASSWORD, AdminFactory, UserFactory
from tracker.accounts.models import SignInEvent, SignInOutcome, UserSession
from tracker.accounts.sessions import live_sessions
from tracker.extensions import db


def signed_in_client(app, user):
    """A browser of its own that signed in with the password."""
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def copied_cookie(app, client):
    """A second browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    cookie = client.get_cookie("session", domain="tracker.test")
    thief.set_cookie("session", cookie.value, domain="tracker.test")
    return thief


def test_a_copied_session_cookie_stops_working_when_its_owner_signs_out(app):
    user = UserFactory()
    owner = signed_in_client(app, user)
    thief = copied_cookie(app, owner)
    assert thief.get("/items").status_code == 200  # the copy works while the session lasts
    owner.post("/sign-out")
    response = thief.get("/items")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_signing_out_ends_only_that_session(app):
    user = UserFactory()
    laptop, phone = signed_in_client(app, user), signed_in_client(app, user)
    laptop.post("/sign-out")
    assert laptop.get("/items").status_code == 302
    assert phone.get("/items").status_code == 200


def test_an_administrator_signs_a_person_out_everywhere(app):
    user = UserFactory(name="Meg Lead")
    laptop, phone = signed_in_client(app, user), signed_in_client(app, user)
    admin_client = app.test_client()
    sign_in_as(admin_client, AdminFactory(council=user.council))
    page = admin_client.get(f"/users/{user.id}").get_data(as_text=True)
    assert "Sign out everywhere" in page
    response = admin_client.post(f"/users/{user.id}/end-sessions")
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).text
    assert "Meg Lead has been signed out everywhere (2 sessions ended)" in page
    assert laptop.get("/items").status_code == 302
    assert phone.get("/items").status_code == 302
    assert admin_client.get("/items").status_code == 200
    assert db.session.scalars(select(SignInEvent.outcome).where(
        SignInEvent.user_id == user.id).order_by(SignInEvent.id.desc())).first() \
        is SignInOutcome.SESSIONS_ENDED
    assert "Sessions ended" in admin_client.get("/users/sign-ins").text


def test_an_administrator_of_another_council_cannot_end_someones_sessions(app):
    user = UserFactory()
    phone = signed_in_client(app, user)
    admin_client = app.test_client()
    sign_in_as(admin_client, AdminFactory())
    assert admin_client.post(f"/users/{user.id}/end-sessions").status_code == 404
    assert phone.get("/items").status_code == 200


def _change(admin_client, user, **changes):
    data = {"name": user.name, "job_title": user.job_title or "Manager",
            "organisation": user.organisation, "telephone": user.telephone,
            "role": user.role.value, "status": "active", **changes}
    return admin_client.post(f"/users/{user.id}", data=data)


def test_a_new_role_ends_the_persons_sessions(app):
    user = UserFactory()
    phone = signed_in_client(app, user)
    admin_client = app.test_client()
    sign_in_as(admin_client, AdminFactory(council=user.council))
    assert _change(admin_client, user, name="A New Name").status_code == 302
    assert phone.get("/items").status_code == 200  # other details: the session goes on
    assert _change(admin_client, user, role="committee member").status_code == 302
    assert phone.get("/items").status_code == 302


def test_an_administrator_changing_their_own_role_keeps_their_session(app):
    council_admin = AdminFactory()
    AdminFactory(council=council_admin.council)  # the council keeps an administrator
    own = signed_in_client(app, council_admin)
    other = signed_in_client(app, council_admin)
    assert _change(own, council_admin, role="manager").status_code == 302
    assert own.get("/items").status_code == 200
    assert other.get("/items").status_code == 302


def test_a_session_that_timed_out_is_ended_on_the_server(app, fixed_time):
    from datetime import timedelta

    user = UserFactory()
    client = signed_in_client(app, user)
    assert live_sessions(user) == 1
    fixed_time.shift(timedelta(minutes=31))
    client.get("/items")
    db.session.expire_all()
    assert live_sessions(user) == 0
    assert db.session.scalar(select(UserSession.ended_at)) is not None
