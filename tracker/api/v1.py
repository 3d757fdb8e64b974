"""The read-only JSON API, version 1: what the pages show, for programs.

Every address but the description is opened with a personal access token
(`Authorization: Bearer …`, `@allow(API_TOKEN)`) and reads only the token owner's council;
another council's record is answered as missing (404). Views are thin: read the query
parameters (`params`), call one query, turn the records into JSON (`serialise`). Nothing is
written: the only write a call can cause is `user_for_token` noting the token's use, at most
once an hour.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, request
from werkzeug.exceptions import HTTPException

from tracker import clock
from tracker.api import params, problems, queries, serialise
from tracker.api.openapi import description
from tracker.api.writing import json_response
from tracker.inspections.queries import inspection_for_page, inspections_page, tracked_counts
from tracker.items import queries as item_queries
from tracker.items.models import ActionStatus, ItemStatus, Priority, Rag
from tracker.items.status import ItemState, StatusRules, is_stale
from tracker.pagination import Page
from tracker.permissions import API_TOKEN, PUBLIC, allow
from tracker.questions import queries as question_queries
from tracker.reports import service as reports
from tracker.reports.models import IssuedReport
from tracker.settings import settings

v1 = Blueprint("v1", __name__, url_prefix="/api/v1")

# Every address answers GET (and HEAD) only; an OPTIONS request is refused like any other
# method, so that every answer from the API is described by its description.
READ = {"methods": ["GET"], "provide_automatic_options": False}


@v1.errorhandler(problems.RecordMissing)
def _missing(error: problems.RecordMissing) -> Response:
    return problems.problem(404, error.detail)


@v1.errorhandler(problems.BadParameters)
def _bad_parameters(error: problems.BadParameters) -> Response:
    return problems.from_bad_parameters(error)


@v1.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    return problems.from_http_exception(error)


@v1.errorhandler(Exception)
def _unexpected(error: Exception) -> Response:
    return problems.unexpected(error)


v1.before_app_request(problems.refuse_unknown_api_addresses)


@v1.after_request
def _api_headers(response: Response) -> Response:
    response = problems.as_problem(response)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _council_id() -> int:
    return g.api_user.council_id


def _rules() -> StatusRules:
    return settings().status_rules


def _read(*accepted: str) -> params.QueryReader:
    return params.QueryReader(request.args, accepted)


def _page_or_empty(page: Page[Any] | item_queries.ItemPage, asked_for: int) -> list[Any]:
    """The rows of the page asked for; none when it is past the end (the queries answer such a
    page with the last one, as the screens want, but a program counting pages wants none)."""
    return page.rows if page.page == asked_for else []


@v1.route("/openapi.json", **READ)
@allow(PUBLIC)
def openapi() -> Response:
    return json_response(description())


@v1.route("/", strict_slashes=False, **READ)
@allow(API_TOKEN)
def index() -> Response:
    _read().finish()
    user = g.api_user
    return json_response({
        "user": serialise.person(user),
        "council": {"id": user.council.id, "name": user.council.name},
        "links": {
            "inspections": serialise.link("api.v1.list_inspections"),
            "items": serialise.link("api.v1.list_items"),
            "actions": serialise.link("api.v1.list_actions"),
            "reports": serialise.link("api.v1.list_reports"),
            "questions": serialise.link("api.v1.list_questions"),
            "description": serialise.link("api.v1.openapi"),
        },
    })


@v1.route("/inspections", **READ)
@allow(API_TOKEN)
def list_inspections() -> Response:
    reader = _read(*params.PAGING)
    paging = reader.paging()
    reader.finish()
    page = inspections_page(_council_id(), page=paging.page, per_page=paging.per_page)
    rows = _page_or_empty(page, paging.page)
    days = queries.visit_dates([record.id for record in rows])
    counts = tracked_counts(rows)
    return json_response(serialise.paged(page, [
        serialise.inspection(record, visit_dates=days[record.id],
                             tracked_findings=counts.get(record.id, 0))
        for record in rows
    ], "api.v1.list_inspections", paging.page))


@v1.route("/inspections/<int:inspection_id>", **READ)
@allow(API_TOKEN)
def get_inspection(inspection_id: int) -> Response:
    _read().finish()
    record = inspection_for_page(_council_id(), inspection_id)
    if record is None:
        raise problems.RecordMissing("inspection", inspection_id)
    data = serialise.inspection(
        record, visit_dates=record.visit_dates,
        tracked_findings=sum(1 for f in record.findings if f.category.is_tracked))
    data["findings"] = [serialise.finding(f) for f in record.findings]
    return json_response(data)


@v1.route("/inspections/<int:inspection_id>/findings", **READ)
@allow(API_TOKEN)
def list_findings(inspection_id: int) -> Response:
    reader = _read(*params.PAGING)
    paging = reader.paging()
    reader.finish()
    if not queries.inspection_exists(_council_id(), inspection_id):
        raise problems.RecordMissing("inspection", inspection_id)
    page = queries.findings_page(inspection_id, page=paging.page, per_page=paging.per_page)
    return json_response(serialise.paged(
        page, [serialise.finding(f) for f in _page_or_empty(page, paging.page)],
        "api.v1.list_findings", paging.page, inspection_id=inspection_id))


@v1.route("/findings/<int:finding_id>", **READ)
@allow(API_TOKEN)
def get_finding(finding_id: int) -> Response:
    _read().finish()
    record = queries.get_finding(_council_id(), finding_id)
    if record is None:
        raise problems.RecordMissing("finding", finding_id)
    return json_response(serialise.finding(record))


ITEM_FILTERS = ("status", "state", "rag", "priority", "owner", "inspection", "theme",
                "overdue")


@v1.route("/items", **READ)
@allow(API_TOKEN)
def list_items() -> Response:
    reader = _read(*ITEM_FILTERS, *params.PAGING)
    filters = item_queries.ItemFilters(
        status=reader.choice("status", ItemStatus),
        state=reader.choice("state", ItemState),
        rag=reader.choice("rag", Rag),
        priority=reader.choice("priority", Priority),
        owner_id=reader.whole_number("owner"),
        inspection_id=reader.whole_number("inspection"),
        theme=reader.text("theme", longest=100) or "",
        overdue_only=bool(reader.flag("overdue", only_true=True)),
    )
    paging = reader.paging()
    reader.finish()
    page = item_queries.find_items(
        _council_id(), filters, today=clock.today(), now=clock.now(), rules=_rules(),
        page=paging.page, per_page=paging.per_page)
    asked = {name: request.args[name] for name in ITEM_FILTERS if name in request.args}
    return json_response(serialise.paged(
        page, [serialise.item_row(row) for row in _page_or_empty(page, paging.page)],
        "api.v1.list_items", paging.page, **asked))


@v1.route("/items/<int:item_id>", **READ)
@allow(API_TOKEN)
def get_item(item_id: int) -> Response:
    _read().finish()
    record = item_queries.get_item(_council_id(), item_id)
    if record is None:
        raise problems.RecordMissing("item", item_id)
    rules = _rules()
    return json_response(serialise.item_in_full(
        record, result=item_queries.status_of(record, clock.today(), rules), today=clock.today(),
        not_updated=serialise.not_updated(
            record, stale=is_stale(record.last_updated_at, clock.now(), rules))))


ACTION_FILTERS = ("owner", "status", "overdue", "item")


@v1.route("/actions", **READ)
@allow(API_TOKEN)
def list_actions() -> Response:
    reader = _read(*ACTION_FILTERS, *params.PAGING)
    filters = queries.ActionFilters(
        owner_id=reader.whole_number("owner"),
        status=reader.choice("status", ActionStatus),
        overdue=reader.flag("overdue"),
        item_id=reader.whole_number("item"),
    )
    paging = reader.paging()
    reader.finish()
    today = clock.today()
    page = queries.actions_page(_council_id(), filters, today=today, page=paging.page,
                                per_page=paging.per_page)
    asked = {name: request.args[name] for name in ACTION_FILTERS if name in request.args}
    return json_response(serialise.paged(
        page, [serialise.action(a, today=today) for a in _page_or_empty(page, paging.page)],
        "api.v1.list_actions", paging.page, **asked))


@v1.route("/actions/<int:action_id>", **READ)
@allow(API_TOKEN)
def get_action(action_id: int) -> Response:
    _read().finish()
    record = item_queries.get_action(_council_id(), action_id)
    if record is None:
        raise problems.RecordMissing("action", action_id)
    return json_response(serialise.action(record, today=clock.today()))


@v1.route("/reports", **READ)
@allow(API_TOKEN)
def list_reports() -> Response:
    reader = _read("committee", *params.PAGING)
    committee_id = reader.whole_number("committee")
    paging = reader.paging()
    reader.finish()
    page = reports.issued_reports(_council_id(), committee_id, page=paging.page,
                                  per_page=paging.per_page)
    asked = {"committee": committee_id} if committee_id is not None else {}
    return json_response(serialise.paged(
        page, [serialise.report(r) for r in _page_or_empty(page, paging.page)],
        "api.v1.list_reports", paging.page, **asked))


def _issued_or_missing(report_id: int) -> IssuedReport:
    record = reports.get_issued_report(_council_id(), report_id)
    if record is None:
        raise problems.RecordMissing("issued report", report_id)
    return record


@v1.route("/reports/<int:report_id>", **READ)
@allow(API_TOKEN)
def get_report(report_id: int) -> Response:
    _read().finish()
    record = _issued_or_missing(report_id)
    return json_response(serialise.report_in_full(
        record, sizes=reports.file_sizes(record),
        hashes={fmt: reports.stored_hash(record, fmt) for fmt in reports.issued_formats(record)}))


@v1.route("/reports/<int:report_id>/files/<any(html, pdf, docx, xlsx):file_format>", **READ)
@allow(API_TOKEN)
def report_file(report_id: int, file_format: str) -> Response:
    _read().finish()
    record = _issued_or_missing(report_id)
    name = reports.file_name(record.committee.name, file_format, version=record.version,
                             as_at=record.issued_at.date())
    # The bytes stored when the report was issued, as the report's own download gives them.
    data = reports.stored_file(record, file_format)
    if data is None:
        raise problems.RecordMissing("background paper of issued report", report_id)
    response = Response(data, mimetype=reports.ISSUED_FORMATS[file_format].mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "private, no-store"
    if file_format == "html":
        # Opened from a downloads folder it needs nothing from anywhere: allow nothing.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
    response.set_etag(reports.stored_hash(record, file_format))
    return response


QUESTION_FILTERS = ("committee", "answered")


@v1.route("/questions", **READ)
@allow(API_TOKEN)
def list_questions() -> Response:
    reader = _read(*QUESTION_FILTERS, *params.PAGING)
    filters = question_queries.QuestionFilters(
        committee_id=reader.whole_number("committee"),
        answered=reader.flag("answered"),
    )
    paging = reader.paging()
    reader.finish()
    page = question_queries.questions_page(
        _council_id(), filters, today=clock.today(), page=paging.page, per_page=paging.per_page)
    asked = {name: request.args[name] for name in QUESTION_FILTERS if name in request.args}
    return json_response(serialise.paged(
        page, [serialise.question(row) for row in _page_or_empty(page, paging.page)],
        "api.v1.list_questions", paging.page, **asked))


@v1.route("/questions/<int:question_id>", **READ)
@allow(API_TOKEN)
def get_question(question_id: int) -> Response:
    _read().finish()
    record = question_queries.get_question(_council_id(), question_id)
    if record is None:
        raise problems.RecordMissing("question", question_id)
    return json_response(serialise.question(
        question_queries.Listed(record, question_queries.due_of(record, clock.today()))))
