"""Building and sending email: SMTP, GOV.UK Notify, or an outbox folder of .eml files that
sends nothing.

Settings (all overridable as `TRACKER_…`): MAIL_BACKEND ("smtp", "notify" or "outbox"),
MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USE_SSL, MAIL_USERNAME, MAIL_PASSWORD,
MAIL_DEFAULT_SENDER, MAIL_TIMEOUT; for Notify, NOTIFY_API_KEY, NOTIFY_TEMPLATE_ID,
NOTIFY_BASE_URL and NOTIFY_REPLY_TO_ID (docs/notify.md).

Every backend takes the same messages, kept in the delivery log, with the same retry rules:
Notify is sent the subject and the plain-text body of each message as the personalisation of
one template whose subject is ((subject)) and whose body is ((body)).

Messages are written out by `format_message` as text, not through `email.message`: the
`email` package parses and refolds every header through its policy machinery, which cost
the reminder job more than sending the messages did (milliseconds a message). The format is
small and fixed (a multipart/alternative of a plain-text and an HTML part), so it is written
directly; anything reading a message back uses `parse_message`.
"""

from __future__ import annotations

import binascii
import contextlib
import re
import secrets
import smtplib
import socket
import ssl
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from email import policy
from email.header import Header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any

OUTBOX_NAME = re.compile(r"^[0-9A-Za-z._-]+\.eml$")
CRLF = "\r\n"
# RFC 5322: no line longer than 998 characters; a body with one is quoted-printable.
LONGEST_LINE = 998
# A bare address (no name, no quoting) goes into a header as it is.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
# SMTP ends a message with a line holding one dot, so a line of the text that starts with
# a dot is sent with a second one, which the server removes.
DOT_AT_LINE_START = re.compile(rb"(?m)^\.")
# A header line should stay within 78 characters, "Subject: " included.
SHORT_SUBJECT = 78 - len("Subject: ")


class MailError(Exception):
    """A message could not be handed over; the text says why, for the delivery log."""


def format_message(
    *, sender: str, to: str, subject: str, text: str, html: str, now: datetime
) -> str:
    """A whole message as text with CRLF line ends, as SMTP and the delivery log take it:
    From, To, Subject, Date, Message-ID and a multipart/alternative of the plain-text body
    and the HTML body (UTF-8; 7bit when plain ASCII, else quoted-printable).

    Raises ValueError for a header value with a line break (header injection).
    """
    parts = [_body_part("text/plain", text), _body_part("text/html", html)]
    boundary = _boundary()
    while any(boundary in part for part in parts):  # a 7bit body could hold anything
        boundary = _boundary()
    head = CRLF.join([
        f"From: {_address(sender)}",
        f"To: {_address(to)}",
        f"Subject: {_subject(subject)}",
        f"Date: {format_datetime(now)}",
        f"Message-ID: {make_msgid(domain='tracker')}",
        "MIME-Version: 1.0",
        "Content-Type: multipart/alternative;",
        f' boundary="{boundary}"',
    ])
    # Each part ends with a line break; the one before a boundary belongs to the boundary.
    return (f"{head}{CRLF}{CRLF}--{boundary}{CRLF}{parts[0]}{CRLF}--{boundary}{CRLF}"
            f"{parts[1]}{CRLF}--{boundary}--{CRLF}")


def build_message(
    *, sender: str, to: str, subject: str, text: str, html: str, now: datetime
) -> EmailMessage:
    """A message with a plain-text body and an HTML alternative: `format_message` read back
    as an EmailMessage under the SMTP policy, so `as_string()` gives CRLF line ends too."""
    raw = format_message(sender=sender, to=to, subject=subject, text=text, html=html, now=now)
    return BytesParser(policy=policy.SMTP).parsebytes(raw.encode("utf-8"))  # type: ignore[return-value]


