"""The API's OpenAPI 3.1 description, written as data beside the code it describes.

Served at /api/v1/openapi.json. The enums are read from the models and the limits from
`tracker.api.params`, so neither can drift; the shapes of the records mirror
`tracker.api.serialise`, and the schemathesis test (tests/api/test_schemathesis.py) holds
every response of the running app to this description.
"""

from __future__ import annotations

import enum
from functools import cache
from typing import Any

from tracker.access.models import TokenPurpose
from tracker.access.service import PREFIX
from tracker.api.params import LARGEST_ID, LARGEST_PAGE, MOST_PER_PAGE, PER_PAGE
from tracker.inspections.models import FindingCategory
from tracker.items.models import ActionStatus, ItemStatus, Priority, Rag
from tracker.items.status import ItemState
from tracker.reports.service import FORMATS, ISSUED_FORMATS

VERSION = "1.1.0"

INTRODUCTION = f"""\
A read-only view of the improvement tracker for other programs (spreadsheets, dashboards,
the council's performance system): inspections and their findings, tracked items, actions and
issued progress reports, and members' questions at committee meetings with their answers, as
the tracker's own pages show them.

**Tokens.** Every address except this description needs a personal access token, sent as
`Authorization: Bearer <token>`. Make one on the tracker's *API tokens* page (under your
name, at /account/api-tokens); it is shown once, when it is made. A token reads what its owner
can read, for the owner's council only; it stops working when it is revoked or its owner's
account is deactivated. Tokens start `{PREFIX[TokenPurpose.API]}`.

**Lists** come a page at a time: `page` (from 1) and `per_page` (1 to {MOST_PER_PAGE},
default {PER_PAGE}). Each list gives `meta.total` (how many match in all), `meta.pages`, and
links to the first, last, previous and next pages (`null` where there is none). A page past
the end is empty.

**Values.** Dates are ISO 8601 (`2026-11-22`), times ISO 8601 in UTC (`2026-11-22T12:00:00Z`),
enumerations their text values (`"in progress"`). An item's RAG is worked out by the same rule
as on the pages (see the tracker's *How status is worked out* page), with its reason.

**Errors** are problem details (RFC 9457, `application/problem+json`): `status`, `title`,
`detail` and, for a bad query parameter, `invalid_params` naming each one with what to send
instead. 400: a parameter the address does not take, given twice, or with a value outside
what this description allows. 401: no token, or one that does not work. 404: no such record
in your council (another council's records are not there for you), or no such address. 405:
any method but GET (and HEAD): the API only reads.
"""


