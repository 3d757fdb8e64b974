"""What every signed-in page does besides its own work: the session checked and the person
loaded in one statement, the layout's links, and the refusal of NUL characters."""

from __future__ import annotations

import io

from tests.conftest import sign_in_as
from tests.factories import AdminFactory, CommitteeMemberFactory
from tests.statements import recorded_statements


def test_a_signed_in_page_reads_the_session_the_person_and_their_council_in_one_statement(
    client,
):
    admin = AdminFactory()
    sign_in_as(client, admin)
    client.get("/how-status-is-worked-out")  # the first request notes the csrf secret

    # The page reads nothing of its own: the layout names the council, which came with the
    # person, so the page asks the database once.
    with recorded_statements() as statements:
        page = client.get("/how-status-is-worked-out")

    assert page.status_code == 200
    assert admin.council.name in page.get_data(as_text=True)
    assert len(statements) == 1, statements
    assert "user_session" in statements[0] and "council" in statements[0]


def test_the_layout_links_follow_the_address_the_tracker_is_served_under(client):
    member = CommitteeMemberFactory()
    sign_in_as(client, member)

    # The same process, served at the root and under /tracker (behind a proxy's prefix):
    # the layout's links, made once per process, are made for each address.
    at_root = client.get("/committees").get_data(as_text=True)
    under_prefix = client.get("/committees", base_url="http://tracker.test/tracker/")
    again_at_root = client.get("/committees").get_data(as_text=True)

    assert under_prefix.status_code == 200
    prefixed = under_prefix.get_data(as_text=True)
    for page, prefix in ((at_root, ""), (prefixed, "/tracker"), (again_at_root, "")):
        assert f'<a href="{prefix}/" class="govuk-generic-header__homepage-link">' in page
        assert f'href="{prefix}/committees" aria-current="true"' in page
        assert f'action="{prefix}/sign-out"' in page
        assert f'href="{prefix}/how-status-is-worked-out"' in page
        assert f'src="{prefix}/static/build/tracker.js?v=' in page
    # A committee member's navigation has no "My actions" and no "Users".
    assert "/my-actions" not in prefixed and "/users" not in prefixed


def test_a_nul_character_anywhere_in_a_request_is_refused(client):
    sign_in_as(client, AdminFactory())

    assert client.get("/items?q=before%00after").status_code == 400
    assert client.get("/items?before%00after=1").status_code == 400
    # A form body is read whatever the method, as werkzeug reads it.
    assert client.get("/items", data={"q": "before\x00after"}).status_code == 400
    # Signing out answers with a redirect, so a refusal is the NUL's alone.
    assert client.post("/sign-out", data={"name\x00": "x"}).status_code == 400
    assert client.post("/sign-out", data={
        "upload": (io.BytesIO(b"text"), "letter\x00.txt")}).status_code == 400
    assert client.get("/items", data={"q": "plain"}).status_code == 200
    assert client.post("/sign-out", data={
        "upload": (io.BytesIO(b"text"), "letter.txt")}).status_code == 302
