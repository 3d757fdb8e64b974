"""Every response carries the security headers; no page has inline script or style, so the
Content-Security-Policy can refuse them."""

from __future__ import annotations

import re

from tests.conftest import sign_in_as
from tests.factories import ActionFactory, AdminFactory
from tracker.web import CONTENT_SECURITY_POLICY

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style[\s>]|\sstyle=", re.IGNORECASE)


def test_every_response_has_the_security_headers(client):
    for path in ("/sign-in", "/no-such-page", "/static/build/tracker.css"):
        headers = client.get(path).headers
        assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"


def test_the_policy_allows_no_inline_script_or_style():
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert "style-src 'self';" in CONTENT_SECURITY_POLICY


def test_pages_have_no_inline_script_or_style(client):
    action = ActionFactory()
    admin = AdminFactory(council=action.item.finding.inspection.council)
    sign_in_as(client, admin)
    for path in ("/", "/items", f"/items/{action.item.id}", f"/actions/{action.id}/update",
                 "/users", "/committees", "/admin/reminders"):
        page = client.get(path)
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        assert not INLINE_SCRIPT.search(html), path
        assert not INLINE_STYLE.search(html), path
