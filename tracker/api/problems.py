"""Errors from the API as problem details (RFC 9457): JSON a program can read, never a page.

Three places produce them: the v1 blueprint's error handlers (a record not in the token
owner's council, a bad query parameter, any other error); a check before routing, for an
address or method the API does not have (Flask raises those before any blueprint is chosen,
so the app's HTML error pages would answer otherwise); and `as_problem`, for the token
refusal that `tracker.permissions` writes as plain JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from flask import Response, current_app, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from tracker.api.writing import json_response
from tracker.extensions import db

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/"


@dataclass(frozen=True)
class InvalidParameter:
    """One query parameter that cannot be used, and what to send instead."""

    name: str
    reason: str


class RecordMissing(Exception):
    """No such record in the token owner's council (another council's is as good as missing)."""

    def __init__(self, kind: str, record_id: int) -> None:
        super().__init__(f"There is no {kind} {record_id} in your council's tracker.")
        self.detail = str(self)


class BadParameters(Exception):
    """The request's query parameters cannot be used; each one is named with what to fix."""

    def __init__(self, invalid: list[InvalidParameter]) -> None:
        super().__init__("; ".join(f"{p.name}: {p.reason}" for p in invalid))
        self.invalid = invalid


def is_api_path(path: str) -> bool:
    """Whether an address is the API's (its errors are problems, never pages)."""
    return path == API_PREFIX.rstrip("/") or path.startswith(API_PREFIX)


def problem(status: int, detail: str, *, headers: dict[str, str] | None = None,
            **extra: Any) -> Response:
    """A problem details response: `about:blank` with the HTTP status's own title."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status,
            "detail": detail, **extra}
    response = json_response(body, status, PROBLEM_JSON)
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


NOT_FOUND_ADDRESS = ("The API has no such address. Its addresses are listed in its "
                     "description, /api/v1/openapi.json.")


def _method_not_allowed(allowed: list[str]) -> Response:
    return problem(405, "The API only reads: use GET (or HEAD).",
                   headers={"Allow": ", ".join(allowed)})


def from_http_exception(error: HTTPException) -> Response:
    """A problem response for an HTTP error raised while answering an API request."""
    if isinstance(error, MethodNotAllowed):
        return _method_not_allowed(sorted(error.valid_methods or ["GET", "HEAD"]))
    status = error.code or 500
    if status == 404:
        return problem(404, NOT_FOUND_ADDRESS)
    if status == 400:
        return problem(400, "The request cannot be read: check its address and query "
                            "parameters against /api/v1/openapi.json.")
    return problem(status, HTTPStatus(status).description)


def from_bad_parameters(error: BadParameters) -> Response:
    """A 400 naming every parameter to fix, each with what to send instead."""
    names = ", ".join(p.name for p in error.invalid)
    return problem(
        400, f"Fix these query parameters: {names}.",
        invalid_params=[{"name": p.name, "reason": p.reason} for p in error.invalid],
    )


def refuse_unknown_api_addresses() -> Response | None:
    """Before routing errors reach the app's HTML error pages: answer an API address that
    matched no route (404) or no method of its route (405) with a problem.

    Registered with `before_app_request`, ahead of the app's own checks, so an unknown method
    with a JSON body gets 405 rather than the forms' refusal of JSON bodies."""
    error = request.routing_exception
    if error is None or not is_api_path(request.path):
        return None
    db.session.rollback()
    if isinstance(error, RequestRedirect):
        # A doubled or missing slash: the API names each address one way only.
        return problem(404, NOT_FOUND_ADDRESS)
    if isinstance(error, HTTPException):
        return from_http_exception(error)
    return None


def unexpected(error: Exception) -> Response:
    """The last resort: logged for the developers, a problem (not a page) for the program."""
    db.session.rollback()
    current_app.logger.exception("Unexpected error in the API")
    return problem(500, "Something went wrong in the tracker. The error has been logged.")


def as_problem(response: Response) -> Response:
    """Give an API error written as plain JSON (the token refusal in `tracker.permissions`)
    the problem details media type; its body (status, title, detail) already is one."""
    if response.status_code >= 400 and response.mimetype == "application/json":
        response.mimetype = PROBLEM_JSON
    return response
