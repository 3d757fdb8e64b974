"""Files as evidence, in Chromium: an owner attaches several files with a progress update (a
web page among them is refused, saying why), the item shows them, the owner downloads one byte
for byte, and a committee member sees that they exist but has no way to open them. axe-core
checks every page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from tests.browser.conftest import (
    Steps,
    add_action,
    import_a_recent_letter,
    sign_in,
)

ACTION = "Audit twenty case files for the child's recorded views"


def test_an_owner_attaches_files_and_a_committee_member_sees_them_listed(site, chromium,
                                                                         tmp_path):
    steps = Steps("evidence-files")
    site.start()
    audit = tmp_path / "Audit summary.pdf"
    audit.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 300 + b"\n%%EOF\n")
    notes = tmp_path / "notes.txt"
    notes.write_text("Views recorded in 18 of 20 files; two to follow up.\n", encoding="utf-8")
    page_file = tmp_path / "saved-page.pdf"
    page_file.write_text("<!DOCTYPE html><html><body>Saved from the intranet</body></html>",
                         encoding="utf-8")

    admin = sign_in(chromium, site, "admin")
    import_a_recent_letter(admin, tmp_path)
    admin.get_by_role("link", name=re.compile("^Tracked as")).first.click()
    item_url = admin.url
    add_action(admin, ACTION, owner="Meg Lead", due=date.today() + timedelta(days=14))
    # Evidence of the item itself: a link and a file, after asking with neither.
    admin.get_by_role("button", name="Add evidence").click()
    admin.get_by_role("button", name="Add evidence").click()
    admin.get_by_text("Choose a file or enter a link").first.wait_for()
    steps.check(admin, "add-item-evidence-with-errors")
    admin.get_by_label("Files").set_input_files([str(notes)])
    admin.get_by_label("Link to evidence").fill("https://intranet.northshire.example/qa/board")
    admin.get_by_role("button", name="Add evidence").click()
    admin.get_by_text("Evidence added").wait_for()
    assert admin.get_by_role("link", name="https://intranet.northshire.example/qa/board").count()
    admin.context.close()

    manager = sign_in(chromium, site, "manager")
    manager.goto(item_url)
    manager.get_by_role("link", name=ACTION).first.click()
    action_url = manager.url
    manager.get_by_role("button", name="Update progress").click()
    manager.get_by_label("In progress").check()
    manager.get_by_label("Commentary").fill("Audit done: summary and notes attached")
    files = manager.get_by_label("Files as evidence")
    files.set_input_files([str(audit), str(notes), str(page_file)])
    steps.check(manager, "update-form-with-files-chosen")
    manager.get_by_role("button", name="Save update").click()
    manager.get_by_text("“saved-page.pdf” is a web page (HTML)").first.wait_for()
    steps.check(manager, "update-form-file-refused")
    manager.get_by_label("Files as evidence").set_input_files([str(audit), str(notes)])
    manager.get_by_role("button", name="Save update").click()
    manager.wait_for_url(action_url)
    steps.check(manager, "action-with-its-evidence")

    manager.goto(item_url)
    assert manager.get_by_role("link", name="Audit summary.pdf").count() == 1
    steps.check(manager, "item-with-its-evidence")
    with manager.expect_download() as waiting:
        manager.get_by_role("link", name="Audit summary.pdf").click()
    download = waiting.value
    assert download.suggested_filename == "Audit summary.pdf"
    assert Path(download.path()).read_bytes() == audit.read_bytes()
    manager.context.close()

    member = sign_in(chromium, site, "member")
    member.goto(item_url)
    member.get_by_text("Audit summary.pdf").first.wait_for()
    assert member.get_by_role("link", name="Audit summary.pdf").count() == 0
    assert "only the council's staff can open them" in member.content()
    steps.check(member, "item-evidence-seen-by-a-committee-member")
    member.context.close()
