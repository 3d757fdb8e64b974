"""Building and sending email: SMTP, or an outbox folder of .eml files that sends nothing.

Settings (all overridable as `TRACKER_MAIL_…`): MAIL_BACKEND ("smtp" or "outbox"),
MAIL_SERVER, MAIL_PORT, MAIL_USE_TLS, MAIL_USE_SSL, MAIL_USERNAME, MAIL_PASSWORD,
MAIL_DEFAULT_SENDER, MAIL_TIMEOUT.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path
from types import TracebackType
from typing import Any

OUTBOX_NAME = re.compile(r"^[0-9A-Za-z._-]+\.eml$")


class MailError(Exception):
    """A message could not be handed over; the text says why, for the delivery log."""


def build_message(
    *, sender: str, to: str, subject: str, text: str, html: str, now: datetime
) -> EmailMessage:
    """A message with a plain-text body and an HTML alternative."""
    message = EmailMessage(policy=policy.SMTP)
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
    return BytesParser(policy=policy.default).parsebytes(data)  # type: ignore[return-value]


class Mailer:
    """Sends messages over one connection (or into the outbox) until closed.

    Use as a context manager; `send` raises MailError with a readable reason.
    """

    def __init__(self, config: Mapping[str, Any], instance_path: str) -> None:
        self.config = config
        self.backend = str(config.get("MAIL_BACKEND", "outbox"))
        if self.backend not in ("smtp", "outbox"):
            raise ValueError(f"MAIL_BACKEND must be 'smtp' or 'outbox', not {self.backend!r}")
        self.outbox = Path(instance_path) / "outbox"
        self._smtp: smtplib.SMTP | None = None

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
        try:
            self._connection().send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            # The connection may be half-broken: start a fresh one for the next message.
            self._drop_connection()
            raise MailError(_reason(error)) from error

    def send_stored(self, raw: str, to: str) -> None:
        """Hand over a message kept as text (the delivery log's copy), or raise MailError.

        Over SMTP the stored text goes as it is: parsing it back and writing it out again
        would cost more than the sending itself.
        """
        if self.backend == "outbox":
            self._write_to_outbox(parse_message(raw))
            return
        sender = parseaddr(str(self.config.get("MAIL_DEFAULT_SENDER", "")))[1]
        try:
            self._connection().sendmail(sender, [to], raw.encode("utf-8"))
        except (smtplib.SMTPException, OSError) as error:
            self._drop_connection()
            raise MailError(_reason(error)) from error

    def close(self) -> None:
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