def _values(choices: type[enum.Enum]) -> list[str]:
    return [member.value for member in choices]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    """A record whose every property is always there, and nothing else is."""
    schema: dict[str, Any] = {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
ID = {"type": "integer", "minimum": 1, "maximum": LARGEST_ID}
DATE = {"type": "string", "format": "date"}
MAYBE_DATE = {"type": ["string", "null"], "format": "date"}
MOMENT = {"type": "string", "format": "date-time"}
MAYBE_MOMENT = {"type": ["string", "null"], "format": "date-time"}
URL = {"type": "string", "format": "uri"}
MAYBE_URL = {"type": ["string", "null"], "format": "uri"}
MAYBE_ID = {"type": ["integer", "null"], "minimum": 1}


def _enum(choices: type[enum.Enum], description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "enum": _values(choices)}
    if description:
        schema["description"] = description
    return schema


def _links(*names: str, maybe: tuple[str, ...] = ()) -> dict[str, Any]:
    properties = {name: URL for name in names} | {name: MAYBE_URL for name in maybe}
    return _object(properties)


SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "description": "Problem details (RFC 9457).",
        "required": ["title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "description": "Always `about:blank`: the status says "
                     "what kind of problem it is."},
            "title": STRING,
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string", "description": "What went wrong, and what to do."},
            "invalid_params": {
                "type": "array",
                "description": "For a 400: each query parameter to fix, and how.",
                "items": _object({"name": STRING, "reason": STRING}),
            },
        },
        "additionalProperties": False,
    },
    "Person": _object(
        {"id": ID, "name": STRING,
         "organisation": {"type": "string",
                          "description": "A partner's agency (\"Northshire Police\"); empty "
                                         "for council staff."}},
        "Someone who leads, owns or issued something.",
    ),
    "PageMeta": _object({
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MOST_PER_PAGE},
        "total": {"type": "integer", "minimum": 0,
                  "description": "How many records match, on every page together."},
        "pages": {"type": "integer", "minimum": 1},
    }),
    "PageLinks": _links("self", "first", "last", maybe=("prev", "next")),
    "State": _object(
        {"value": _enum(ItemState),
         "label": {"type": "string", "description": "Its name in words, as the pages show it "
                   "(\"Delivered, awaiting evidence of impact\", \"Red\")."},
         "reason": {"type": "string", "description": "Why, in words a reader can check "
                    "(\"No lead officer yet, 12 days after the finding was imported (3 "
                    "November 2026).\")."}},
        "The item's state, worked out by the rule the pages use, checked in this order: "
        "`complete` (outcome evidenced and signed off), `awaiting sign-off` (marked complete), "
        "`delivered` (no open action and at least one complete: awaiting evidence of impact), "
        "`not planned` (no lead officer, no actions, or every action cancelled), otherwise "
        "`in delivery`, with a RAG.",
    ),
    "Rag": _object(
        {"value": _enum(Rag),
         "reason": {"type": "string", "description": "Why, in words a reader can check."},
         "set_by_hand": {"type": "boolean", "description": "Set by a lead officer or an "
                         "administrator, with the written reason, instead of by the rule."}},
        "Red, amber or green: the RAG of an item in delivery, worked out by the rule the "
        "pages use.",
    ),
    "Inspection": _object({
        "id": ID,
        "title": STRING,
        "inspectorate": STRING,
        "letter_date": MAYBE_DATE,
        "visit_dates": {"type": "array", "items": DATE},
        "inspector": STRING,
        "inspector_role": STRING,
        "recipient": STRING,
        "overall_judgement": STRING,
        "previous_inspection_id": MAYBE_ID,
        "previous_inspection_text": {"type": "string",
                                     "description": "The previous inspection as the letter "
                                                    "words it (\"August 2010\")."},
        "plan_submitted_on": MAYBE_DATE,
        "tracked_findings": {"type": "integer", "minimum": 0,
                             "description": "How many findings became tracked items."},
        "created_at": MOMENT,
        "links": _links("self", "findings", "items"),
    }),
    "Finding": _object({
        "id": ID,
        "inspection_id": ID,
        "category": _enum(FindingCategory),
        "text": {"type": "string", "description": "The letter's own words."},
        "position": INTEGER,
        "group": {"type": "string", "description": "The sub-heading it sits under, if any."},
        "is_repeat": {"type": "boolean",
                      "description": "Raised at the previous inspection too."},
        "repeat_of_id": MAYBE_ID,
        "repeat_evidence": STRING,
        "item_id": MAYBE_ID,
        "links": _links("self", "inspection", maybe=("item",)),
    }),
    "Action": _object({
        "id": ID,
        "item_id": ID,
        "description": STRING,
        "owner": _or_null(_ref("Person")),
        "status": _enum(ActionStatus),
        "due_date": DATE,
        "original_due_date": {**DATE, "description": "The date first agreed."},
        "date_moved": BOOLEAN,
        "completed_on": MAYBE_DATE,
        "overdue": {"type": "boolean",
                    "description": "Not complete or cancelled, and due before today."},
        "days_overdue": {"type": "integer", "minimum": 0},
        "evidence_link": STRING,
        "created_at": MOMENT,
        "last_updated_at": MOMENT,
        "links": _links("self", "item"),
    }),
}

_ITEM_PROPERTIES: dict[str, Any] = {
    "id": ID,
    "title": STRING,
    "theme": STRING,
    "priority": _enum(Priority),
    "status": _enum(ItemStatus),
    "state": _ref("State"),
    "rag": {**_or_null(_ref("Rag")),
            "description": "Null unless the item's state is `in delivery`."},
    "target_date": MAYBE_DATE,
    "lead_officer": _or_null(_ref("Person")),
    "category": _enum(FindingCategory, "The category of the finding it tracks."),
    "is_repeat": {"type": "boolean",
                  "description": "Its finding was raised at the previous inspection too."},
    "finding_id": ID,
    "inspection_id": ID,
    "open_actions": {"type": "integer", "minimum": 0},
    "overdue_actions": {"type": "integer", "minimum": 0},
    "not_updated": {"type": "boolean", "description": "Nothing recorded against it lately "
                    "(the pages' \"Not updated\" flag)."},
    "created_at": MOMENT,
    "last_updated_at": MOMENT,
    "links": _links("self", "actions", "finding", "inspection"),
}
SCHEMAS["Item"] = _object(_ITEM_PROPERTIES, "An item as the items list shows it.")
SCHEMAS["ItemInFull"] = _object({
    **_ITEM_PROPERTIES,
    "finding_text": STRING,
    "measure_of_success": STRING,
    "outcome_evidence": STRING,
    "signed_off_at": MAYBE_MOMENT,
    "actions": {"type": "array", "items": _ref("Action")},
}, "An item with everything its page shows.")
SCHEMAS["InspectionInFull"] = _object({
    **SCHEMAS["Inspection"]["properties"],
    "findings": {"type": "array", "items": _ref("Finding")},
})

