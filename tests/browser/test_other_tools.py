"""The tools added for issue 8, in Chromium against the served tracker, its scheduler and a
local SMTP server: your account, the calendar feed and API tokens; an action plan imported
from a spreadsheet; a partner link emailed by the scheduler and used without signing in; an
evidence pack made by the scheduler and downloaded. axe-core runs on every page visited and
on each form shown with its errors."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

from tests import hostile_files
from tests.browser.conftest import Steps, after_confirming, sign_in
from tests.browser.test_journey import _letter_file

PARTNER = ("Sergeant Priya Nair", "priya.nair@northshire-police.example")
FINDING = ("Information about children missing from home is not shared with the police "
           "quickly enough.")
ACTION = "Agree a joint protocol for return home interviews with Northshire Police"
BAD_FINDING = "Strategy meetings are not always held within three working days."
# Long enough that the link's address shows in full in a line of the email's text.
PARTNER_LINK = re.compile(r"https?://\S+/partner/\S+")


def _plan_file(folder) -> str:
    """A small fictional action plan: one good row, and one with a date that cannot be."""
    due = date.today() + timedelta(days=60)
    path = folder / "missing-children-plan.csv"
    path.write_text(
        "Area for development,Action,Owner,Due date,Status\n"
        f'"{FINDING}",{ACTION},{PARTNER[1]},{due:%d/%m/%Y},In progress\n'
        f'"{BAD_FINDING}",Audit strategy meeting timeliness monthly,{PARTNER[1]},'
        "31/02/2027,Not started\n",
        encoding="utf-8",
    )
    return str(path)


def _wait_for_email(site, address: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        messages = site.inbox.to(address)
        if messages:
            return messages[-1]
        time.sleep(0.5)
    raise AssertionError(f"No email to {address} within {seconds} seconds")


def test_account_tools_plan_import_partner_link_and_evidence_pack(site, chromium, tmp_path):
    steps = Steps("other-tools")
    site.start()
    admin = sign_in(chromium, site, "admin")

    # 1. Your account, the calendar feed (its address shown once) and API tokens.
    admin.goto("/account")
    steps.check(admin, "your-account")
    admin.get_by_role("link", name="Set up your calendar feed").click()
    steps.check(admin, "calendar-feed-off")
    admin.get_by_role("button", name="Turn on the calendar feed").click()
    address = admin.get_by_label("Your calendar address").input_value()
    assert "/calendar/" in address
    steps.check(admin, "calendar-feed-address-shown")
    admin.goto("/account/calendar")
    assert admin.get_by_label("Your calendar address").count() == 0
    steps.check(admin, "calendar-feed-on")

    admin.goto("/account/api-tokens")
    steps.check(admin, "api-tokens")
    admin.get_by_role("button", name="Make token").click()
    steps.check(admin, "api-tokens-with-error")
    admin.get_by_label("Name of the token").fill("Power BI dashboard")
    admin.get_by_role("button", name="Make token").click()
    secret = admin.locator("#new-token").inner_text()
    assert secret.startswith("trk_")
    steps.check(admin, "api-token-made")
    admin.goto("/account/api-tokens")
    assert secret not in admin.content()

    # 2. An inspection to work on, from the demo-style letter, after a hostile PDF that its
    # reader (a process of its own, limited to 256 MB) cannot read within the limits.
    admin.goto("/inspections/import")
    hostile = tmp_path / "letter.pdf"
    hostile.write_bytes(hostile_files.pdf_with_millions_of_glyphs())
    admin.get_by_label("Upload the letter or report").set_input_files(str(hostile))
    admin.get_by_role("button", name="Read the document").click()
    admin.get_by_text("needs more than 256 MB of memory").first.wait_for()
    steps.check(admin, "import-letter-over-the-memory-limit")
    admin.get_by_label("Upload the letter or report").set_input_files(_letter_file(tmp_path))
    admin.get_by_role("button", name="Read the document").click()
    admin.wait_for_url(re.compile(r"/inspections/import/\d+$"))
    admin.get_by_role("button", name="Create inspection and tracked items").click()
    inspection_url = after_confirming(admin)

    # 3. The administrator adds a manager from a partner agency.
    admin.goto("/users/new")
    steps.check(admin, "add-partner-user")
    admin.get_by_label("Full name").fill(PARTNER[0])
    admin.get_by_label("Email address").fill(PARTNER[1])
    admin.get_by_label("Job title").fill("Missing persons coordinator")
    admin.get_by_label("Organisation (optional)").fill("Northshire Police")
    admin.get_by_label("Safeguarding manager").check()
    admin.get_by_label("Initial password").fill("harbour lantern meadow copper")
    admin.get_by_role("button", name="Add user").click()
    admin.get_by_text(PARTNER[0]).first.wait_for()
    steps.check(admin, "partner-user-added")

    # 4. An action plan spreadsheet, imported from the inspection's page.
    admin.goto(inspection_url)
    admin.get_by_role("button", name="Import an action plan spreadsheet").click()
    steps.check(admin, "plan-import-start")
    admin.get_by_role("button", name="Read the spreadsheet").click()
    steps.check(admin, "plan-import-start-with-error")
    long_cell = tmp_path / "plan-with-a-long-cell.xlsx"
    long_cell.write_bytes(hostile_files.xlsx_with_a_cell_of(40_000))
    admin.get_by_label("Upload the action plan").set_input_files(str(long_cell))
    admin.get_by_role("button", name="Read the spreadsheet").click()
    admin.get_by_text("holds more than 32,767 characters").first.wait_for()
    steps.check(admin, "plan-import-cell-over-excels-limit")
    admin.get_by_label("Upload the action plan").set_input_files(_plan_file(tmp_path))
    admin.get_by_role("button", name="Read the spreadsheet").click()
    admin.wait_for_url(re.compile(r"/plan-imports/\d+"))
    assert "Rows with problems (1)" in admin.content()
    steps.check(admin, "plan-import-mapping")
    admin.get_by_role("button", name=re.compile(r"^Import 1 new item and 1 action")).click()
    admin.get_by_text("Action plan imported").first.wait_for()
    assert BAD_FINDING in admin.content()
    steps.check(admin, "plan-import-done")

    # 5. A partner link for the imported action, emailed by the scheduler.
    admin.get_by_role("link", name="Go to the inspection and its tracked items").click()
    admin.get_by_role("link", name=re.compile("Tracked as “Information about children")).click()
    admin.get_by_role("link", name=re.compile("^Agree a joint protocol")).first.click()
    admin.wait_for_url(re.compile(r"/actions/\d+$"))
    action_url = admin.url
    steps.check(admin, "action-of-a-partner")
    admin.get_by_role("button", name="Send a partner link").click()
    steps.check(admin, "send-partner-link")
    admin.get_by_label("How many days should the link work?").fill("0")
    admin.get_by_role("button", name="Send link").click()
    steps.check(admin, "send-partner-link-with-error")
    admin.get_by_label("How many days should the link work?").fill("14")
    admin.get_by_role("button", name="Send link").click()
    admin.wait_for_url(action_url)
    admin.get_by_role("heading", name="Partner links").wait_for()
    steps.check(admin, "action-with-partner-link")

    email = _wait_for_email(site, PARTNER[1])
    (link,) = PARTNER_LINK.findall(site.inbox.text(email))
    partner_context = chromium.new_context()
    partner = partner_context.new_page()
    partner.goto(link)
    steps.check(partner, "partner-update")
    steps.narrow(partner, "partner-update")
    partner.get_by_role("button", name="Send update").click()
    steps.check(partner, "partner-update-with-error")
    partner.get_by_label("What has happened since the last update?").fill(
        "Draft protocol agreed with the police missing persons unit; signing on Friday.")
    partner.get_by_role("button", name="Send update").click()
    partner.get_by_text("Update sent").first.wait_for()
    steps.check(partner, "partner-update-sent")
    # The footer's "How status is worked out" opens for someone with no account.
    partner.get_by_role("link", name="How status is worked out").click()
    partner.wait_for_url(re.compile(r"/how-status-is-worked-out$"))
    steps.check(partner, "how-status-without-an-account")
    partner_context.close()

    admin.goto(action_url)
    admin.get_by_text("Partner update", exact=True).first.wait_for()
    assert "Draft protocol agreed" in admin.content()
    steps.check(admin, "action-with-partner-update")

    # 6. An evidence pack of today, made by the scheduler and downloaded.
    admin.goto("/evidence-packs")
    steps.check(admin, "evidence-packs")
    tomorrow = date.today() + timedelta(days=1)
    admin.get_by_label("Day").fill(str(tomorrow.day))
    admin.get_by_label("Month").fill(str(tomorrow.month))
    admin.get_by_label("Year").fill(str(tomorrow.year))
    admin.get_by_role("button", name="Make the evidence pack").click()
    steps.check(admin, "evidence-packs-with-error")
    today = date.today()
    admin.get_by_label("Day").fill(str(today.day))
    admin.get_by_label("Month").fill(str(today.month))
    admin.get_by_label("Year").fill(str(today.year))
    admin.get_by_role("button", name="Make the evidence pack").click()
    admin.wait_for_url(re.compile(r"/evidence-packs/\d+$"))
    steps.check(admin, "evidence-pack-being-made")
    # A GOV.UK button that is a link: role "button".
    download = admin.get_by_role("button", name=re.compile("^Download the evidence pack"))
    deadline = time.monotonic() + 90
    while download.count() == 0 and time.monotonic() < deadline:
        admin.wait_for_timeout(1000)
        admin.reload()
    steps.check(admin, "evidence-pack-ready")
    with admin.expect_download() as pack:
        download.click()
    saved = tmp_path / pack.value.suggested_filename
    pack.value.save_as(saved)
    assert saved.read_bytes().startswith(b"PK")
    admin.context.close()
