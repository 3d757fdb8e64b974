"""Served as `make serve` serves it: gunicorn with tracker/gunicorn_config.py, the app loaded
once in the master and its workers forked from it."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import suppress
from pathlib import Path

from tests.factories import PASSWORD, AdminFactory

GUNICORN = Path(sys.executable).parent / "gunicorn"
ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_each_worker_forked_from_the_loaded_app_answers_signed_in_pages(
        app, database_uri, tmp_path):
    admin = AdminFactory()
    port = _free_port()
    server = subprocess.Popen(
        [str(GUNICORN), "--config", "python:tracker.gunicorn_config",
         "--bind", f"127.0.0.1:{port}", "tracker.wsgi:app"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "DATABASE_URL": database_uri,
             "TRACKER_INSTANCE_PATH": str(tmp_path / "served"),
             "TRACKER_SECRET_KEY": secrets.token_hex(32), "TRACKER_WEB_WORKERS": "2",
             "TRACKER_SESSION_COOKIE_SECURE": "false"})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with suppress(OSError), urllib.request.urlopen(base + "/health", timeout=2):  # noqa: S310
                break
            assert server.poll() is None, "gunicorn stopped while starting"
            assert time.monotonic() < deadline, "gunicorn did not answer within a minute"
            time.sleep(0.2)

        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with browser.open(base + "/sign-in") as response:
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.read().decode())
        assert token is not None
        form = {"csrf_token": token.group(1), "email": admin.email, "password": PASSWORD}
        with browser.open(base + "/sign-in", data=urllib.parse.urlencode(form).encode()) as signed:
            assert "/sign-in" not in signed.url
        # Enough requests for both workers to answer some, each on its own connections.
        for _ in range(20):
            with browser.open(base + "/") as page:
                assert page.status == 200
                assert "Dashboard" in page.read().decode()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