_REPORT_PROPERTIES: dict[str, Any] = {
    "id": ID,
    "committee": _object({"id": ID, "name": STRING}),
    "version": {"type": "integer", "minimum": 1},
    "title": STRING,
    "meeting_date": MAYBE_DATE,
    "issued_at": MOMENT,
    "issued_by": _or_null(_ref("Person")),
    "links": _links("self", *FORMATS),
}
SCHEMAS["Report"] = _object(_REPORT_PROPERTIES, "An issued progress report.")
SCHEMAS["ReportInFull"] = _object({
    **_REPORT_PROPERTIES,
    # `xlsx` is the background paper: null for a report issued before they were kept.
    "links": _links("self", *FORMATS, maybe=("xlsx",)),
    "files": {"type": "array", "items": _object({
        "format": {"type": "string", "enum": list(ISSUED_FORMATS)},
        "media_type": {"type": "string",
                       "enum": [f.mimetype for f in ISSUED_FORMATS.values()]},
        "size": {"type": "integer", "minimum": 0, "description": "In bytes."},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$",
                   "description": "Of the file exactly as it was issued."},
        "links": _links("download"),
    })},
}, "An issued progress report, with the size and SHA-256 of each of its files.")
SCHEMAS["Index"] = _object({
    "user": _ref("Person"),
    "council": _object({"id": ID, "name": STRING}),
    "links": _links("inspections", "items", "actions", "reports", "questions", "description"),
}, "Whose token this is, and where to start.")
SCHEMAS["Question"] = _object({
    "id": ID,
    "committee": _object({"id": ID, "name": STRING}),
    "meeting_date": {**DATE, "description": "The meeting it was asked at."},
    "item_id": {**MAYBE_ID, "description": "The tracked item it is about, if any."},
    "question": {"type": "string", "description": "As the minutes record it."},
    "asked_by": {"type": "string", "description": "The member's name as recorded."},
    "asked_by_person": {**_or_null(_ref("Person")),
                        "description": "The member's account, if they use the tracker."},
    "officer": {**_ref("Person"), "description": "The officer asked to report back."},
    "answered": BOOLEAN,
    "answer_due": {**MAYBE_DATE,
                   "description": "While it waits: the committee's first meeting after the "
                                  "one it was asked at that has not passed (null once "
                                  "answered, or while no later meeting is set)."},
    "answer": {"type": ["string", "null"], "description": "Null until it is answered."},
    "answered_by": _or_null(_ref("Person")),
    "answered_at": {**MAYBE_MOMENT, "description": "When it was first answered."},
    "corrected_at": {**MAYBE_MOMENT,
                     "description": "When the answer was last corrected, if it was."},
    "recorded_at": MOMENT,
    "links": _links("self", "committee_questions", maybe=("item",)),
}, "A question a committee member asked at a meeting, and the officer's answer.")

for _name in ("Inspection", "Finding", "Item", "Action", "Report", "Question"):
    SCHEMAS[f"{_name}List"] = _object({
        "data": {"type": "array", "items": _ref(_name)},
        "meta": _ref("PageMeta"),
        "links": _ref("PageLinks"),
    })


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}


def _path_id(name: str, what: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": ID, "example": 1,
            "description": f"The {what}'s id."}


PARAMETERS: dict[str, Any] = {
    "page": _query("page", {"type": "integer", "minimum": 1, "maximum": LARGEST_PAGE,
                            "default": 1}, "Which page, from 1."),
    "per_page": _query("per_page", {"type": "integer", "minimum": 1,
                                    "maximum": MOST_PER_PAGE, "default": PER_PAGE},
                       f"How many records a page holds (at most {MOST_PER_PAGE})."),
}


