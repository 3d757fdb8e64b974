"""People change their own password, reset a forgotten one through an emailed link, or are
sent a link by an administrator; every other session ends. The emails go through a real SMTP
server (aiosmtpd)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.accounts.factories import reset_link
from tests.accounts.test_sessions import signed_in_client
from tests.conftest import configure, sign_in_as
from tests.factories import PASSWORD, AdminFactory, UserFactory
from tracker.accounts.models import PasswordReset, SignInEvent, SignInOutcome
from tracker.extensions import db
from tracker.jobs.run import due_deliveries
from tracker.mail import outbox_files, parse_message
from tracker.reminders.models import Delivery, DeliveryKind
from tracker.reminders.service import RESET_LINK_REMOVED

NEW_PASSWORD = "lantern orchard velvet quarry"
LINK_IN_TEXT = re.compile(r"https://tracker\.northshire\.example/reset-password/(\S+)")


def signs_in(app, email: str, password: str) -> bool:
    response = app.test_client().post("/sign-in", data={"email": email, "password": password})
    return response.status_code == 302


# Changing one's own password


def test_a_person_changes_their_password_and_is_signed_out_everywhere_else(app):
    user = UserFactory(name="Meg Lead")
    laptop, phone = signed_in_client(app, user), signed_in_client(app, user)
    assert "Change your password" in laptop.get("/account").text
    page = laptop.get("/account/password")
    assert page.status_code == 200 and "Current password" in page.text
    response = laptop.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert "signed out everywhere else" in laptop.get("/account").text
    assert laptop.get("/items").status_code == 200  # this session goes on
    assert phone.get("/items").status_code == 302  # the others end
    assert signs_in(app, user.email, NEW_PASSWORD)
    assert not signs_in(app, user.email, PASSWORD)


def test_changing_a_password_needs_the_current_one(client):
    user = UserFactory()
    sign_in_as(client, user)
    response = client.post("/account/password", data={
        "current_password": "not my password", "new_password": NEW_PASSWORD})
    assert response.status_code == 400
    assert "Your current password is not right" in response.text
    db.session.expire_all()
    assert user.check_password(PASSWORD)


def test_a_new_password_keeps_to_the_same_strength_rules(client):
    user = UserFactory(name="Megan Boustead")
    sign_in_as(client, user)
    for weak, message in [("password1234", "harder to guess"),
                          ("short one", "at least 12 characters"),
                          ("MeganBoustead1", "must not contain the person")]:
        response = client.post("/account/password", data={
            "current_password": PASSWORD, "new_password": weak})
        assert response.status_code == 400
        assert message in response.text
    db.session.expire_all()
    assert user.check_password(PASSWORD)


# "Forgotten your password?"


def ask(app, email: str, address: str = "192.0.2.10"):
    return app.test_client().post("/forgotten-password", data={"email": email},
                                  environ_base={"REMOTE_ADDR": address})


def test_a_forgotten_password_is_reset_through_an_emailed_link_and_old_sessions_end(
    app, inbox
):
    user = UserFactory(name="Meg Lead", email="meg@northshire.example")
    phone = signed_in_client(app, user)
    sign_in = app.test_client().get("/sign-in").text
    assert 'href="/forgotten-password"' in sign_in
    assert "Check your email" in ask(app, "Meg@Northshire.example ").text
    due_deliveries()

    [message] = inbox.to("meg@northshire.example")
    text = inbox.text(message)
    assert "Dear Meg Lead" in text and "works once, until 22 November 2026 at 1:00pm" in text
    secret = LINK_IN_TEXT.search(text).group(1)
    assert secret in inbox.html(message)
    # Once sent, the link no longer sits in the delivery log.
    [delivery] = db.session.scalars(select(Delivery)).all()
    assert delivery.kind is DeliveryKind.PASSWORD_RESET
    assert delivery.message == RESET_LINK_REMOVED

    browser = app.test_client()
    page = browser.get(f"/reset-password/{secret}")
    assert page.status_code == 200 and "Choose a new password" in page.text
    response = browser.post(f"/reset-password/{secret}", data={"password": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")
    assert phone.get("/items").status_code == 302  # every session ended
    assert signs_in(app, user.email, NEW_PASSWORD)
    assert not signs_in(app, user.email, PASSWORD)
    # Single use.
    assert browser.get(f"/reset-password/{secret}").status_code == 410
    again = browser.post(f"/reset-password/{secret}", data={"password": "another strong one!"})
    assert again.status_code == 410
    outcomes = list(db.session.scalars(select(SignInEvent.outcome).where(
        SignInEvent.user_id == user.id).order_by(SignInEvent.id)))
    assert SignInOutcome.RESET_ASKED in outcomes and SignInOutcome.PASSWORD_RESET in outcomes


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(app, inbox):
    UserFactory(email="meg@northshire.example")
    known = ask(app, "meg@northshire.example")
    unknown = ask(app, "nobody@northshire.example")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("meg@", "X@") == unknown.text.replace("nobody@", "X@")
    due_deliveries()
    assert [rcpts for rcpts, _ in inbox.messages] == [["meg@northshire.example"]]


def test_a_deactivated_account_is_sent_no_link(app, inbox):
    UserFactory(email="gone@northshire.example", active=False)
    assert "Check your email" in ask(app, "gone@northshire.example").text
    due_deliveries()
    assert inbox.messages == []


def test_reset_emails_are_limited_to_three_an_hour_and_requests_count_against_the_network(
    app, inbox
):
    configure(app, SIGN_IN_MAX_PER_ADDRESS=6)
    UserFactory(email="meg@northshire.example")
    for _ in range(6):
        assert ask(app, "meg@northshire.example").status_code == 200
    refused = ask(app, "meg@northshire.example")
    assert refused.status_code == 429
    assert "too many attempts from your network" in refused.text
    due_deliveries()
    assert len(inbox.to("meg@northshire.example")) == 3
    # Only the newest link works.
    resets = db.session.scalars(select(PasswordReset).order_by(PasswordReset.id)).all()
    assert [reset.ended_at is None for reset in resets] == [False, False, True]


def test_a_reset_link_stops_working_after_an_hour(app, fixed_time):
    user = UserFactory()
    secret = reset_link(user)
    fixed_time.shift(timedelta(minutes=59))
    assert app.test_client().get(f"/reset-password/{secret}").status_code == 200
    fixed_time.shift(timedelta(minutes=2))
    page = app.test_client().get(f"/reset-password/{secret}")
    assert page.status_code == 410 and "This link no longer works" in page.text


def test_a_reset_link_that_was_never_made_is_not_found(client):
    page = client.get("/reset-password/made-up")
    assert page.status_code == 404 and "This link no longer works" in page.text
    assert client.post("/reset-password/" + "x" * 500,
                       data={"password": NEW_PASSWORD}).status_code == 404


def test_a_weak_password_through_a_reset_link_is_refused_and_the_link_still_works(app):
    user = UserFactory()
    secret = reset_link(user)
    browser = app.test_client()
    response = browser.post(f"/reset-password/{secret}", data={"password": "password1234"})
    assert response.status_code == 400 and "harder to guess" in response.text
    assert browser.get(f"/reset-password/{secret}").status_code == 200


# An administrator sends a link


def test_an_administrator_sends_a_person_a_reset_link(app, inbox):
    user = UserFactory(name="Meg Lead", email="meg@northshire.example")
    admin_client = app.test_client()
    sign_in_as(admin_client, AdminFactory(council=user.council, name="Ann Admin"))
    assert "Send a password reset link" in admin_client.get(f"/users/{user.id}").text
    response = admin_client.post(f"/users/{user.id}/reset-link")
    assert response.status_code == 302
    assert "has been emailed to meg@northshire.example" in admin_client.get(
        response.headers["Location"]).text
    due_deliveries()
    [message] = inbox.to("meg@northshire.example")
    text = inbox.text(message)
    assert "Ann Admin, an administrator" in text
    secret = LINK_IN_TEXT.search(text).group(1)
    browser = app.test_client()
    assert browser.post(f"/reset-password/{secret}",
                        data={"password": NEW_PASSWORD}).status_code == 302
    assert signs_in(app, user.email, NEW_PASSWORD)


def test_no_reset_link_for_a_deactivated_person(app):
    user = UserFactory(active=False)
    admin_client = app.test_client()
    sign_in_as(admin_client, AdminFactory(council=user.council))
    response = admin_client.post(f"/users/{user.id}/reset-link")
    assert "account is deactivated" in admin_client.get(response.headers["Location"]).text
    assert db.session.scalars(select(PasswordReset)).all() == []


def test_the_outbox_keeps_no_working_reset_link(app):
    user = UserFactory(email="meg@northshire.example")
    ask(app, user.email)
    due_deliveries()  # the default backend writes the outbox
    [path] = outbox_files(app.instance_path)
    kept = parse_message(path.read_bytes())
    assert str(kept["To"]) == "meg@northshire.example"
    assert "/reset-password/" not in path.read_text()
    assert RESET_LINK_REMOVED in kept.get_body(preferencelist=("plain",)).get_content()
