"""A large committee's draft in Chromium, against the served tracker and its scheduler: the
page says the draft is being prepared and shows the paper once the scheduler has prepared it
(without script, by "Check again"; with script, by itself); after a change it shows the older
paper with its time while the next one is prepared. Here every committee counts as large
(DRAFT_PAGE_LIVE_ITEMS=0). axe-core runs on the prepared page."""

from __future__ import annotations

import re
import time

from tests.browser.conftest import Steps, import_a_recent_letter, sign_in


def _until_prepared(page, seconds: float = 60) -> None:
    """Press "Check again", as a person without script would, until the paper shows."""
    deadline = time.monotonic() + seconds
    while page.get_by_text("Up to date.").count() == 0:
        assert time.monotonic() < deadline, "the draft was not prepared in time"
        time.sleep(1)
        page.get_by_role("link", name="Check again").click()


def test_a_large_committees_draft_is_prepared_in_the_background(site, chromium, tmp_path):
    steps = Steps("prepared-draft")
    site.settings["TRACKER_DRAFT_PAGE_LIVE_ITEMS"] = "0"
    site.start()
    admin = sign_in(chromium, site, "admin")
    import_a_recent_letter(admin, tmp_path)
    admin.goto("/committees")
    admin.get_by_role("link", name=site.committee_name).click()
    committee_url = admin.url
    admin.get_by_role("button", name="Change the committee").click()
    admin.locator("input[name='inspections']").first.check()
    admin.get_by_role("button", name="Save").click()

    # Without script: the page says so and "Check again" shows the paper once it is ready.
    plain = sign_in(chromium, site, "admin", java_script_enabled=False)
    plain.goto(committee_url + "/report")
    status = plain.get_by_role("status")
    assert re.search(r"This draft is being prepared", status.inner_text())
    steps.snap(plain, "being-prepared")
    _until_prepared(plain)
    text = plain.locator("main").inner_text()
    assert re.search(r"Up to date\. Prepared on .+ from the tracker's data", text)
    assert "Action taken" in text or "Areas for" in text
    steps.check(plain, "prepared")
    plain.context.close()

    # A change: the contact officer named at the end of the paper.
    admin.goto(committee_url + "/report/details")
    admin.get_by_label("Contact officer's name").fill("Robin Contact")
    admin.get_by_role("button", name="Save report details").click()
    admin.get_by_text("Report details saved").wait_for()
    admin.goto(committee_url + "/report")
    assert "Being prepared again with the latest changes" in admin.get_by_role(
        "status").inner_text()
    assert "Robin Contact" not in admin.locator("main").inner_text()  # the older paper
    steps.snap(admin, "being-prepared-again")
    # With script the page updates itself when the new paper is ready.
    admin.get_by_text("Up to date.").wait_for(timeout=60_000)
    assert "Robin Contact" in admin.locator("main").inner_text()
    steps.snap(admin, "prepared-again")
    admin.context.close()
