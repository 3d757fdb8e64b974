"""A local HTTP server that answers as GOV.UK Notify's documented API does, for the one call
the tracker makes: POST /v2/notifications/email.

It checks what the real service checks that matters here: the JSON Web Token in the
Authorization header (HS256, signed with the key's secret, issued by the service id, issued
within 30 seconds), the template id, the email address and the template's personalisation.
Answers and errors are shaped as https://docs.notifications.service.gov.uk/rest-api.html
describes them.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError

SERVICE_ID = "4b4d6f1e-5c2a-4f8e-9d3b-2a1c0e9f7b6d"
SECRET = "9f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"
API_KEY = f"northshire_tracker-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
PLACEHOLDERS = ("subject", "body")


class NotifyServer:
    """Start with `start()`; `received` holds each accepted notification's JSON body;
    `refuse_next` queues (status, error, message) answers for the next requests."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.refuse_next: list[tuple[int, str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        notify = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass  # quiet in test output

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status, answer = notify.answer(self.path, self.headers, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def answer(self, path: str, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        if path != "/v2/notifications/email":
            return _error(404, "BadRequestError", "Resource not found")
        scheme, _, token = str(headers.get("Authorization", "")).partition(" ")
        if scheme != "Bearer" or not token:
            return _error(401, "AuthError",
                          "Unauthorized: authentication token must be provided")
        try:
            if get_token_issuer(token) != SERVICE_ID:
                return _error(403, "AuthError", "Invalid token: service not found")
            decode_jwt_token(token, SECRET)
        except TokenError as error:
            return _error(403, "AuthError", f"{error.message}, api token not found")
        if self.refuse_next:
            return _error(*self.refuse_next.pop(0))
        try:
            notification = json.loads(body)
        except ValueError:
            return _error(400, "BadRequestError", "Invalid JSON supplied in POST data")
        if notification.get("template_id") != TEMPLATE_ID:
            return _error(400, "BadRequestError", "Template not found")
        address = str(notification.get("email_address") or "")
        if "@" not in address:
            return _error(400, "ValidationError", "email_address Not a valid email address")
        values = notification.get("personalisation") or {}
        missing = [name for name in PLACEHOLDERS if name not in values]
        if missing:
            return _error(400, "BadRequestError",
                          f"Missing personalisation: {', '.join(missing)}")
        self.received.append(notification)
        notification_id = str(uuid.uuid4())
        return 201, {
            "id": notification_id,
            "reference": notification.get("reference"),
            "content": {"subject": values["subject"], "body": values["body"],
                        "from_email": "northshire.tracker@notifications.service.gov.uk",
                        "one_click_unsubscribe_url": None},
            "uri": f"{self.base_url}/v2/notifications/{notification_id}",
            "template": {"id": TEMPLATE_ID, "version": 1,
                         "uri": f"{self.base_url}/services/{SERVICE_ID}/templates/{TEMPLATE_ID}"},
            "scheduled_for": None,
        }


def _error(status: int, error: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"status_code": status, "errors": [{"error": error, "message": message}]}
