"""A large committee's draft in Chromium, against the served tracker and its scheduler: the
page says the draft is being prepared and shows the paper once the scheduler has prepared it
(by itself with script; by "Check again" without); after a change it shows the older paper
with its time while the next one is prepared. Here every committee counts as large
(DRAFT_PAGE_LIVE_ITEMS=0). While a state is checked with axe-core and the HTML checker the
scheduler is stopped, so that the page, which reloads itself when the preparation moves on,
stays as it is."""

from __future__ import annotations

import re
import time

from tests.browser.conftest import Steps, import_a_recent_letter, sign_in


def _stop_the_scheduler(site) -> None:
    scheduler = site.processes[-1]  # started after the web server (Site.start)
    scheduler.terminate()
    scheduler.wait(timeout=10)


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
    draft_url = admin.url + "/report"
    admin.get_by_role("button", name="Change the committee").click()
    admin.locator("input[name='inspections']").first.check()
    admin.get_by_role("button", name="Save").click()

    # The first look queues the preparation; the page says so, in a status region.
    _stop_the_scheduler(site)
    admin.goto(draft_url)
    assert admin.get_by_role("heading", name="Draft progress report").count() == 1
    assert "This draft is being prepared: waiting to start" in admin.get_by_role(
        "status").inner_text()
    steps.check(admin, "being-prepared")
    plain = sign_in(chromium, site, "admin", java_script_enabled=False)
    plain.goto(draft_url)
    steps.snap(plain, "being-prepared-without-script")

    # The scheduler prepares it: with script the page shows it by itself, without it
    # "Check again" does.
    site.start()
    admin.get_by_text("Up to date.").wait_for(timeout=60_000)
    text = admin.locator("main").inner_text()
    assert re.search(r"Up to date\. Prepared on .+ from the tracker's data", text)
    assert "Progress on the improvement plan" in text
    steps.check(admin, "prepared")
    _until_prepared(plain)
    steps.snap(plain, "prepared-without-script")
    plain.context.close()

    # A change: the contact officer named at the end of the paper. The older paper shows, with
    # its time, while the next is prepared.
    admin.goto(draft_url + "/details")
    admin.get_by_label("Contact officer's name").fill("Robin Contact")
    admin.get_by_role("button", name="Save report details").click()
    admin.get_by_text("Report details saved").wait_for()
    _stop_the_scheduler(site)
    admin.goto(draft_url)
    assert "Being prepared again with the latest changes" in admin.get_by_role(
        "status").inner_text()
    assert "Robin Contact" not in admin.locator("main").inner_text()
    steps.check(admin, "being-prepared-again")
    site.start()
    admin.get_by_text("Up to date.").wait_for(timeout=60_000)
    assert "Robin Contact" in admin.locator("main").inner_text()
    steps.snap(admin, "prepared-again")
    admin.context.close()
