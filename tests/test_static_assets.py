"""Static files: their links change with their content, so browsers may keep them a year."""

from __future__ import annotations

import re

from tracker.static_assets import content_versions


def test_the_stylesheet_link_names_its_content_and_is_kept_for_a_year(client):
    page = client.get("/sign-in").get_data(as_text=True)
    link = re.search(r'href="(/static/build/tracker\.css\?v=([0-9a-f]{16}))"', page)
    assert link is not None, "the stylesheet's link carries its content's hash"

    kept = client.get(link.group(1))

    assert kept.status_code == 200
    assert kept.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_file_asked_for_without_its_current_hash_is_checked_again_each_time(client):
    for address in ("/static/build/tracker.css", "/static/build/tracker.css?v=0123456789abcdef"):
        answer = client.get(address)
        assert answer.status_code == 200
        assert "max-age=31536000" not in answer.headers.get("Cache-Control", "")


def test_a_new_version_of_a_file_gets_a_new_address(tmp_path):
    (tmp_path / "build").mkdir()
    stylesheet = tmp_path / "build" / "tracker.css"
    stylesheet.write_text("body { color: black }")
    before = content_versions(tmp_path)

    stylesheet.write_text("body { color: #0b0c0c }")

    assert set(before) == {"build/tracker.css"}
    assert content_versions(tmp_path)["build/tracker.css"] != before["build/tracker.css"]
