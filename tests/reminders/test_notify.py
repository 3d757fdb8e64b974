"""GOV.UK Notify as the mail backend, against a local server that answers as Notify does."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.conftest import configure
from tests.factories import ActionFactory, CouncilFactory, UserFactory
from tests.reminders.conftest import about, free_port
from tests.reminders.notify_server import API_KEY, SERVICE_ID, TEMPLATE_ID, NotifyServer
from tracker import clock
from tracker.extensions import db
from tracker.jobs.models import RunState
from tracker.mail import Mailer, MailError, build_message
from tracker.reminders.models import Delivery
from tracker.reminders.service import send_reminders
from tracker.settings import SettingError, read_settings

TODAY = date(2026, 11, 22)  # the autouse clock is 22 November 2026, 12:00 UTC


@pytest.fixture
def notify(app):
    server = NotifyServer()
    server.start()
    configure(app, MAIL_BACKEND="notify", NOTIFY_API_KEY=API_KEY,
                      NOTIFY_TEMPLATE_ID=TEMPLATE_ID, NOTIFY_BASE_URL=server.base_url,
                      MAIL_TIMEOUT=5, PUBLIC_URL="https://tracker.northshire.example")
    yield server
    server.stop()


def overdue_action(email: str = "owner@northshire.example", description: str = "Audit files"):
    council = CouncilFactory()
    owner = UserFactory(council=council, name="Sam Owner", email=email)
    return ActionFactory(item__finding__inspection__council=council, owner=owner,
                         description=description, due_date=TODAY - timedelta(days=3))


def run():
    result = send_reminders(TODAY, now=clock.now())
    db.session.expire_all()
    return result


def test_a_reminder_goes_through_notify_with_its_subject_and_text_as_personalisation(notify):
    overdue_action(description="Audit ten case files <b>now</b> & report")

    result = run()

    assert result.sent == 1 and result.failed == 0
    [sent] = notify.received
    assert sent["email_address"] == "owner@northshire.example"
    assert sent["template_id"] == TEMPLATE_ID
    row = db.session.scalars(select(Delivery)).one()
    assert row.state is RunState.DONE
    assert sent["personalisation"]["subject"] == row.subject
    assert about(row.subject) == "1 overdue action to update"
    body = sent["personalisation"]["body"]
    assert "Dear Sam Owner" in body
    # The plain-text body, as the SMTP message has it: user text as typed, no HTML.
    assert "Audit ten case files <b>now</b> & report" in body
    assert "https://tracker.northshire.example/actions/" in body
    assert sent["reference"] and "@" in sent["reference"]


def test_a_notify_refusal_is_logged_in_its_words_and_retried_by_the_same_rules(notify):
    overdue_action()
    notify.refuse_next.append(
        (429, "RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per "
                                "60 seconds"))

    first = run()

    assert first.sent == 0 and first.failed == 1
    row = db.session.scalars(select(Delivery)).one()
    assert row.will_retry and row.attempts == 1
    assert row.last_error == ("GOV.UK Notify said 429: RateLimitError: Exceeded rate limit for "
                              "key type LIVE of 3000 requests per 60 seconds")
    assert row.lease_until == datetime(2026, 11, 22, 12, 15, tzinfo=UTC)
    assert run().sent == 0  # not before the wait is over

    with time_machine.travel(datetime(2026, 11, 22, 12, 20, tzinfo=UTC), tick=False):
        later = run()

    assert later.sent == 1
    assert len(notify.received) == 1
    row = db.session.scalars(select(Delivery)).one()
    assert row.state is RunState.DONE and row.attempts == 2 and row.last_error == ""


def test_a_key_notify_does_not_know_is_refused_and_logged(notify, app):
    configure(app, NOTIFY_API_KEY=f"old_key-{SERVICE_ID}-{'0' * 8}-0000-4000-8000-{'0' * 12}")
    overdue_action()

    assert run().failed == 1

    row = db.session.scalars(select(Delivery)).one()
    assert row.last_error.startswith("GOV.UK Notify said 403: AuthError: Invalid token")
    assert notify.received == []


def test_notify_out_of_reach_is_logged_with_the_reason(app):
    configure(app, MAIL_BACKEND="notify", NOTIFY_API_KEY=API_KEY,
                      NOTIFY_TEMPLATE_ID=TEMPLATE_ID, MAIL_TIMEOUT=2,
                      NOTIFY_BASE_URL=f"http://127.0.0.1:{free_port()}")
    overdue_action()

    assert run().failed == 1

    row = db.session.scalars(select(Delivery)).one()
    assert row.last_error.startswith("Could not reach GOV.UK Notify:")
    assert row.lease_until is not None


def test_a_template_id_notify_does_not_have_is_reported(notify, app):
    configure(app, NOTIFY_TEMPLATE_ID="00000000-0000-4000-8000-000000000000")
    message = build_message(sender="tracker@localhost", to="someone@northshire.example",
                            subject="Hello", text="Hello", html="<p>Hello</p>", now=clock.now())

    with Mailer(read_settings(app.config).mail, app.instance_path) as mailer, \
            pytest.raises(MailError, match="400: BadRequestError: Template not found"):
        mailer.send(message)


@pytest.mark.parametrize(("settings", "what_to_set"), [
    ({"NOTIFY_API_KEY": "", "NOTIFY_TEMPLATE_ID": TEMPLATE_ID}, "set NOTIFY_API_KEY"),
    ({"NOTIFY_API_KEY": API_KEY, "NOTIFY_TEMPLATE_ID": ""}, "set NOTIFY_TEMPLATE_ID"),
])
def test_the_notify_backend_without_its_settings_says_what_to_set(settings, what_to_set, app):
    with pytest.raises(SettingError, match=what_to_set):
        read_settings({**app.config, "MAIL_BACKEND": "notify", **settings})


def test_an_unknown_mail_backend_is_refused_with_the_choices(app):
    with pytest.raises(SettingError, match="'smtp', 'notify' or 'outbox', not 'pigeon'"):
        read_settings({**app.config, "MAIL_BACKEND": "pigeon"})
