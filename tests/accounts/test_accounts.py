"""Signing in and out, and administrators managing the council's users."""

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from tests.conftest import configure, sign_in_as
from tests.factories import (
    PASSWORD,
    AdminFactory,
    CommitteeMemberFactory,
    CouncilFactory,
    UserFactory,
)
from tracker.accounts.models import Role, User
from tracker.extensions import db

WRONG = b"Enter a correct email address and password"


def _path(response) -> str:
    return urlsplit(response.headers["Location"]).path


def _query(response) -> str:
    return urlsplit(response.headers["Location"]).query


def _user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def _is_signed_in(client) -> bool:
    with client.session_transaction() as session:
        return "_user_id" in session


# Signing in and out


def test_manager_signs_in_and_lands_on_the_dashboard(client):
    manager = UserFactory()
    response = client.post("/sign-in", data={"email": manager.email, "password": PASSWORD})
    assert response.status_code == 302
    assert _path(response) == "/"
    assert _is_signed_in(client)
    assert client.get("/").status_code == 200


def test_email_address_is_matched_whatever_its_case(client):
    UserFactory(email="sam.manager@northshire.example")
    response = client.post(
        "/sign-in", data={"email": "  Sam.Manager@Northshire.EXAMPLE ", "password": PASSWORD}
    )
    assert response.status_code == 302


def test_sign_in_page_shows_to_a_stranger(client):
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert b"Sign in" in response.data
    assert b'name="password"' in response.data


@pytest.mark.parametrize("mistake", ["password", "email"])
def test_wrong_email_or_password_gets_one_message_that_does_not_say_which(client, mistake):
    manager = UserFactory()
    data = {"email": manager.email, "password": PASSWORD}
    data[mistake] = "nobody@northshire.example" if mistake == "email" else "wrong password!"
    response = client.post("/sign-in", data=data)
    assert response.status_code == 400
    assert response.data.count(WRONG) >= 1
    assert b"Error: Sign in" in response.data
    assert b"no account" not in response.data.lower()
    assert b"password is wrong" not in response.data.lower()
    assert not _is_signed_in(client)


def test_wrong_email_and_wrong_password_look_the_same(client):
    manager = UserFactory()
    by_password = client.post("/sign-in", data={"email": manager.email, "password": "nope nope"})
    by_email = client.post(
        "/sign-in", data={"email": "nobody@northshire.example", "password": PASSWORD}
    )
    assert by_password.status_code == by_email.status_code == 400
    assert by_password.data.replace(manager.email.encode(), b"") == by_email.data.replace(
        b"nobody@northshire.example", b""
    )


def test_blank_sign_in_form_says_what_to_enter(client):
    response = client.post("/sign-in", data={"email": "", "password": ""})
    assert response.status_code == 400
    assert b"Enter your email address" in response.data
    assert b"Enter your password" in response.data


def test_deactivated_user_cannot_sign_in(client):
    leaver = UserFactory(active=False)
    response = client.post("/sign-in", data={"email": leaver.email, "password": PASSWORD})
    assert response.status_code == 400
    assert WRONG in response.data
    assert not _is_signed_in(client)


