"""`flask --app tracker create-user`: setting up accounts from the command line."""

import pytest
from sqlalchemy import func, select

from tests.factories import CouncilFactory, UserFactory
from tracker.accounts.models import Council, Role, User
from tracker.extensions import db

PASSWORD = "a long enough password"


def _create(runner, *args, password=PASSWORD, stdin=True, council=None):
    command = ["create-user", *args]
    if council is not None:
        command += ["--council", council]
    if stdin:
        command.append("--password-stdin")
        return runner.invoke(args=command, input=f"{password}\n")
    return runner.invoke(args=command, input=f"{password}\n{password}\n")


def _users() -> list[User]:
    db.session.expire_all()
    return list(db.session.scalars(select(User)))


def test_script_adds_an_admin_with_the_password_from_standard_input(runner, council):
    result = _create(runner, "--email", "Alex.Admin@Northshire.example", "--name", "Alex Admin",
                     "--role", "admin", "--job-title", "Performance officer")
    assert result.exit_code == 0, result.output
    assert "Added Alex Admin" in result.output
    [user] = _users()
    assert user.email == "alex.admin@northshire.example"
    assert user.role is Role.ADMIN
    assert user.job_title == "Performance officer"
    assert user.council_id == council.id
    assert user.check_password(PASSWORD)


def test_person_typing_the_password_is_asked_for_it_twice(runner, council):
    result = _create(runner, "--email", "sam@northshire.example", "--name", "Sam Manager",
                     "--role", "manager", stdin=False)
    assert result.exit_code == 0, result.output
    assert "Password" in result.output
    assert "Type the password again" in result.output
    assert PASSWORD not in result.output
    [user] = _users()
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize("role", ["committee member", "committee-member", "Committee Member"])
def test_committee_member_role_is_understood_as_people_type_it(runner, council, role):
    result = _create(runner, "--email", "cllr@northshire.example", "--name", "Cllr Ann Hughes",
                     "--role", role, "--organisation", "")
    assert result.exit_code == 0, result.output
    assert _users()[0].role is Role.COMMITTEE_MEMBER


def test_partner_is_added_with_their_organisation(runner, council):
    result = _create(runner, "--email", "jo@police.example", "--name", "DI Jo Partner",
                     "--role", "committee member", "--organisation", "Northshire Police")
    assert result.exit_code == 0, result.output
    assert _users()[0].organisation == "Northshire Police"


def test_first_user_on_an_empty_database_creates_the_council(runner):
    result = _create(runner, "--email", "first@northshire.example", "--name", "First Admin",
                     "--role", "admin", council="Northshire County Council")
    assert result.exit_code == 0, result.output
    [council] = db.session.scalars(select(Council)).all()
    assert council.name == "Northshire County Council"
    assert _users()[0].council_id == council.id


def test_named_council_is_chosen_among_several(runner):
    CouncilFactory(name="Eastshire Council")
    westshire = CouncilFactory(name="Westshire Council")
    result = _create(runner, "--email", "w@westshire.example", "--name", "Wes Admin",
                     "--role", "admin", council="Westshire Council")
    assert result.exit_code == 0, result.output
    assert _users()[0].council_id == westshire.id


@pytest.mark.parametrize(
    ("args", "council_name", "message"),
    [
        (["--role", "superuser"], None, "Unknown role 'superuser'"),
        (["--role", "admin", "--email", "not-an-email"], None,
         "Enter an email address in the correct format"),
        (["--role", "admin", "--name", "  "], None, "Enter the person's full name"),
        (["--role", "admin", "--name", "N" * 121], None,
         "Full name must be 120 characters or fewer"),
        (["--role", "admin"], "Nowhere Council", "There is no council called 'Nowhere Council'"),
    ],
)
def test_bad_details_exit_with_a_message_and_save_nothing(runner, council, args, council_name,
                                                         message):
    base = {"--email": "new@northshire.example", "--name": "New Person"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    command = [part for pair in base.items() for part in pair]
    result = _create(runner, *command, council=council_name)
    assert result.exit_code == 1
    assert message in result.output
    assert "Nothing was saved" in result.output or "Unknown role" in result.output
    assert _users() == []


def test_short_password_exits_with_a_message_and_saves_nothing(runner, council):
    result = _create(runner, "--email", "s@northshire.example", "--name", "Short",
                     "--role", "manager", password="too short")
    assert result.exit_code == 1
    assert "The password must be at least 12 characters long" in result.output
    assert _users() == []


def test_existing_email_address_is_refused(runner, council):
    UserFactory(council=council, email="taken@northshire.example")
    result = _create(runner, "--email", "Taken@Northshire.example", "--name", "Copy",
                     "--role", "manager")
    assert result.exit_code == 1
    assert "A user with this email address already exists" in result.output
    assert len(_users()) == 1


def test_empty_database_without_a_council_name_is_refused(runner):
    result = _create(runner, "--email", "a@northshire.example", "--name", "A", "--role", "admin")
    assert result.exit_code == 1
    assert "--council" in result.output
    assert _users() == []
    assert db.session.scalar(select(func.count(Council.id))) == 0


def test_several_councils_without_a_name_is_refused(runner):
    CouncilFactory(name="Eastshire Council")
    CouncilFactory(name="Westshire Council")
    result = _create(runner, "--email", "a@northshire.example", "--name", "A", "--role", "admin")
    assert result.exit_code == 1
    assert "Eastshire Council" in result.output and "Westshire Council" in result.output
    assert _users() == []


def test_new_council_is_not_kept_when_the_user_is_refused(runner):
    result = _create(runner, "--email", "a@northshire.example", "--name", "A", "--role", "admin",
                     password="short", council="Northshire County Council")
    assert result.exit_code == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Council.id))) == 0
