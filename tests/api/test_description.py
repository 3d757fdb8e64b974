"""The OpenAPI description: public, valid OpenAPI 3.1, and describing exactly the API's
addresses. That each response matches it is tests/api/test_schemathesis.py's job."""

from __future__ import annotations

import re

import jsonschema_rs
from schemathesis.specs.openapi.definitions import OPENAPI_31

from tests.conftest import sign_in_as
from tests.factories import UserFactory
from tracker.api.openapi import SCHEMAS
from tracker.items.models import ActionStatus


def test_the_description_is_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    description = response.get_json()
    assert description["openapi"] == "3.1.0"
    assert description["info"]["title"] == "Improvement tracker API"


def test_the_description_is_valid_openapi_3_1(client):
    description = client.get("/api/v1/openapi.json").get_json()
    errors = [f"{error.instance_path}: {error.message}"
              for error in jsonschema_rs.validator_for(OPENAPI_31).iter_errors(description)]
    assert not errors, "\n".join(errors)


def test_every_schema_in_the_description_is_valid_json_schema():
    broken = [name for name, schema in SCHEMAS.items()
              if not jsonschema_rs.meta.is_valid(schema)]
    assert not broken


def test_the_description_needs_a_bearer_token_everywhere_but_itself(client):
    description = client.get("/api/v1/openapi.json").get_json()
    assert description["components"]["securitySchemes"]["token"] == {
        "type": "http", "scheme": "bearer",
        "description": "A personal access token from the tracker's API tokens page."}
    assert description["security"] == [{"token": []}]
    open_to_all = [path for path, ops in description["paths"].items()
                   if ops["get"].get("security") == []]
    assert open_to_all == ["/api/v1/openapi.json"]


def test_every_api_address_is_described_and_nothing_else(app, client):
    description = client.get("/api/v1/openapi.json").get_json()
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes |= {(method.lower(), path) for method in rule.methods - {"HEAD"}}
    described = {(method, path) for path, operations in description["paths"].items()
                 for method in operations}
    assert routes == described


def test_the_description_takes_its_values_from_the_tracker(client):
    description = client.get("/api/v1/openapi.json").get_json()
    status = description["components"]["schemas"]["Action"]["properties"]["status"]
    assert status["enum"] == [member.value for member in ActionStatus]
    per_page = description["components"]["parameters"]["per_page"]["schema"]
    assert (per_page["minimum"], per_page["maximum"], per_page["default"]) == (1, 100, 50)


def test_every_error_an_operation_can_give_is_described(client):
    description = client.get("/api/v1/openapi.json").get_json()
    for path, operations in description["paths"].items():
        responses = operations["get"]["responses"]
        if path == "/api/v1/openapi.json":
            continue
        assert {"200", "400", "401"} <= set(responses), path
        assert ("404" in responses) == ("{" in path), path
    problem = description["components"]["responses"]["Unauthorised"]
    assert "application/problem+json" in problem["content"]
    assert problem["headers"]["WWW-Authenticate"]["required"] is True


def test_the_tokens_page_links_to_the_description(client, council):
    sign_in_as(client, UserFactory(council=council))
    page = client.get("/account/api-tokens").get_data(as_text=True)
    assert 'href="/api/v1/openapi.json"' in page
    assert "http://tracker.test/api/v1/" in page
