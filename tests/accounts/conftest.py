"""The account tests reuse the real SMTP server (aiosmtpd) of the reminder tests."""

from tests.reminders.conftest import inbox, smtp_server, smtp_server_down  # noqa: F401
