"""Behind a reverse proxy the sign-in limits see the visitor's address, not the proxy's."""

from __future__ import annotations

import contextvars

from sqlalchemy import select

from tracker.accounts.models import SignInEvent
from tracker.extensions import db


def _attempt(client, forwarded_for: str):
    return client.post("/sign-in", data={"email": "someone@northshire.example",
                                         "password": "not the password"},
                       headers={"X-Forwarded-For": forwarded_for},
                       environ_base={"REMOTE_ADDR": "127.0.0.1"})


def test_with_one_trusted_proxy_the_visitors_address_is_recorded(app, client):
    from tracker import create_app

    proxied = create_app({**app.config, "TRUSTED_PROXIES": 1})

    def visit() -> None:
        with proxied.test_client() as visitor:
            _attempt(visitor, "198.51.100.23")

    contextvars.Context().run(visit)  # outside the test's own app context
    assert db.session.scalars(select(SignInEvent.address)).all() == ["198.51.100.23"]


def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(client):
    _attempt(client, "198.51.100.23")
    assert db.session.scalars(select(SignInEvent.address)).all() == ["127.0.0.1"]
