"""The messages the tracker builds (tracker.mail.build_message), as they arrive."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.factories import ActionFactory, CouncilFactory, ItemFactory, UserFactory
from tracker import clock
from tracker.extensions import db
from tracker.mail import Mailer, MailError, build_message, parse_message
from tracker.reminders.service import send_reminders
from tracker.settings import read_settings

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)


def message(**overrides) -> str:
    fields = {"sender": "Northshire Tracker <tracker@northshire.example>",
              "to": "sam@northshire.example", "subject": "2 overdue actions to update",
              "text": "Dear Sam,\n\nPlease update these.\n", "html": "<p>Dear Sam,</p>\n",
              "now": NOW}
    return build_message(**(fields | overrides)).as_string()


def text_of(parsed) -> str:
    return parsed.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html_of(parsed) -> str:
    return parsed.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")


def test_a_message_has_the_headers_a_mail_client_needs():
    parsed = parse_message(message())

    assert parsed["From"] == "Northshire Tracker <tracker@northshire.example>"
    assert parsed["To"] == "sam@northshire.example"
    assert parsed["Subject"] == "2 overdue actions to update"
    assert parsed["Date"].datetime == NOW
    assert parsed["Message-ID"].startswith("<") and parsed["Message-ID"].endswith("@tracker>")
    assert parsed["MIME-Version"] == "1.0"
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed.defects == []


def test_each_message_gets_its_own_message_id_and_boundary():
    first, second = parse_message(message()), parse_message(message())

    assert first["Message-ID"] != second["Message-ID"]
    assert first.get_boundary() != second.get_boundary()


def test_a_message_has_a_plain_text_part_then_an_html_part_both_utf8():
    parsed = parse_message(message())

    parts = list(parsed.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert all(part.get_content_charset() == "utf-8" for part in parts)
    assert all(part.defects == [] for part in parts)
    assert text_of(parsed) == "Dear Sam,\n\nPlease update these.\n"
    assert html_of(parsed) == "<p>Dear Sam,</p>\n"


def test_every_line_ends_with_crlf_as_smtp_expects():
    raw = message(text="one\ntwo\r\nthree\rfour")

    assert "\n" not in raw.replace("\r\n", "")
    assert "\r" not in raw.replace("\r\n", "")
    assert text_of(parse_message(raw)) == "one\ntwo\nthree\nfour\n"


def test_plain_ascii_bodies_with_short_lines_go_as_they_are():
    parsed = parse_message(message())

    assert [part["Content-Transfer-Encoding"] for part in parsed.iter_parts()] == ["7bit", "7bit"]


def test_non_ascii_names_arrive_intact_and_the_message_itself_is_ascii():
    raw = message(sender='"Zoë Ó Súilleabháin, Tracker" <tracker@northshire.example>',
                  subject="Siân’s 3 overdue actions",
                  text="Dear Siân Ní Bhriain,\n\nAction: Ysgol Gymraeg – “audit”\n",
                  html="<p>Dear Siân Ní Bhriain,</p>\n")

    assert raw.isascii()
    parsed = parse_message(raw)
    assert parsed["From"].addresses[0].display_name == "Zoë Ó Súilleabháin, Tracker"
    assert parsed["From"].addresses[0].addr_spec == "tracker@northshire.example"
    assert parsed["Subject"] == "Siân’s 3 overdue actions"
    assert text_of(parsed) == "Dear Siân Ní Bhriain,\n\nAction: Ysgol Gymraeg – “audit”\n"
    assert html_of(parsed) == "<p>Dear Siân Ní Bhriain,</p>\n"
    assert [part["Content-Transfer-Encoding"] for part in parsed.iter_parts()] == [
        "quoted-printable", "quoted-printable"]


def test_a_line_too_long_for_smtp_is_wrapped_by_quoted_printable_and_read_back_whole():
    long_line = "<td>" + "a very long action description " * 100 + "</td>"

    raw = message(html=long_line)

    assert max(len(line) for line in raw.split("\r\n")) <= 78
    parsed = parse_message(raw)
    assert parsed.get_body(preferencelist=("html",))["Content-Transfer-Encoding"] == (
        "quoted-printable")
    assert html_of(parsed) == long_line + "\n"


def test_a_long_subject_is_folded_and_read_back_whole():
    subject = "12 long-overdue actions on items you lead, " * 4

    raw = message(subject=subject.strip())

    assert max(len(line) for line in raw.split("\r\n\r\n", 1)[0].split("\r\n")) <= 78
    assert parse_message(raw)["Subject"] == subject.strip()


@pytest.mark.parametrize("field", ["to", "subject", "sender"])
def test_a_line_break_in_a_header_is_refused(field):
    values = {"to": "sam@northshire.example\r\nBcc: everyone@example.com",
              "subject": "Hello\r\nBcc: everyone@example.com",
              "sender": "Tracker <tracker@northshire.example>\nBcc: everyone@example.com"}

    with pytest.raises(ValueError):
        message(**{field: values[field]})


def test_a_script_in_an_action_arrives_escaped_in_the_html_part_and_literal_in_the_text_part(
    inbox,
):
    council = CouncilFactory()
    owner = UserFactory(council=council, name="Siân Ní Bhriain", email="sian@northshire.example")
    item = ItemFactory(finding__inspection__council=council, title="Llais y plentyn – “voice”")
    ActionFactory(item=item, owner=owner, due_date=TODAY - timedelta(days=2),
                  description="Audit <script>alert('x')</script> case files")

    result = send_reminders(TODAY, now=clock.now())
    db.session.expire_all()

    assert result.sent == 1
    (mail,) = inbox.to("sian@northshire.example")
    text, html = inbox.text(mail), inbox.html(mail)
    assert "Dear Siân Ní Bhriain" in text and "Llais y plentyn – “voice”" in text
    assert "Audit <script>alert('x')</script> case files" in text
    assert "Audit &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; case files" in html
    assert "<script>" not in html
    assert "Dear Siân Ní Bhriain" in html


def sent_through(app, raw: str) -> None:
    with Mailer(read_settings(app.config).mail, app.instance_path) as mailer:
        mailer.send(parse_message(raw))


def test_lines_starting_with_a_dot_arrive_as_written(app, inbox):
    text = ".hidden\n.\n..two dots\nend\n"

    sent_through(app, message(text=text))

    (mail,) = inbox.to("sam@northshire.example")
    assert inbox.text(mail).replace("\r\n", "\n") == text


def test_a_stored_message_arrives_with_its_own_headers_and_parts(app, inbox):
    raw = message(subject="Siân’s 3 overdue actions", text="Dear Siân,\n")

    sent_through(app, raw)

    (mail,) = inbox.to("sam@northshire.example")
    assert mail["Message-ID"] == parse_message(raw)["Message-ID"]
    assert mail["Subject"] == "Siân’s 3 overdue actions"
    assert inbox.text(mail).replace("\r\n", "\n") == "Dear Siân,\n"


def test_a_refused_recipient_is_a_mail_error_with_the_reason_and_the_next_message_still_goes(
    app, inbox, monkeypatch
):
    async def handle_rcpt(server, session, envelope, address, rcpt_options):
        if address == "gone@northshire.example":
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    monkeypatch.setattr(inbox, "handle_RCPT", handle_rcpt, raising=False)

    with Mailer(read_settings(app.config).mail, app.instance_path) as mailer:
        with pytest.raises(MailError, match="550 No such user here"):
            mailer.send(parse_message(message(to="gone@northshire.example")))
        mailer.send(parse_message(message()))

    assert len(inbox.to("sam@northshire.example")) == 1
    assert inbox.to("gone@northshire.example") == []


def test_an_unreachable_server_is_a_mail_error_saying_so(app, smtp_server_down):
    with Mailer(read_settings(app.config).mail, app.instance_path) as mailer, \
            pytest.raises(MailError, match="Could not reach the mail server"):
        mailer.send(parse_message(message()))