def _one_line(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError(f"A header value must be one line: {value!r}")
    return value


@lru_cache(maxsize=16)
def _envelope_sender(sender: str) -> str:
    return parseaddr(sender)[1]


@lru_cache(maxsize=1024)
def _address(value: str) -> str:
    if PLAIN_ADDRESS.fullmatch(value):
        return value
    name, address = parseaddr(_one_line(value))
    if not address or not address.isascii():
        # Unreadable, or internationalised (RFC 6532, nothing to encode): as it was given.
        return value
    # Quotes a name with commas or dots, and encodes a name that is not plain ASCII.
    return formataddr((name, address), charset="utf-8")


def _subject(subject: str) -> str:
    if _one_line(subject).isascii() and len(subject) <= SHORT_SUBJECT:
        return subject
    # Encoded words, folded onto continuation lines.
    return Header(subject, "utf-8", header_name="Subject").encode(linesep=CRLF)


def _boundary() -> str:
    return f"==============={secrets.token_hex(12)}=="


def _body_part(content_type: str, body: str) -> str:
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    if not body.endswith("\n"):
        body += "\n"
    if (body.isascii() and "\0" not in body
            and max(map(len, body.split("\n"))) <= LONGEST_LINE):
        encoding, payload = "7bit", body.replace("\n", CRLF)
    else:
        encoding = "quoted-printable"
        # binascii's encoder is C; email.quoprimime's is Python and ten times slower.
        payload = binascii.b2a_qp(body.replace("\n", CRLF).encode("utf-8"),
                                  istext=True).decode("ascii")
    return (f'Content-Type: {content_type}; charset="utf-8"{CRLF}'
            f"Content-Transfer-Encoding: {encoding}{CRLF}{CRLF}{payload}")


def parse_message(raw: str | bytes) -> EmailMessage:
    """Read a stored or received message back into an EmailMessage."""
    data = raw.encode() if isinstance(raw, str) else raw
    return BytesParser(policy=policy.default).parsebytes(data)  # type: ignore[return-value]


BACKENDS = ("smtp", "notify", "outbox")
NOTIFY_BASE_URL = "https://api.notifications.service.gov.uk"


def check_mail_settings(config: Mapping[str, Any]) -> None:
    """Raise ValueError saying what to set when the mail settings cannot work."""
    backend = str(config.get("MAIL_BACKEND", "outbox"))
    if backend not in BACKENDS:
        raise ValueError(f"MAIL_BACKEND must be 'smtp', 'notify' or 'outbox', not {backend!r}")
    if backend == "notify":
        key = str(config.get("NOTIFY_API_KEY") or "")
        # A Notify key ends with the service id and the secret, two UUIDs (73 characters).
        if len(key) < 74:
            raise ValueError("MAIL_BACKEND is 'notify': set NOTIFY_API_KEY to an API key from "
                             "GOV.UK Notify (its API integration page)")
        if not config.get("NOTIFY_TEMPLATE_ID"):
            raise ValueError("MAIL_BACKEND is 'notify': set NOTIFY_TEMPLATE_ID to the id of "
                             "the template described in docs/notify.md")


class Mailer:
    """Sends messages over one connection (SMTP or Notify), or into the outbox, until closed.

    Use as a context manager; `send` raises MailError with a readable reason.
    """

    def __init__(self, config: Mapping[str, Any], instance_path: str) -> None:
        check_mail_settings(config)
        self.config = config
        self.backend = str(config.get("MAIL_BACKEND", "outbox"))
        self.outbox = Path(instance_path) / "outbox"
        self._smtp: smtplib.SMTP | None = None
        self._notify: Any = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def send(self, message: EmailMessage) -> None:
        """Hand one message over, or raise MailError."""
        if self.backend == "outbox":
            self._write_to_outbox(message)
            return
        if self.backend == "notify":
            self._send_to_notify(message)
            return
        try:
            self._connection().send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            # The connection may be half-broken: start a fresh one for the next message.
            self._drop_connection()
            raise MailError(_reason(error)) from error

    def send_stored(self, raw: str, to: str,
                    meanwhile: Sequence[Callable[[], None]] = ()) -> None:
        """Hand over a message kept as text (the delivery log's copy), or raise MailError.

        Over SMTP the stored text goes as it is: parsing it back and writing it out again
        would cost more than the sending itself. `meanwhile` are chores to do while the
        server works on this message, one while it answers each command (MAIL, RCPT, DATA)
        and any left while it reads the text: they all run, whether or not the message
        goes, and all before its end, so before it can be delivered. (A server keeps
        nothing of a message whose end never came: RFC 5321, section 3.8.)
        """
        chores = list(meanwhile)
        try:
            self._send_stored(raw, to, chores)
        except _ChoreFailed as failed:
            # Never a MailError: the chore's own error, as if it had been run on its own.
            raise failed.error from None

    def _send_stored(self, raw: str, to: str, chores: list[Callable[[], None]]) -> None:
        if self.backend == "outbox":
            _run_all(chores)
            self._write_to_outbox(parse_message(raw))
            return
        if self.backend == "notify":
            # One HTTP request, with no moment between "sent" and "delivered" to use.
            _run_all(chores)
            self._send_to_notify(parse_message(raw), to=to)
            return
        sender = _envelope_sender(str(self.config.get("MAIL_DEFAULT_SENDER", "")))
        data = raw.encode("utf-8")
        if data.startswith(b".") or b"\n." in data:
            # A line that starts with a dot gets a second one (RFC 5321 "dot-stuffing").
            data = DOT_AT_LINE_START.sub(b"..", data)
        if not data.endswith(b"\r\n"):
            data += b"\r\n"
        try:
            # What smtplib's sendmail does, with the chores done while the server answers.
            smtp = self._connection()
            smtp.ehlo_or_helo_if_needed()
            size = f" size={len(data)}" if smtp.does_esmtp and smtp.has_extn("size") else ""
            smtp.putcmd("mail", f"FROM:{_angle_address(sender)}{size}")
            code, reply = _reply_after(smtp, chores)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, sender)
            smtp.putcmd("rcpt", f"TO:{_angle_address(to)}")
            code, reply = _reply_after(smtp, chores)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({to: (code, reply)})
            smtp.putcmd("data")
            code, reply = _reply_after(smtp, chores)
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            if chores:
                smtp.send(data)
                _run_all(chores)
                smtp.send(b".\r\n")
            else:
                smtp.send(data + b".\r\n")
            code, reply = smtp.getreply()
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
        except (smtplib.SMTPException, OSError) as error:
            # The connection may be half-broken: start a fresh one for the next message.
            self._drop_connection()
            _run_all(chores)
            raise MailError(_reason(error)) from error
        except BaseException:
            # A chore failed, or the run was stopped, perhaps in the middle of the text:
            # drop the connection, so that the message is never ended by accident.
            self._drop_connection()
            raise

    def _send_to_notify(self, message: EmailMessage, to: str | None = None) -> None:
        from notifications_python_client.errors import APIError

        address = parseaddr(to or str(message["To"]))[1]
        text = message.get_body(preferencelist=("plain",))
        personalisation = {
            "subject": str(message["Subject"] or ""),
            "body": text.get_content() if text is not None else "",
        }
        reply_to = str(self.config.get("NOTIFY_REPLY_TO_ID") or "") or None
        try:
            self._notify_client().send_email_notification(
                email_address=address, template_id=str(self.config["NOTIFY_TEMPLATE_ID"]),
                personalisation=personalisation,
                # Shown in Notify's dashboard, to find a message from the delivery log.
                reference=str(message["Message-ID"] or "").strip("<>")[:100] or None,
                email_reply_to_id=reply_to)
        except APIError as error:
            raise MailError(_notify_reason(error)) from error

    def _notify_client(self) -> Any:
        if self._notify is None:
            from notifications_python_client.notifications import NotificationsAPIClient

            self._notify = NotificationsAPIClient(
                str(self.config["NOTIFY_API_KEY"]),
                base_url=str(self.config.get("NOTIFY_BASE_URL") or NOTIFY_BASE_URL),
                timeout=float(self.config.get("MAIL_TIMEOUT", 10)))
        return self._notify

    def close(self) -> None:
        if self._notify is not None:
            self._notify.request_session.close()
            self._notify = None
        if self._smtp is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self._smtp.quit()
            self._smtp = None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            host = str(self.config.get("MAIL_SERVER", "localhost"))
            port = int(self.config.get("MAIL_PORT", 25))
            timeout = float(self.config.get("MAIL_TIMEOUT", 10))
            if self.config.get("MAIL_USE_SSL"):
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    host, port, timeout=timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(host, port, timeout=timeout)
                if self.config.get("MAIL_USE_TLS"):
                    smtp.starttls(context=ssl.create_default_context())
            if self.config.get("MAIL_USERNAME"):
                smtp.login(str(self.config["MAIL_USERNAME"]), str(self.config["MAIL_PASSWORD"]))
            # The end of a message goes as a write of its own (see send_stored): without
            # this, Nagle's algorithm holds it back until the server acknowledges the text,
            # which a server may delay (40 ms on Linux).
            if smtp.sock is not None:
                smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._smtp = smtp
        return self._smtp

    def _drop_connection(self) -> None:
        if self._smtp is not None:
            with contextlib.suppress(OSError):
                self._smtp.close()
            self._smtp = None

    def _write_to_outbox(self, message: EmailMessage) -> None:
        try:
            self.outbox.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            message_id = re.sub(r"[^0-9A-Za-z.-]", "", str(message["Message-ID"]))[:60]
            (self.outbox / f"{stamp}-{message_id}.eml").write_bytes(bytes(message))
        except OSError as error:
            raise MailError(f"Could not write to the outbox: {error}") from error


