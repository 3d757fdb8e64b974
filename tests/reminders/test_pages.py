"""Pausing reminders, and the administrators' reminders pages."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tests.conftest import configure, sign_in_as
from tests.factories import ActionFactory, AdminFactory, CouncilFactory, UserFactory
from tests.reminders.conftest import free_port
from tracker import clock
from tracker.extensions import db
from tracker.jobs.models import RunState
from tracker.mail import Mailer, build_message, outbox_files
from tracker.reminders.models import Delivery
from tracker.reminders.service import send_reminders
from tracker.settings import default_settings

TODAY = date(2026, 11, 22)


def date_form(value: date | None) -> dict:
    if value is None:
        return {"until": ["", "", ""]}
    return {"until": [str(value.day), str(value.month), str(value.year)]}


def test_a_manager_pauses_their_own_reminders_until_a_date(client):
    user = UserFactory()
    sign_in_as(client, user)

    response = client.post("/reminders/pause", data=date_form(date(2026, 12, 4)))

    assert response.status_code == 302
    db.session.refresh(user)
    assert user.reminders_paused_until == date(2026, 12, 4)


def test_a_blank_date_turns_reminders_back_on(client):
    user = UserFactory(reminders_paused_until=date(2026, 12, 4))
    sign_in_as(client, user)

    client.post("/reminders/pause", data=date_form(None))

    db.session.refresh(user)
    assert user.reminders_paused_until is None


def test_a_pause_ending_in_the_past_is_refused(client):
    user = UserFactory()
    sign_in_as(client, user)

    response = client.post("/reminders/pause", data=date_form(date(2026, 11, 1)))

    assert response.status_code == 400
    assert b"The end date must be today or in the future" in response.data
    db.session.refresh(user)
    assert user.reminders_paused_until is None


def test_an_administrator_pauses_reminders_for_someone_else(client):
    council = CouncilFactory()
    admin = AdminFactory(council=council)
    user = UserFactory(council=council)
    sign_in_as(client, admin)

    response = client.post(f"/users/{user.id}/reminders", data=date_form(date(2027, 1, 8)))

    assert response.status_code == 302
    db.session.refresh(user)
    assert user.reminders_paused_until == date(2027, 1, 8)


def test_an_administrator_cannot_pause_reminders_for_another_councils_user(client):
    admin = AdminFactory()
    stranger = UserFactory()
    sign_in_as(client, admin)

    assert client.get(f"/users/{stranger.id}/reminders").status_code == 404


def test_a_manager_cannot_pause_reminders_for_someone_else(client):
    council = CouncilFactory()
    manager = UserFactory(council=council)
    other = UserFactory(council=council)
    sign_in_as(client, manager)

    assert client.post(f"/users/{other.id}/reminders",
                       data=date_form(date(2027, 1, 8))).status_code == 403


def test_the_admin_page_shows_failures_with_their_reason_and_the_next_runs_reminders(client,
                                                                                      app):
    council = CouncilFactory()
    admin = AdminFactory(council=council)
    owner = UserFactory(council=council, name="Ola Owner")
    ActionFactory(item__finding__inspection__council=council, owner=owner,
                  due_date=TODAY - timedelta(days=2))
    configure(app, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(),
                      MAIL_TIMEOUT=2)
    send_reminders(TODAY, now=clock.now())
    sign_in_as(client, admin)

    response = client.get("/admin/reminders")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Failed, will retry" in page
    assert "Could not reach the mail server" in page
    # No daily run has finished today and 7am has passed: the next run is today's, now due.
    assert "Reminders of the next run, 22 November 2026 at 7:00am" in page
    assert "Ola Owner: daily reminder, 1 overdue action to update" in page


def test_run_now_sends_the_councils_reminders(client, app):
    council = CouncilFactory()
    admin = AdminFactory(council=council)
    ActionFactory(item__finding__inspection__council=council, due_date=TODAY - timedelta(days=2))
    other_council_action = ActionFactory(due_date=TODAY - timedelta(days=2))
    sign_in_as(client, admin)

    response = client.post("/admin/reminders/run")

    assert response.status_code == 302
    rows = db.session.scalars(select(Delivery)).all()
    assert len(rows) == 1 and rows[0].state is RunState.DONE
    assert rows[0].recipient_id != other_council_action.owner_id
    assert len(outbox_files(app.instance_path)) == 1


def test_a_manager_cannot_see_the_reminders_admin_pages(client):
    sign_in_as(client, UserFactory())

    assert client.get("/admin/reminders").status_code == 403
    assert client.post("/admin/reminders/run").status_code == 403
    assert client.get("/admin/outbox").status_code == 403


def write_to_outbox(app, to: str, subject: str, html: str = "<p>Hello</p>") -> str:
    from datetime import UTC, datetime

    message = build_message(sender="tracker@localhost", to=to, subject=subject,
                            text="Hello <b>there</b>", html=html,
                            now=datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
    with Mailer(default_settings().mail, app.instance_path) as mailer:
        mailer.send(message)
    return outbox_files(app.instance_path)[0].name


def test_an_administrator_reads_the_outbox_with_everything_escaped(client, app):
    council = CouncilFactory()
    admin = AdminFactory(council=council)
    owner = UserFactory(council=council, email="owner@northshire.example")
    name = write_to_outbox(app, owner.email, "<script>alert(1)</script>",
                           html="<script>alert(2)</script>")
    sign_in_as(client, admin)

    listing = client.get("/admin/outbox").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing
    assert "<script>alert(1)" not in listing

    page = client.get(f"/admin/outbox/{name}").get_data(as_text=True)
    assert "Hello &lt;b&gt;there&lt;/b&gt;" in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page
    assert "<script>alert(2)" not in page


def test_the_outbox_hides_other_councils_mail_and_refuses_paths(client, app):
    admin = AdminFactory()
    stranger = UserFactory()
    name = write_to_outbox(app, stranger.email, "Not yours")
    sign_in_as(client, admin)

    assert "Not yours" not in client.get("/admin/outbox").get_data(as_text=True)
    assert client.get(f"/admin/outbox/{name}").status_code == 404
    assert client.get("/admin/outbox/..%2Fsecret_key").status_code == 404


def test_run_now_shows_as_the_last_run_of_the_daily_reminders(client):
    council = CouncilFactory()
    admin = AdminFactory(council=council)
    ActionFactory(item__finding__inspection__council=council, due_date=TODAY - timedelta(days=2))
    sign_in_as(client, admin)
    assert "Not run yet" in client.get("/admin/reminders").get_data(as_text=True)

    client.post("/admin/reminders/run")

    page = client.get("/admin/reminders").get_data(as_text=True)
    card = page[page.index('id="job-daily-reminders"'):]
    card = card[:card.index("</dl>")]
    assert "22 November 2026 at 12:00pm" in card
    assert "1 sent, 0 failed, 0 already sent today" in card


def test_the_outbox_dates_each_message_in_words(client, app):
    council = CouncilFactory()
    admin = AdminFactory(council=council)
    ActionFactory(item__finding__inspection__council=council, owner=admin,
                  due_date=TODAY - timedelta(days=2))
    sign_in_as(client, admin)
    client.post("/admin/reminders/run")

    page = client.get("/admin/outbox").get_data(as_text=True)

    assert "22 November 2026 at 12:00pm" in page
    assert "+0000" not in page
