"""The whole journey in Chromium, against the tracker served on 127.0.0.1 with its scheduler
and a local SMTP server: import, correct, assign, plan; ten days later the manager updates
the overdue action, the reminder arrives, the report is issued and a councillor downloads it.
axe-core runs on every page the journey visits and on each form shown with its errors."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.browser.conftest import Steps, after_confirming, later, sign_in
from tracker.demo.letters import letter_dates, older_letter

CORRECTED = ("Managers' oversight of assessments is not consistently recorded, and records do "
             "not always show why decisions were made.")


def _letter_file(folder) -> str:
    letter_date, visits = letter_dates(date.today(), 20)
    letter = older_letter(letter_date, visits)
    path = folder / "northshire-letter.txt"
    path.write_text(letter.text, encoding="utf-8")
    return str(path)


def test_from_letter_to_the_committee_paper(site, chromium, tmp_path):
    steps = Steps("journey")
    site.start()

    # An administrator imports the letter and corrects one finding on the review page.
    admin = sign_in(chromium, site, "admin", steps)
    steps.check(admin, "dashboard")
    admin.goto("/inspections/import")
    steps.check(admin, "import-start")
    admin.get_by_role("button", name="Read the document").click()
    steps.check(admin, "import-start-with-error")
    admin.get_by_label("Upload the letter or report").set_input_files(_letter_file(tmp_path))
    admin.get_by_role("button", name="Read the document").click()
    admin.wait_for_url(re.compile(r"/inspections/import/\d+$"))
    steps.check(admin, "import-review")
    title = admin.get_by_label("Title", exact=True)
    original_title = title.input_value()
    title.fill("")
    admin.get_by_role("button", name="Create inspection and tracked items").click()
    steps.check(admin, "import-review-with-error")
    admin.get_by_label("Title", exact=True).fill(original_title)
    development = admin.locator("textarea[name$='-text']").nth(2)
    development.fill(CORRECTED)
    admin.get_by_role("button", name="Create inspection and tracked items").click()
    inspection_url = after_confirming(admin)
    steps.check(admin, "next-steps")
    steps.narrow(admin, "next-steps")
    admin.goto(inspection_url)
    steps.check(admin, "inspection")
    # Nobody leads the new items and nothing is planned: every status says so, in words.
    assert admin.locator(".tracker-status", has_text="Not planned").count() >= 3
    # The next steps give every item its lead officer on one page.
    admin.get_by_role("link", name=re.compile("^Next steps")).click()
    selects = admin.locator("select[name^='lead_']")
    assert selects.count() >= 3
    for number in range(selects.count()):
        selects.nth(number).select_option(label="Meg Lead")
    admin.get_by_role("button", name="Save lead officers").click()
    admin.get_by_text("Lead officers saved").wait_for()
    steps.check(admin, "next-steps-leads-saved")
    assert admin.locator("select[name^='lead_'] option:checked", has_text="Meg Lead").count() \
        == selects.count()
    admin.goto("/items")
    steps.check(admin, "items-not-planned")
    admin.goto("/")
    steps.check(admin, "dashboard-with-items")
    admin.goto(inspection_url)

    # Assigns a lead officer to the corrected item and plans a dated action.
    admin.get_by_role("link", name=re.compile("Tracked as “Managers")).click()
    steps.check(admin, "item")
    admin.get_by_role("button", name="Edit details").click()
    short_title = admin.get_by_label("Short title")
    item_title = short_title.input_value()
    short_title.fill("")
    admin.get_by_role("button", name="Save").click()
    steps.check(admin, "edit-item-with-errors")
    admin.get_by_label("Short title").fill(item_title)
    admin.get_by_label("Lead officer").select_option(label="Meg Lead")
    admin.get_by_role("button", name="Save").click()
    admin.get_by_role("button", name="Add an action").click()
    admin.get_by_role("button", name="Add action").click()
    steps.check(admin, "add-action-with-errors")
    admin.get_by_label("Action", exact=True).fill("Audit twenty assessments for recorded oversight")
    admin.get_by_label("Owner").select_option(label="Meg Lead")
    due = date.today() + timedelta(days=7)
    admin.get_by_label("Day").fill(str(due.day))
    admin.get_by_label("Month").fill(str(due.month))
    admin.get_by_label("Year").fill(str(due.year))
    admin.get_by_role("button", name="Add action").click()
    admin.get_by_text("Audit twenty assessments for recorded oversight").first.wait_for()
    steps.check(admin, "item-with-action")
    admin.goto("/how-status-is-worked-out")
    steps.check(admin, "how-status-is-worked-out")

    # The committee follows the new inspection.
    admin.goto("/committees")
    admin.get_by_role("link", name=site.committee_name).click()
    admin.get_by_role("button", name="Change the committee").click()
    steps.check(admin, "committee-edit")
    admin.get_by_label("Name", exact=True).fill("")
    admin.get_by_role("button", name="Save").click()
    steps.check(admin, "committee-edit-with-errors")
    admin.get_by_label("Name", exact=True).fill(site.committee_name)
    admin.locator("input[name='inspections']").first.check()
    admin.get_by_role("button", name="Save").click()
    steps.check(admin, "committee")
    committee_url = admin.url

    # Its report schedule: each kind of schedule shows only its own fields.
    admin.get_by_role("link", name="Change the report schedule").click()
    steps.check(admin, "schedule")
    assert not admin.get_by_label("Day", exact=True).is_visible()
    admin.get_by_label("On a regular rule").check()
    assert admin.get_by_label("Day", exact=True).is_visible()
    assert not admin.get_by_label("Working days before each meeting", exact=True).is_visible()
    admin.get_by_label("Months").fill("January, April, July, October")
    admin.get_by_label("Day", exact=True).fill("5th Monday")
    admin.get_by_label("Report owner").select_option(label="Meg Lead")
    admin.get_by_role("button", name="Save schedule").click()
    admin.get_by_text("Not every month has a fifth Monday").first.wait_for()
    steps.check(admin, "schedule-with-errors")
    steps.narrow(admin, "schedule-with-errors")
    admin.get_by_label("Day", exact=True).fill("last Monday")
    admin.get_by_role("button", name="Save schedule").click()
    admin.wait_for_url(committee_url)
    admin.get_by_text("Last Monday of January, April, July and October at 9am").wait_for()
    steps.check(admin, "committee-with-schedule")
    steps.narrow(admin, "committee-with-schedule")
    # Removing a meeting date asks first; the clerk keeps it.
    admin.get_by_role("link", name=re.compile("^Remove")).first.click()
    steps.check(admin, "remove-meeting-asks")
    admin.get_by_role("link", name="Keep it").click()
    admin.wait_for_url(committee_url)
    admin.context.close()

    # Ten days later the action is three days overdue.
    site.start(later(10))
    manager = sign_in(chromium, site, "manager", steps)
    manager.goto("/my-actions")
    steps.check(manager, "my-actions")
    card = manager.locator(".govuk-summary-card", has_text="Audit twenty assessments")
    assert "overdue" in card.inner_text().lower()
    steps.narrow(manager, "my-actions")
    card.get_by_role("link", name=re.compile("^Update")).click()
    steps.check(manager, "update-action")
    steps.narrow(manager, "update-action")
    assert "Nobody has updated this action yet." in manager.content()
    # The action is overdue: its date can be moved from the same page (Meg leads the item).
    assert manager.get_by_role("link", name="Move the due date").is_visible()
    update_url = manager.url
    manager.get_by_role("button", name="Save update").click()
    steps.check(manager, "update-action-with-errors")
    manager.get_by_label("In progress").check()
    typed = "Twelve of twenty assessments audited; <script>alert('x')</script> the rest next week."
    steps.typed.add(typed)
    manager.get_by_label("Commentary").fill(typed)
    manager.get_by_role("button", name="Save update").click()
    manager.get_by_text("Update saved").wait_for()
    steps.check(manager, "update-saved")
    # The next update starts from what was said last, who said it and when.
    manager.goto(update_url)
    last = manager.locator(".tracker-last-update")
    assert "Meg Lead" in last.inner_text()
    assert "Twelve of twenty assessments audited" in last.inner_text()
    steps.check(manager, "update-action-after-an-update")
    manager.goto("/my-actions")
    manager.locator(".govuk-summary-card", has_text="Audit twenty assessments").get_by_role(
        "link", name=re.compile("^View")).click()
    # The commentary shows as typed: the script tag is text, not a script.
    manager.get_by_text("<script>alert('x')</script>", exact=False).first.wait_for()
    steps.check(manager, "action-with-commentary")
    manager.context.close()

    # The reminder job sends the digest, which arrives at the SMTP server.
    admin = sign_in(chromium, site, "admin")
    admin.goto("/admin/reminders")
    steps.check(admin, "reminders")
    daily = admin.locator("#job-daily-reminders")
    assert "Not run yet" in daily.inner_text()
    assert "Reminders of the next run, " in admin.content()
    admin.get_by_role("button", name="Run reminders now").click()
    admin.get_by_text("Reminders run:").wait_for()
    steps.check(admin, "reminders-run")
    steps.narrow(admin, "reminders-run")
    # "Run reminders now" is the last run now.
    assert "Not run yet" not in admin.locator("#job-daily-reminders").inner_text()
    # Meg's daily digest; she also leads the items still without actions, so the weekly
    # planning reminder may come beside it.
    (digest,) = [message for message in site.inbox.to(site.people["manager"].email)
                 if "Audit twenty assessments" in site.inbox.text(message)]
    assert "Audit twenty assessments for recorded oversight" in site.inbox.text(digest)
    assert "3 days overdue" in site.inbox.text(digest)

    # The progress report is issued by the scheduler while the page shows its progress.
    admin.goto(inspection_url)
    admin.goto("/committees")
    admin.get_by_role("link", name=site.committee_name).click()
    admin.get_by_role("link", name=re.compile("^Draft progress report")).click()
    steps.check(admin, "draft-report")
    admin.get_by_role("button", name="Issue version 1").click()
    admin.get_by_text("Version 1 issued").wait_for(timeout=90_000)
    steps.check(admin, "report-issued")
    admin.context.close()

    # A councillor reads it and downloads the PDF and the Word file.
    member = sign_in(chromium, site, "member", steps)
    steps.check(member, "member-dashboard")
    steps.narrow(member, "member-dashboard")
    # The statutory deadlines are the officers' to meet, not a councillor's.
    assert member.locator(".govuk-warning-text").count() == 0
    member.goto("/reports")
    steps.check(member, "reports")
    member.get_by_role("link", name=re.compile("Version 1|version 1")).first.click()
    steps.check(member, "issued-report")
    assert "Audit twenty assessments for recorded oversight" in member.content()
    for label, magic in (("PDF", b"%PDF"), ("Word", b"PK")):
        with member.expect_download() as download:
            member.get_by_role("link", name=re.compile(f"^{label}")).click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        assert saved.read_bytes().startswith(magic), label
    member.context.close()
