"""An uploaded letter in Chromium, against the served tracker and its scheduler: the page
says the document is being read while it waits, then goes on to the review by itself (with
script) or with "Check again" (without); a letter the reader refuses comes back on the form
with the message against the file. While a state is checked with axe-core and the HTML
checker the scheduler is stopped, so that the page, which reloads itself, stays as it is."""

from __future__ import annotations

import re
import time

from tests.browser.conftest import Steps, sign_in
from tests.browser.test_journey import _letter_file
from tests.browser.test_prepared_draft import _stop_the_scheduler


def _until_read(page, seconds: float = 60) -> None:
    """Press "Check again", as a person without script would, until the page moves on."""
    deadline = time.monotonic() + seconds
    while "/uploads/" in page.url:
        assert time.monotonic() < deadline, "the document was not read in time"
        time.sleep(1)
        page.get_by_role("link", name="Check again").click()


def test_an_uploaded_letter_is_read_while_its_page_shows_progress(site, chromium, tmp_path):
    steps = Steps("upload-progress")
    site.start()
    _stop_the_scheduler(site)
    admin = sign_in(chromium, site, "admin")
    admin.goto("/inspections/import")
    admin.get_by_label("Upload the letter or report").set_input_files(_letter_file(tmp_path))
    admin.get_by_role("button", name="Read the document").click()
    admin.wait_for_url(re.compile(r"/uploads/\d+$"))
    assert admin.get_by_role("heading", name="Reading your document").count() == 1
    assert "waiting to start" in admin.get_by_role("status").inner_text()
    steps.check(admin, "reading-your-document")
    steps.narrow(admin, "reading-your-document")
    plain = sign_in(chromium, site, "admin", java_script_enabled=False)
    plain.goto(admin.url)

    # The scheduler reads it: with script the page moves on by itself, without it "Check
    # again" does.
    site.start()
    admin.wait_for_url(re.compile(r"/inspections/import/\d+$"), timeout=60_000)
    assert admin.get_by_role("button", name="Create inspection and tracked items").count() == 1
    _until_read(plain)
    assert re.search(r"/inspections/import/\d+$", plain.url)
    plain.context.close()

    # A file the reader refuses: the form again, the message against the file.
    admin.goto("/inspections/import")
    nothing = tmp_path / "thank-you.txt"
    nothing.write_text("Dear Director\n\nThank you for your letter.\n\nYours sincerely",
                       encoding="utf-8")
    admin.get_by_label("Upload the letter or report").set_input_files(str(nothing))
    admin.get_by_role("button", name="Read the document").click()
    admin.wait_for_url(re.compile(r"/inspections/import\?upload=\d+$"), timeout=60_000)
    assert admin.locator("#document-error").inner_text().count("No findings were found") == 1
    steps.check(admin, "refused-on-the-form")
