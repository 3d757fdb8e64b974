"""Building and sending email: SMTP, GOV.UK Notify, or an outbox folder of .eml files that
sends nothing.

Settings: `tracker.settings.MailSettings` (MAIL_BACKEND "smtp", "notify" or "outbox",
MAIL_SERVER, MAIL_PORT and so on; for Notify, docs/notify.md).

Messages are `email.message.EmailMessage`s built by `build_message` and sent over SMTP with
`smtplib.SMTP.send_message`, one connection for all the messages a `Mailer` sends. The
delivery log keeps each message as text (`as_string()`); `parse_message` reads it back.
Every backend takes the same messages, with the same retry rules: Notify is sent the subject
and the plain-text body of each message as the personalisation of one template whose subject
is ((subject)) and whose body is ((body)).
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from types import TracebackType
from typing import Any

from tracker.settings import MailSettings

OUTBOX_NAME = re.compile(r"^[0-9A-Za-z._-]+\.eml$")
# SMTP's policy (CRLF line ends), with bodies that are not plain short ASCII lines encoded
# (quoted-printable or base64), so every message is ASCII whatever a server takes.
MESSAGE_POLICY = policy.SMTP.clone(cte_type="7bit")


# The words around a council's place name, dropped to name its tracker ("Northshire County
# Council" has the "Northshire improvement tracker").
_COUNCIL_WORDS = re.compile(
    r"^(?:the\s+)?(?:(?:london|royal)\s+borough\s+of\s+|council\s+of\s+the\s+|city\s+of\s+)?"
    r"(?P<place>.*?)"
    r"(?:\s+(?:metropolitan\s+)?(?:county|city|borough|district)?\s*council)?$",
    re.IGNORECASE)


def tracker_name(council_name: str) -> str:
    """The tracker as people know it: the council's place and "improvement tracker"
    ("Northshire improvement tracker" for "Northshire County Council"), or "Improvement
    tracker" when there is no place to name."""
    found = _COUNCIL_WORDS.match(" ".join(council_name.split()))
    place = found.group("place").strip() if found else ""
    if place.lower() == "council":  # the word alone names no place
        place = ""
    return f"{place} improvement tracker" if place else "Improvement tracker"


def subject_line(council_name: str, about: str) -> str:
    """An email's subject: the council's tracker, then what it is about ("Northshire
    improvement tracker: 4 overdue actions to update"), at most 200 characters."""
    return f"{tracker_name(council_name)}: {about}"[:200]


class MailError(Exception):
    """A message could not be handed over; the text says why, for the delivery log."""


def build_message(
    *, sender: str, to: str, subject: str, text: str, html: str, now: datetime
) -> EmailMessage:
    """A message with From, To, Subject, Date and Message-ID, a plain-text body and an HTML
    alternative.

    Raises ValueError for a header value with a line break (header injection).
    """
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain="tracker")
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def parse_message(raw: str | bytes) -> EmailMessage:
    """Read a stored or received message back into an EmailMessage."""
    data = raw.encode() if isinstance(raw, str) else raw
    message: EmailMessage = BytesParser(policy=MESSAGE_POLICY).parsebytes(data)  # type: ignore[assignment]
    subject = message["Subject"]
    if subject is not None and str(subject) != str(subject).lstrip():
        # A subject that fits a line of its own is folded onto the next line ("Subject:\r\n
        # Northshire …"); the space of that fold is no part of it, as mail programs show it.
        message.replace_header("Subject", str(subject).lstrip())
    return message


class Mailer:
    """Sends messages over one connection (SMTP or Notify), or into the outbox, until closed.

    Use as a context manager; `send` raises MailError with a readable reason.
    """

    def __init__(self, settings: MailSettings, instance_path: str) -> None:
        self.settings = settings
        self.backend = settings.backend
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

    def _send_to_notify(self, message: EmailMessage) -> None:
        from notifications_python_client.errors import APIError

        address = parseaddr(str(message["To"]))[1]
        text = message.get_body(preferencelist=("plain",))
        personalisation = {
            "subject": str(message["Subject"] or ""),
            "body": text.get_content() if text is not None else "",
        }
        reply_to = self.settings.notify_reply_to_id or None
        try:
            self._notify_client().send_email_notification(
                email_address=address, template_id=self.settings.notify_template_id,
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
                self.settings.notify_api_key, base_url=self.settings.notify_base_url,
                timeout=self.settings.timeout)
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
            mail = self.settings
            host, port, timeout = mail.server, mail.port, mail.timeout
            if mail.use_ssl:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    host, port, timeout=timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(host, port, timeout=timeout)
                if mail.use_tls:
                    smtp.starttls(context=ssl.create_default_context())
            if mail.username:
                smtp.login(mail.username, mail.password)
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
            message_id = _outbox_name_part(str(message["Message-ID"]))
            (self.outbox / f"{stamp}-{message_id}.eml").write_bytes(bytes(message))
        except OSError as error:
            raise MailError(f"Could not write to the outbox: {error}") from error


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


def _outbox_name_part(message_id: str) -> str:
    return re.sub(r"[^0-9A-Za-z.-]", "", message_id)[:60]


def blank_outbox_copy(instance_path: str, message_id: str, note: str) -> bool:
    """Replace the body of the outbox's copy of a message (found by its Message-ID) with
    `note`, keeping its headers: for messages whose link must not stay readable there.
    Whether a copy was found."""
    part = _outbox_name_part(message_id)
    if not part:
        return False
    found = False
    for path in outbox_files(instance_path):
        if not path.name.endswith(f"-{part}.eml"):
            continue
        kept = parse_message(path.read_bytes())
        blank = EmailMessage(policy=MESSAGE_POLICY)
        for header in ("From", "To", "Subject", "Date", "Message-ID"):
            if kept[header] is not None:
                blank[header] = str(kept[header])
        blank.set_content(note)
        path.write_bytes(bytes(blank))
        found = True
    return found


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