def test_sign_in_returns_to_the_page_asked_for(client):
    manager = UserFactory()
    response = client.post(
        "/sign-in?next=/items%3Ftheme%3DVoice", data={"email": manager.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert _path(response) == "/items"
    assert _query(response) == "theme=Voice"


def test_a_stranger_is_sent_to_sign_in_and_back(client):
    response = client.get("/committees")
    assert response.status_code == 302
    assert _path(response) == "/sign-in"
    assert "next=%2Fcommittees" in _query(response)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/steal",
        "https://evil.example/steal",
        "/\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_sign_in_refuses_to_send_people_to_another_site(client, target):
    manager = UserFactory()
    response = client.post(
        "/sign-in", query_string={"next": target},
        data={"email": manager.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil" not in location
    assert _path(response) == "/"


def test_signed_in_user_visiting_sign_in_goes_to_the_dashboard(client):
    sign_in_as(client, UserFactory())
    response = client.get("/sign-in")
    assert response.status_code == 302
    assert _path(response) == "/"


def test_signing_in_starts_a_fresh_session(client):
    manager = UserFactory()
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    client.post("/sign-in", data={"email": manager.email, "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == str(manager.id)


def test_user_signs_out(client):
    sign_in_as(client, UserFactory())
    response = client.post("/sign-out")
    assert response.status_code == 302
    assert _path(response) == "/sign-in"
    assert not _is_signed_in(client)
    page = client.get("/sign-in")
    assert b"You have signed out" in page.data
    assert client.get("/").status_code == 302


def test_sign_out_needs_a_post(client):
    sign_in_as(client, UserFactory())
    assert client.get("/sign-out").status_code == 405
    assert _is_signed_in(client)


def test_deactivated_user_is_signed_out_of_an_open_session(client):
    leaver = UserFactory()
    sign_in_as(client, leaver)
    leaver.active = False
    response = client.get("/")
    assert response.status_code == 302
    assert _path(response) == "/sign-in"


# Managing users


@pytest.fixture
def admin():
    return AdminFactory()


def _new_user(**changes) -> dict:
    data = {
        "name": "Jo Partner",
        "email": "Jo.Partner@Northshire-Police.example",
        "job_title": "Detective Inspector",
        "organisation": "Northshire Police",
        "telephone": "01632 960 001",
        "role": "committee member",
        "password": "a long enough password",
    }
    data.update(changes)
    return data


def test_admin_sees_the_councils_users(client, admin):
    partner = UserFactory(council=admin.council, name="DI Jo Partner",
                          organisation="Northshire Police")
    leaver = UserFactory(council=admin.council, name="Former Manager", active=False)
    stranger = UserFactory(name="Someone Elsewhere")
    sign_in_as(client, admin)
    response = client.get("/users")
    assert response.status_code == 200
    page = response.data.decode()
    assert partner.name in page and "Northshire Police" in page
    assert leaver.name in page and "Deactivated" in page
    assert stranger.name not in page
    assert f"/users/{partner.id}" in page


def test_admin_adds_a_partner_who_can_then_sign_in(client, admin):
    sign_in_as(client, admin)
    assert client.get("/users/new").status_code == 200
    response = client.post("/users/new", data=_new_user())
    assert response.status_code == 302
    assert _path(response) == "/users"
    user = db.session.scalars(select(User).where(User.name == "Jo Partner")).one()
    assert user.email == "jo.partner@northshire-police.example"
    assert user.role is Role.COMMITTEE_MEMBER
    assert user.organisation == "Northshire Police"
    assert user.council_id == admin.council_id
    assert user.active
    assert user.check_password("a long enough password")
    client.post("/sign-out")
    signed_in = client.post(
        "/sign-in", data={"email": user.email, "password": "a long enough password"}
    )
    assert signed_in.status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "Enter the person&#39;s full name"),
        ({"name": "   "}, "Enter the person&#39;s full name"),
        ({"name": "N" * 121}, "Full name must be 120 characters or fewer"),
        ({"email": "not-an-email"}, "Enter an email address in the correct format"),
        ({"email": ""}, "Enter an email address"),
        ({"password": "short pass"}, "The password must be at least 12 characters long"),
        ({"password": ""}, "Enter an initial password"),
        ({"role": ""}, "Choose a role"),
        ({"role": "superuser"}, "Choose a role"),
        ({"job_title": ""}, "Enter the person&#39;s job title"),
        ({"telephone": "call me"}, "Enter a telephone number"),
        ({"organisation": "O" * 121}, "Organisation must be 120 characters or fewer"),
    ],
)
def test_admin_is_told_what_to_fix_and_nothing_is_saved(client, admin, changes, message):
    sign_in_as(client, admin)
    before = _user_count()
    response = client.post("/users/new", data=_new_user(**changes))
    assert response.status_code == 400
    assert message in response.data.decode()
    assert "There is a problem" in response.data.decode()
    assert "Error: Add a user" in response.data.decode()
    assert _user_count() == before


def test_admin_cannot_add_a_second_account_with_the_same_email(client, admin):
    UserFactory(email="jo.partner@northshire-police.example")
    sign_in_as(client, admin)
    before = _user_count()
    response = client.post("/users/new", data=_new_user())
    assert response.status_code == 400
    assert b"This address cannot be used here; ask the person which address to use" in response.data
    assert b'href="#email"' in response.data
    assert _user_count() == before


@pytest.mark.parametrize("factory", [UserFactory, CommitteeMemberFactory])
@pytest.mark.parametrize("path", ["/users", "/users/new"])
def test_managers_and_committee_members_cannot_manage_users(client, factory, path):
    sign_in_as(client, factory())
    before = _user_count()
    assert client.get(path).status_code == 403
    if path == "/users/new":
        assert client.post(path, data=_new_user()).status_code == 403
        assert _user_count() == before


def test_committee_member_cannot_change_a_user(client):
    member = CommitteeMemberFactory()
    manager = UserFactory(council=member.council)
    sign_in_as(client, member)
    response = client.post(f"/users/{manager.id}", data={
        "name": "Changed", "job_title": "x", "role": "admin", "status": "active"})
    assert response.status_code == 403
    assert db.session.get(User, manager.id).role is Role.MANAGER


def _edit(user: User, **changes) -> dict:
    data = {
        "name": user.name,
        "job_title": user.job_title,
        "organisation": user.organisation,
        "telephone": user.telephone,
        "role": user.role.value,
        "status": "active" if user.active else "deactivated",
    }
    data.update(changes)
    return data


def test_admin_changes_a_managers_role_and_deactivates_them(client, admin):
    manager = UserFactory(council=admin.council)
    sign_in_as(client, admin)
    page = client.get(f"/users/{manager.id}")
    assert page.status_code == 200
    assert manager.email in page.data.decode()
    response = client.post(
        f"/users/{manager.id}", data=_edit(manager, role="committee member", status="deactivated")
    )
    assert response.status_code == 302
    changed = db.session.get(User, manager.id)
    assert changed.role is Role.COMMITTEE_MEMBER
    assert not changed.active
    client.post("/sign-out")
    refused = client.post("/sign-in", data={"email": manager.email, "password": PASSWORD})
    assert refused.status_code == 400


def test_admin_reactivates_a_deactivated_user(client, admin):
    leaver = UserFactory(council=admin.council, active=False)
    sign_in_as(client, admin)
    response = client.post(f"/users/{leaver.id}", data=_edit(leaver, status="active"))
    assert response.status_code == 302
    assert db.session.get(User, leaver.id).active


def test_admin_cannot_deactivate_the_last_admin(client, admin):
    sign_in_as(client, admin)
    response = client.post(f"/users/{admin.id}", data=_edit(admin, status="deactivated"))
    assert response.status_code == 400
    assert b"The council must keep at least one active administrator" in response.data
    assert db.session.get(User, admin.id).active


def test_admin_cannot_make_the_last_admin_a_manager(client, admin):
    sign_in_as(client, admin)
    response = client.post(f"/users/{admin.id}", data=_edit(admin, role="manager"))
    assert response.status_code == 400
    assert b"The council must keep at least one active administrator" in response.data
    assert db.session.get(User, admin.id).role is Role.ADMIN


def test_an_admin_can_step_down_when_another_admin_remains(client, admin):
    AdminFactory(council=admin.council)
    other = AdminFactory(council=admin.council)
    sign_in_as(client, admin)
    response = client.post(f"/users/{other.id}", data=_edit(other, status="deactivated"))
    assert response.status_code == 302
    assert not db.session.get(User, other.id).active


def test_admins_edit_is_checked_like_adding(client, admin):
    manager = UserFactory(council=admin.council)
    sign_in_as(client, admin)
    response = client.post(f"/users/{manager.id}", data=_edit(manager, name=""))
    assert response.status_code == 400
    assert b"Enter the person&#39;s full name" in response.data
    assert db.session.get(User, manager.id).name == manager.name


def test_admin_gets_not_found_for_another_councils_user(client, admin):
    stranger = UserFactory(council=CouncilFactory())
    sign_in_as(client, admin)
    assert client.get(f"/users/{stranger.id}").status_code == 404
    response = client.post(f"/users/{stranger.id}", data=_edit(stranger, name="Hijacked"))
    assert response.status_code == 404
    assert db.session.get(User, stranger.id).name != "Hijacked"
    assert client.get("/users/999999").status_code == 404


def test_form_posted_without_its_security_token_is_refused(csrf_app, admin):
    client = csrf_app.test_client()
    sign_in_as(client, admin)
    before = _user_count()
    response = client.post("/users/new", data=_new_user())
    assert response.status_code == 400
    assert b"The form had expired" in response.data
    assert _user_count() == before


def test_sign_in_works_with_the_security_token_on(csrf_app):
    manager = UserFactory()
    client = csrf_app.test_client()
    client.get("/sign-in")
    with client.session_transaction() as session:
        assert "csrf_token" in session
    page = client.get("/sign-in").data.decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/sign-in", data={"email": manager.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_names_are_shown_as_text_not_markup(client, admin):
    UserFactory(council=admin.council, name="<script>alert('x')</script> Smith")
    sign_in_as(client, admin)
    html = client.get("/users").data.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_the_sign_in_page_names_the_only_council(client):
    CouncilFactory(name="Westshire Borough Council")
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Westshire Borough Council" in page
    assert "<title>Sign in – Improvement tracker – Westshire Borough Council</title>" in page


def test_the_sign_in_page_names_the_service_when_the_database_holds_several_councils(client):
    CouncilFactory(name="Westshire Borough Council")
    CouncilFactory(name="Eastshire County Council")
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Westshire" not in page and "Eastshire" not in page
    assert "<title>Sign in – Improvement tracker</title>" in page
    assert ">Council<" not in page and "– Council" not in page


def test_the_council_name_setting_still_names_the_council_before_sign_in(client, app):
    configure(app, COUNCIL_NAME="Northshire County Council")
    CouncilFactory(name="Westshire Borough Council")
    CouncilFactory(name="Eastshire County Council")
    assert "Northshire County Council" in client.get("/sign-in").get_data(as_text=True)
