"""A real SMTP server (aiosmtpd) on 127.0.0.1, and the app pointed at it."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import configure
from tracker.mail import parse_message


def free_port() -> int:
    """A port nobody listens on now. aiosmtpd's Controller cannot be given port 0."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd handler keeping every message that arrives."""

    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = parse_message(envelope.content)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [message for rcpts, message in self.messages if address in rcpts]

    @staticmethod
    def text(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message) -> str:
        return message.get_body(preferencelist=("html",)).get_content()


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server_down(app):
    """The app sends by SMTP to a port where no server is listening (yet)."""
    server = SmtpServer(free_port())
    configure(app, MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port,
                      MAIL_TIMEOUT=5, MAIL_DEFAULT_SENDER="Tracker <tracker@northshire.example>",
                      PUBLIC_URL="https://tracker.northshire.example")
    yield server
    server.stop()


@pytest.fixture
def smtp_server(smtp_server_down):
    smtp_server_down.start()
    return smtp_server_down


@pytest.fixture
def inbox(smtp_server) -> Inbox:
    return smtp_server.inbox


def about(subject) -> str:
    """What an email's subject says after naming the council's tracker ("Northshire County
    Council 3 improvement tracker: 2 overdue actions to update" is about "2 overdue actions to
    update"); fails when the subject does not name a tracker."""
    tracker, colon, what = str(subject).partition(" improvement tracker: ")
    assert colon and tracker, f"the subject names no council's tracker: {subject!r}"
    return what
