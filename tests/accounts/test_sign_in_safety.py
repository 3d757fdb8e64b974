"""Sign-in resists guessing: a temporary lock, a limit per network, a record of every
attempt, idle sessions end, cookies are locked down and passwords must be hard to guess."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import configure, sign_in_as
from tests.factories import PASSWORD, AdminFactory, UserFactory
from tracker.accounts.models import Role, SignInEvent, SignInOutcome
from tracker.accounts.service import check_password_rules, create_user
from tracker.errors import RuleBroken
from tracker.extensions import db


def attempt(client, email: str, password: str, address: str = "192.0.2.10"):
    return client.post("/sign-in", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def outcomes(email: str) -> list[SignInOutcome]:
    return list(db.session.scalars(
        select(SignInEvent.outcome).where(SignInEvent.email == email).order_by(SignInEvent.id)))


def test_five_wrong_passwords_lock_the_address_for_fifteen_minutes(client, fixed_time):
    user = UserFactory(email="meg@northshire.example")
    for _ in range(4):
        assert attempt(client, user.email, "not the password").status_code == 400
    locked = attempt(client, user.email, "not the password either")
    assert "locked until 12:15pm" in locked.get_data(as_text=True)

    # Even the right password is refused while locked, and the refusal is recorded.
    refused = attempt(client, user.email, PASSWORD)
    assert refused.status_code == 400
    assert "5 failed attempts" in refused.get_data(as_text=True)

    fixed_time.shift(timedelta(minutes=16))
    assert attempt(client, user.email, PASSWORD).status_code == 302
    assert outcomes(user.email) == [SignInOutcome.FAILED] * 5 + [SignInOutcome.LOCKED,
                                                                 SignInOutcome.SIGNED_IN]


def test_an_address_with_no_account_is_locked_the_same_way(client):
    for _ in range(4):
        attempt(client, "nobody@northshire.example", "guess number one")
    page = attempt(client, "nobody@northshire.example", "guess number five")
    # The same answer as for a real account: nothing says who has one.
    assert "locked until 12:15pm" in page.get_data(as_text=True)


def test_a_success_starts_the_count_again(client):
    user = UserFactory()
    for _ in range(4):
        attempt(client, user.email, "not the password")
    assert attempt(client, user.email, PASSWORD).status_code == 302
    client.post("/sign-out")
    for _ in range(4):
        attempt(client, user.email, "not the password")
    assert attempt(client, user.email, PASSWORD).status_code == 302


def test_too_many_attempts_from_one_network_are_refused(client, app):
    configure(app, SIGN_IN_MAX_PER_ADDRESS=6)
    users = [UserFactory() for _ in range(6)]
    for user in users:
        attempt(client, user.email, "wrong password here", address="198.51.100.7")
    response = attempt(client, users[0].email, PASSWORD, address="198.51.100.7")
    assert response.status_code == 429
    assert "too many attempts to sign in from your network" in response.get_data(as_text=True)
    # Another network is not affected.
    assert attempt(client, users[0].email, PASSWORD, address="203.0.113.5").status_code == 302


def test_every_sign_in_failure_and_sign_out_is_recorded_for_administrators(client):
    user = UserFactory(name="Meg Lead")
    attempt(client, user.email, "not the password")
    attempt(client, user.email, PASSWORD)
    client.post("/sign-out")
    assert outcomes(user.email) == [SignInOutcome.FAILED, SignInOutcome.SIGNED_IN,
                                    SignInOutcome.SIGNED_OUT]
    sign_in_as(client, AdminFactory(council=user.council))
    page = " ".join(client.get("/users/sign-ins").get_data(as_text=True).split())
    assert "Meg Lead" in page and "Signed in" in page and "Signed out" in page
    assert "192.0.2.10" in page


def test_a_session_idle_for_longer_than_the_limit_is_signed_out(client, fixed_time):
    user = UserFactory()
    attempt(client, user.email, PASSWORD)
    fixed_time.shift(timedelta(minutes=29))
    assert client.get("/items").status_code == 200
    fixed_time.shift(timedelta(minutes=29))  # 29 minutes after the last request: still in
    assert client.get("/items").status_code == 200
    fixed_time.shift(timedelta(minutes=31))
    response = client.get("/items")
    assert response.status_code == 302
    assert "/sign-in?next=" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "had not used the tracker for 30 minutes" in page
    assert client.get("/items").status_code == 302
    assert outcomes(user.email)[-1] is SignInOutcome.TIMED_OUT


def test_a_page_that_needs_no_sign_in_neither_signs_an_idle_session_out_nor_keeps_it_alive(
    client, fixed_time
):
    user = UserFactory()
    attempt(client, user.email, PASSWORD)
    fixed_time.shift(timedelta(minutes=25))
    assert client.get("/health").status_code == 200  # not a use of the tracker
    fixed_time.shift(timedelta(minutes=10))
    assert client.get("/health").status_code == 200  # idle for 35 minutes: still answers
    response = client.get("/items")
    assert response.status_code == 302 and "/sign-in?next=" in response.headers["Location"]


def test_the_idle_clock_is_noted_to_the_minute_so_most_pages_send_no_new_cookie(
    client, fixed_time
):
    user = UserFactory()
    attempt(client, user.email, PASSWORD)
    client.get("/items")
    fixed_time.shift(timedelta(seconds=30))
    assert "Set-Cookie" not in client.get("/items").headers
    fixed_time.shift(timedelta(seconds=31))
    assert "Set-Cookie" in client.get("/items").headers


def test_the_session_cookie_is_secure_http_only_and_same_site(client):
    user = UserFactory()
    response = attempt(client, user.email, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("password", [
    "password1234", "qwertyuiop12", "123456789012", "iloveyou2026!", "aaaaaaaaaaaaaaaa",
])
def test_common_passwords_are_refused_with_advice(password):
    with pytest.raises(RuleBroken) as broken:
        check_password_rules(password)
    assert "harder to guess" in broken.value.message
    assert broken.value.field == "password"


def test_a_password_made_of_the_persons_own_details_is_refused(app, council):
    with pytest.raises(RuleBroken, match="must not contain the person's name"):
        create_user(council=council, email="megan.boustead@northshire.example",
                    name="Megan Boustead", role=Role.MANAGER, password="MeganBoustead1")


def test_short_passwords_are_refused_and_strong_ones_accepted(app, council):
    with pytest.raises(RuleBroken, match="at least 12 characters"):
        check_password_rules("Xk3#pQ9!")
    user = create_user(council=council, email="jo@northshire.example", name="Jo Partner",
                       role=Role.MANAGER, password="lantern orchard velvet quarry")
    assert user.check_password("lantern orchard velvet quarry")


def test_adding_a_user_with_a_weak_password_says_what_to_fix(client):
    admin = AdminFactory()
    sign_in_as(client, admin)
    response = client.post("/users/new", data={
        "name": "Sam Worker", "email": "sam@northshire.example", "role": "manager",
        "job_title": "Social worker",
        "password": "password1234"})
    assert response.status_code == 400
    assert "harder to guess" in response.get_data(as_text=True)


def test_failed_sign_ins_are_recorded_against_the_account_and_shown(client):
    user = UserFactory(name="Meg Lead")
    attempt(client, user.email, "not the password")
    attempt(client, "nobody@northshire.example", "not the password")
    failed = db.session.scalars(select(SignInEvent).where(
        SignInEvent.outcome == SignInOutcome.FAILED).order_by(SignInEvent.id)).all()
    assert [event.user_id for event in failed] == [user.id, None]
    sign_in_as(client, AdminFactory(council=user.council))
    page = " ".join(client.get("/users/sign-ins").get_data(as_text=True).split())
    assert "Meg Lead" in page and "Failed" in page
    assert "nobody@northshire.example" not in page


def test_an_address_used_in_another_council_gets_the_same_neutral_answer(client):
    UserFactory(email="jo@elsewhere.example")  # another council's person
    admin = AdminFactory()
    UserFactory(email="sam@northshire.example", council=admin.council)
    sign_in_as(client, admin)
    answers = []
    for email in ("jo@elsewhere.example", "sam@northshire.example"):
        response = client.post("/users/new", data={
            "name": "Jo Partner", "email": email, "role": "manager",
            "job_title": "Social worker", "password": "lantern orchard velvet quarry"})
        assert response.status_code == 400
        answers.append(response.get_data(as_text=True).replace(email, "ADDRESS"))
    assert "This address cannot be used here; ask the person which address to use" in answers[0]
    assert "already exists" not in answers[0]
    assert answers[0] == answers[1]


def test_signing_in_to_a_deactivated_account_takes_as_long_as_any_other(client, council):
    import time

    password = "lantern orchard velvet quarry"
    # Real password hashes (the factories' are made cheap for speed).
    active = create_user(council=council, email="on@northshire.example", name="On Duty",
                         role=Role.MANAGER, password=password)
    gone = create_user(council=council, email="gone@northshire.example", name="Gone Away",
                       role=Role.MANAGER, password=password)
    gone.active = False
    db.session.commit()

    def seconds(email: str, address: str) -> float:
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            attempt(client, email, password if email == gone.email else "wrong password x",
                    address=address)
            timings.append(time.perf_counter() - started)
        return sorted(timings)[1]

    deactivated = seconds(gone.email, "192.0.2.21")
    wrong = seconds(active.email, "192.0.2.22")
    nobody = seconds("nobody@northshire.example", "192.0.2.23")
    assert deactivated > wrong / 2 and deactivated > nobody / 2