def _angle_address(address: str) -> str:
    """<address> for MAIL FROM and RCPT TO."""
    if PLAIN_ADDRESS.fullmatch(address):
        return f"<{address}>"
    return smtplib.quoteaddr(address)


class _ChoreFailed(Exception):
    """A chore's own error, kept apart from the mail server's."""

    def __init__(self, error: Exception) -> None:
        super().__init__(error)
        self.error = error


def _do_chore(chores: list[Callable[[], None]]) -> None:
    chore = chores.pop(0)
    try:
        chore()
    except Exception as error:
        raise _ChoreFailed(error) from error


def _reply_after(smtp: smtplib.SMTP, chores: list[Callable[[], None]]) -> tuple[int, bytes]:
    """The server's reply to the command just sent, after doing the next chore meanwhile."""
    if chores:
        _do_chore(chores)
    return smtp.getreply()


def _run_all(chores: list[Callable[[], None]]) -> None:
    while chores:
        _do_chore(chores)


def _notify_reason(error: Any) -> str:
    """Notify's own words for a refusal ("BadRequestError: Can't send to this recipient…"),
    or why it could not be reached."""
    if error.response is None:
        cause = error.__cause__ or error.__context__
        return f"Could not reach GOV.UK Notify: {cause or 'no answer'}"
    detail = error.message
    if isinstance(detail, list):
        detail = "; ".join(
            f"{entry.get('error', 'Error')}: {entry.get('message', '')}" if isinstance(entry, dict)
            else str(entry) for entry in detail)
    return f"GOV.UK Notify said {error.status_code}: {detail}"


def _reason(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{address}: {code} {reply.decode(errors='replace')}"
            for address, (code, reply) in error.recipients.items()
        )
        return f"The mail server refused the recipient ({refused})"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"The mail server said {error.smtp_code} {error.smtp_error.decode(errors='replace')}"
    if isinstance(error, ConnectionRefusedError | TimeoutError | smtplib.SMTPServerDisconnected):
        return f"Could not reach the mail server: {error}"
    return f"{type(error).__name__}: {error}"


def outbox_files(instance_path: str) -> list[Path]:
    """The outbox's .eml files, newest first."""
    folder = Path(instance_path) / "outbox"
    if not folder.is_dir():
        return []
    return sorted(
        (path for path in folder.iterdir() if OUTBOX_NAME.match(path.name)),
        key=lambda path: path.name,
        reverse=True,
    )


def outbox_file(instance_path: str, name: str) -> Path | None:
    """One outbox file by its plain name (no paths), or None."""
    if not OUTBOX_NAME.match(name):
        return None
    path = Path(instance_path) / "outbox" / name
    return path if path.is_file() else None
