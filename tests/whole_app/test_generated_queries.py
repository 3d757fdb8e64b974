"""Generated query strings sent to every page (hypothesis), the GET half of the generated-bodies
test (test_generated_bodies.py): no query string gives a server error.

The routes come from the app's URL map (every rule that answers GET), so a new page is covered
the day it is added. Each page is asked for by an administrator (with an API token too, for the
API's routes), a plain manager, a committee member and a stranger, with query strings made of
the names the app reads (paging, the items filters, the API's filters, `next`, `back` …) and
the hostile values of the generated-bodies test: huge and negative numbers, digits that are
not ASCII, 100,000-character strings, control characters, right-to-left text, script tags and
another council's ids. After every request the status is below 500, no traceback shows, no
script is echoed unescaped and no redirect leaves the site.
"""

from __future__ import annotations

import zlib
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, example, given, seed, settings
from hypothesis import strategies as st

from tests.whole_app.test_access_matrix import app_rules, parameters_without_maker
from tests.whole_app.test_generated_bodies import (
    CONTROL,
    NUMBER_LIKE,
    ODD_DIGITS,
    SCRIPT,
    UNICODE,
    Lab,
    broken,
    echoed_markup,
    hypothesis_writes_nothing_here,  # noqa: F401 - the autouse fixture, here too
)
from tracker import clock
from tracker.access.service import make_api_token
from tracker.api.params import PAGING
from tracker.api.v1 import ACTION_FILTERS, ITEM_FILTERS, QUESTION_FILTERS
from tracker.extensions import db

QUERIES_PER_PAGE = 3
ROLES = ("admin", "manager", "committee member", "anonymous")
# Every name a page reads from its query string.
NAMES = sorted({*PAGING, *ITEM_FILTERS, *ACTION_FILTERS, *QUESTION_FILTERS, "q", "next",
                "back", "shown", "cancellations_page", "committee", "inspection", "overdue",
                "format"})
# Asked of every page as well as the generated ones.
FIXED_QUERIES = (
    urlencode({name: "99999999999999999999" for name in NAMES}),
    urlencode({name: "-1" for name in NAMES}),
    urlencode({name: "１２" for name in NAMES}),
    urlencode({name: SCRIPT for name in NAMES}),
)
HUGE_NUMBERS = ("99999999999999999999", "9" * 400, "2147483648", "-2147483649", "999999999",
                "1000000000", "18446744073709551616")


def values(foreign_ids: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from((*NUMBER_LIKE, *HUGE_NUMBERS, *ODD_DIGITS, *CONTROL, *UNICODE, SCRIPT,
                         "//attacker.example/", "https://attacker.example/", "x" * 100_000)),
        st.sampled_from(foreign_ids),
        st.text(max_size=30),
    )


def query_strings(foreign_ids: list[str]) -> st.SearchStrategy[str]:
    pairs = st.lists(st.tuples(st.sampled_from(NAMES) | st.text(max_size=8),
                               values(foreign_ids)), min_size=1, max_size=4)
    return pairs.map(lambda found: urlencode(found))


def get_routes(app):
    return [rule for rule in app_rules(app) if "GET" in rule.methods
            and not parameters_without_maker(rule)]


def ask_page(lab: Lab, rule, role: str, token: str) -> tuple[int, list[str]]:
    """Send one page its query strings as `role`: how many, and the first problem found."""
    path = lab.path(rule)
    client = lab.client(role)
    headers = {"Authorization": f"Bearer {token}"} if role == "admin" else {}
    problems: list[str] = []
    asked = 0

    @seed(zlib.crc32(f"{rule.endpoint} {role} query".encode()))
    @settings(max_examples=QUERIES_PER_PAGE, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(query=query_strings(lab.foreign_ids))
    def ask(query: str) -> None:
        nonlocal asked
        asked += 1
        lab.errors.last = None
        response = client.get(f"{path}?{query}", headers=headers)
        why = broken(response, lab.errors.last)
        shown = echoed_markup(response)
        location = response.headers.get("Location", "")
        off_site = (300 <= response.status_code < 400
                    and urlsplit(location).netloc not in ("", "tracker.test"))
        if why or shown or off_site:
            problems.append(f"GET {path}?{query[:200]} as {role}: {why or ''} {shown or ''} "
                            f"{'to ' + location if off_site else ''}")

    for query in FIXED_QUERIES:
        ask = example(query=query)(ask)
    ask()
    return asked, problems[:1]


def test_no_generated_query_string_breaks_a_page(app):
    lab = Lab(app, {name for rule in get_routes(app) for name in rule.arguments})
    token = make_api_token(lab.people["admin"], "Generated queries", now=clock.now()).secret
    db.session.commit()
    failures: list[str] = []
    asked = 0
    with lab.watching():
        for rule in get_routes(app):
            for role in ROLES:
                count, problems = ask_page(lab, rule, role, token)
                asked += count
                failures += problems
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)
    assert asked >= (QUERIES_PER_PAGE + len(FIXED_QUERIES)) * len(ROLES) * 40, (
        "the URL map has lost its pages")