def _param(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


PAGING = [_param("page"), _param("per_page")]


def _problem(description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    }
    if headers:
        response["headers"] = headers
    return response


RESPONSES: dict[str, Any] = {
    "BadRequest": _problem("A query parameter this address does not take, given twice, or "
                           "with a value outside what it allows: `invalid_params` says which "
                           "and what to send."),
    "Unauthorised": _problem(
        "No token, or one that does not work (unknown, revoked, or its owner deactivated).",
        {"WWW-Authenticate": {"schema": STRING, "required": True,
                              "description": "`Bearer realm=\"tracker\"`."}},
    ),
    "NotFound": _problem("No such record in your council."),
    "MethodNotAllowed": _problem(
        "Any method but GET or HEAD, at any address of the API.",
        {"Allow": {"schema": STRING, "required": True, "description": "`GET, HEAD`."}},
    ),
}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _get(operation_id: str, tag: str, summary: str, ok: dict[str, Any], *,
         parameters: list[dict[str, Any]] | None = None, found: bool = False,
         description: str = "") -> dict[str, Any]:
    """A read: its parameters, its answer, and the errors any read can get (and 404 where it
    names a record)."""
    responses: dict[str, Any] = {
        "200": ok,
        "400": {"$ref": "#/components/responses/BadRequest"},
        "401": {"$ref": "#/components/responses/Unauthorised"},
    }
    if found:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    operation: dict[str, Any] = {"operationId": operation_id, "tags": [tag], "summary": summary,
                                 "parameters": parameters or [], "responses": responses}
    if description:
        operation["description"] = description
    return {"get": operation}


def _build() -> dict[str, Any]:
    paths: dict[str, Any] = {
        "/api/v1/openapi.json": {"get": {
            "operationId": "openapi",
            "tags": ["description"],
            "summary": "This description (needs no token)",
            "security": [],
            "responses": {"200": {"description": "The OpenAPI 3.1 description of the API.",
                                  "content": {"application/json": {"schema": {
                                      "type": "object", "required": ["openapi", "paths"]}}}}},
        }},
        "/api/v1/": _get("index", "description", "Whose token this is, and where to start",
                         _json("Index", "The token's owner, their council and the lists.")),
        "/api/v1/inspections": _get(
            "list_inspections", "inspections", "The council's inspections, latest letter "
            "first", _json("InspectionList", "A page of inspections."), parameters=PAGING),
        "/api/v1/inspections/{inspection_id}": _get(
            "get_inspection", "inspections", "One inspection, with all its findings",
            _json("InspectionInFull", "The inspection."),
            parameters=[_path_id("inspection_id", "inspection")], found=True),
        "/api/v1/inspections/{inspection_id}/findings": _get(
            "list_findings", "findings", "An inspection's findings, in the letter's order",
            _json("FindingList", "A page of findings."),
            parameters=[_path_id("inspection_id", "inspection"), *PAGING], found=True),
        "/api/v1/findings/{finding_id}": _get(
            "get_finding", "findings", "One finding",
            _json("Finding", "The finding."),
            parameters=[_path_id("finding_id", "finding")], found=True),
        "/api/v1/items": _get(
            "list_items", "items", "Tracked items, most urgent first",
            _json("ItemList", "A page of items."),
            description="Not planned first, then red, amber and green (in delivery), "
                        "delivered, awaiting sign-off and complete; within each, high "
                        "priority first. Filters combine (all must hold).",
            parameters=[
                _query("status", _enum(ItemStatus), "Only items at this point of completion "
                       "(open, marked complete and awaiting sign-off, or signed off)."),
                _query("state", _enum(ItemState), "Only items in this state (`in delivery`: "
                       "every item with a RAG)."),
                _query("rag", _enum(Rag), "Only items in delivery with this RAG. An item in "
                       "any other state has no RAG (`complete` is now `state=complete`)."),
                _query("priority", _enum(Priority), "Only items of this priority."),
                _query("owner", ID, "Only items this person leads or owns an action of "
                                    "(a person's id), as the items page's Owner filter."),
                _query("inspection", ID, "Only items from this inspection (its id)."),
                _query("theme", {"type": "string", "maxLength": 100,
                                 "pattern": "^[^\\u0000]*$"},
                       "Only items of exactly this theme."),
                _query("overdue", {"type": "boolean", "enum": [True]},
                       "`true`: only items with an overdue action. Leave it out for all."),
                *PAGING,
            ]),
        "/api/v1/items/{item_id}": _get(
            "get_item", "items", "One item, with its finding's words and every action",
            _json("ItemInFull", "The item."),
            parameters=[_path_id("item_id", "item")], found=True),
        "/api/v1/actions": _get(
            "list_actions", "actions", "Actions, earliest due first",
            _json("ActionList", "A page of actions."),
            parameters=[
                _query("owner", ID, "Only actions this person owns (a person's id)."),
                _query("status", _enum(ActionStatus), "Only actions in this state."),
                _query("overdue", BOOLEAN, "`true`: only overdue actions (not complete or "
                                           "cancelled, due before today); `false`: only "
                                           "those that are not."),
                _query("item", ID, "Only this item's actions (its id)."),
                *PAGING,
            ]),
        "/api/v1/actions/{action_id}": _get(
            "get_action", "actions", "One action", _json("Action", "The action."),
            parameters=[_path_id("action_id", "action")], found=True),
        "/api/v1/reports": _get(
            "list_reports", "reports", "Issued progress reports, newest first",
            _json("ReportList", "A page of issued reports."),
            parameters=[_query("committee", ID, "Only this committee's reports (its id)."),
                        *PAGING]),
        "/api/v1/reports/{report_id}": _get(
            "get_report", "reports", "One issued report, with its files' sizes and SHA-256",
            _json("ReportInFull", "The issued report."),
            parameters=[_path_id("report_id", "issued report")], found=True),
        "/api/v1/reports/{report_id}/files/{file_format}": _get(
            "get_report_file", "reports", "An issued report's file, exactly as issued",
            {
                "description": "The file's bytes, the same as the day it was issued.",
                "headers": {
                    "Content-Disposition": {"schema": STRING, "required": True,
                                            "description": "`attachment`, with a file name."},
                    "ETag": {"schema": STRING, "required": True,
                             "description": "The file's SHA-256, quoted."},
                },
                "content": {fmt.mimetype: {"schema": {"type": "string", "format": "binary"}}
                            for fmt in ISSUED_FORMATS.values()},
            },
            parameters=[
                _path_id("report_id", "issued report"),
                {"name": "file_format", "in": "path", "required": True, "example": "pdf",
                 "schema": {"type": "string", "enum": list(ISSUED_FORMATS)},
                 "description": "Which of the report's files: the paper as `html`, `pdf` or "
                                "`docx`, or its background paper, the full action plan of the "
                                "committee's inspections as Excel, `xlsx` (404 for a report "
                                "issued before background papers were kept)."},
            ],
            found=True),
        "/api/v1/questions": _get(
            "list_questions", "questions", "Members' questions, the latest meeting first",
            _json("QuestionList", "A page of questions."),
            description="Questions committee members asked at meetings, with the officer "
                        "asked to report back and the answer once written. Filters combine "
                        "(both must hold).",
            parameters=[
                _query("committee", ID, "Only this committee's questions (its id)."),
                _query("answered", BOOLEAN, "`true`: only answered questions; `false`: only "
                                            "those whose answer is awaited."),
                *PAGING,
            ]),
        "/api/v1/questions/{question_id}": _get(
            "get_question", "questions", "One member's question",
            _json("Question", "The question."),
            parameters=[_path_id("question_id", "question")], found=True),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Improvement tracker API",
            "version": VERSION,
            "summary": "Read the council's inspections, findings, items, actions, issued "
                       "reports and members' questions.",
            "description": INTRODUCTION,
        },
        "tags": [
            {"name": "description", "description": "This description, and a starting point."},
            {"name": "inspections", "description": "Inspections and their letters."},
            {"name": "findings", "description": "What each letter found."},
            {"name": "items", "description": "Tracked items, with their RAG."},
            {"name": "actions", "description": "The dated steps against items."},
            {"name": "reports", "description": "Progress reports as issued to committees."},
            {"name": "questions", "description": "Members' questions at committee meetings, "
                                                 "and their answers."},
        ],
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"token": {
                "type": "http", "scheme": "bearer",
                "description": "A personal access token from the tracker's API tokens page.",
            }},
            "schemas": SCHEMAS,
            "parameters": PARAMETERS,
            "responses": RESPONSES,
        },
    }


@cache
def description() -> dict[str, Any]:
    """The whole description, built once per process."""
    return _build()
