"""Requests to the lead officer, in Chromium: an owner asks to move a due date (not into the
past) and to cancel an action; the administrator, deciding for an item with no lead officer yet,
sees them where date requests wait and refuses the cancellation, saying why. An item with an
open action does not offer "Mark complete" and names the action. axe-core checks every page."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.browser.conftest import (
    Steps,
    add_action,
    fill_date,
    import_a_recent_letter,
    sign_in,
)

ACTION = "Audit twenty assessments for recorded oversight"


def test_an_owner_asks_and_the_administrator_decides(site, chromium, tmp_path):
    steps = Steps("requests")
    site.start()

    # An administrator imports a letter and plans an action owned by Meg, a manager.
    admin = sign_in(chromium, site, "admin")
    import_a_recent_letter(admin, tmp_path)
    admin.get_by_role("link", name=re.compile("^Tracked as")).first.click()
    item_url = admin.url
    add_action(admin, ACTION, owner="Meg Lead", due=date.today() + timedelta(days=7))
    assert admin.get_by_role("button", name="Mark complete").count() == 0
    assert "1 action is still open" in admin.content()
    steps.check(admin, "item-with-an-open-action")
    admin.goto(f"{item_url}/complete")
    assert admin.get_by_label("Evidence that the outcome is achieved").count() == 0
    steps.check(admin, "mark-complete-not-offered")
    admin.context.close()

    # Meg asks to move the date (refused for a day in the past), then to cancel the action.
    manager = sign_in(chromium, site, "manager")
    manager.goto(item_url)
    manager.get_by_role("link", name=ACTION).first.click()
    action_url = manager.url
    manager.get_by_role("button", name="Ask to change due date").click()
    fill_date(manager, date.today() - timedelta(days=1))
    manager.get_by_label("Reason for the change").fill("The audit team is short-staffed")
    manager.get_by_role("button", name="Send request").click()
    manager.get_by_text("A new due date cannot be in the past").first.wait_for()
    steps.check(manager, "ask-due-date-in-the-past")
    fill_date(manager, date.today() + timedelta(days=30))
    manager.get_by_role("button", name="Send request").click()
    manager.wait_for_url(action_url)
    manager.get_by_role("button", name="Ask to cancel").click()
    manager.get_by_role("button", name="Send request").click()
    steps.check(manager, "ask-to-cancel-with-errors")
    manager.get_by_label("Why should the action be cancelled?").fill(
        "The quarterly case file audit now covers oversight")
    manager.get_by_role("button", name="Send request").click()
    manager.wait_for_url(action_url)
    assert manager.get_by_role("button", name=re.compile("^Withdraw your request")).count() == 2
    steps.check(manager, "action-with-two-waiting-requests")
    manager.context.close()

    # The administrator sees both where date requests wait, and refuses the cancellation.
    admin = sign_in(chromium, site, "admin")
    assert "Cancellations waiting for your decision" in admin.content()
    steps.check(admin, "dashboard-with-requests")
    admin.goto("/due-date-changes")
    steps.check(admin, "requests-waiting")
    admin.locator("a[href^='/cancellations/']").click()
    steps.check(admin, "decide-cancellation")
    admin.get_by_label("Refuse: the action stays as it is").check()
    admin.get_by_role("button", name="Save decision").click()
    admin.get_by_text("Say why the cancellation is refused").first.wait_for()
    steps.check(admin, "decide-cancellation-with-errors")
    admin.get_by_label("Note").fill("The quarterly audit does not look at oversight")
    admin.get_by_role("button", name="Save decision").click()
    admin.wait_for_url(action_url)
    admin.get_by_text("Decision saved").wait_for()
    steps.check(admin, "action-after-the-refusal")
    admin.context.close()
