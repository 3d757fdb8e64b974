"""The update form and the import review work with the keyboard alone, and every page fits a
320-pixel-wide screen without sideways scrolling."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, timedelta

import pytest

from tests.browser.conftest import ROOT, Steps, after_confirming, sign_in
from tracker.demo.letters import letter_dates, newer_letter, older_letter

PHONE = {"width": 320, "height": 640}
MOST_TABS = 300


@pytest.fixture(scope="module")
def letter_paths(tmp_path_factory) -> tuple[str, str]:
    """Two of our fictional council's letters: an earlier one and a later one."""
    folder = tmp_path_factory.mktemp("letters")
    earlier_date, earlier_visits = letter_dates(date.today(), 400)
    later_date, later_visits = letter_dates(date.today(), 20)
    paths = []
    for name, letter in (
        ("earlier", older_letter(earlier_date, earlier_visits)),
        ("later", newer_letter(later_date, later_visits, earlier_visits)),
    ):
        path = folder / f"northshire-{name}-letter.txt"
        path.write_text(letter.text, encoding="utf-8")
        paths.append(str(path))
    return paths[0], paths[1]


def _upload(page, letter_path: str) -> str:
    page.goto("/inspections/import")
    page.get_by_label("Upload the letter or report").set_input_files(letter_path)
    page.get_by_role("button", name="Read the document").click()
    page.wait_for_url(re.compile(r"/inspections/import/\d+$"))
    return page.url


def _tab_to(page, matches: str) -> None:
    """Press Tab until the focused element satisfies the JavaScript test `matches` (given the
    element as `el`)."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {matches}; }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {matches}")


@pytest.fixture(scope="module")
def prepared(site, chromium, letter_paths):
    """An imported inspection with an action owned by the manager, an issued report, and a
    second upload waiting for review."""
    site.start()
    admin = sign_in(chromium, site, "admin")
    _upload(admin, letter_paths[0])
    admin.get_by_role("button", name="Create inspection and tracked items").click()
    admin.goto(after_confirming(admin))
    admin.get_by_role("link", name=re.compile("^Tracked as")).first.click()
    item_url = admin.url
    admin.get_by_role("button", name="Add an action").click()
    admin.get_by_label("Action", exact=True).fill("Audit twenty assessments")
    admin.get_by_label("Owner").select_option(label="Meg Lead")
    due = date.today() + timedelta(days=7)
    admin.get_by_label("Day").fill(str(due.day))
    admin.get_by_label("Month").fill(str(due.month))
    admin.get_by_label("Year").fill(str(due.year))
    admin.get_by_role("button", name="Add action").click()
    admin.get_by_text("Action added").wait_for()
    admin.goto("/committees")
    admin.get_by_role("link", name=site.committee_name).click()
    committee_url = admin.url
    admin.get_by_role("button", name="Change the committee").click()
    admin.locator("input[name='inspections']").first.check()
    admin.get_by_role("button", name="Save").click()
    review_url = _upload(admin, letter_paths[1])
    admin.context.close()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "tracker", "report", "--committee",
         site.committee_name, "--format", "html", "--output", str(site.folder / "r.html"),
         "--issue"],
        cwd=ROOT, env=site.environment(), check=True, capture_output=True,
    )
    return {"item": item_url, "committee": committee_url, "review": review_url}


def test_the_update_form_can_be_completed_with_the_keyboard_alone(site, chromium, prepared):
    steps = Steps("keyboard-update")
    manager = sign_in(chromium, site, "manager")
    manager.goto("/my-actions")
    update = manager.get_by_role("link", name=re.compile("^Update")).first.get_attribute("href")
    manager.goto(update)
    steps.snap(manager, "update-form")

    _tab_to(manager, "el.type === 'radio'")
    manager.keyboard.press("ArrowDown")  # from "Not started" to "In progress"
    assert manager.evaluate("document.activeElement.value") == "in progress"
    _tab_to(manager, "el.name === 'commentary'")
    manager.keyboard.type("Twelve of twenty audited, typed without a mouse.")
    _tab_to(manager, "el.tagName === 'BUTTON' && el.textContent.includes('Save update')")
    manager.keyboard.press("Enter")
    manager.get_by_text("Update saved").wait_for()
    steps.snap(manager, "saved")
    manager.goto(update.split("/update")[0])
    manager.get_by_text("Twelve of twenty audited, typed without a mouse.").first.wait_for()
    assert "In progress" in manager.content()


def test_the_import_review_can_be_completed_with_the_keyboard_alone(site, chromium, prepared):
    steps = Steps("keyboard-import-review")
    admin = sign_in(chromium, site, "admin")
    admin.goto(prepared["review"])
    steps.snap(admin, "review")

    # Correct the second finding's wording, then confirm: Tab, type and Enter only.
    _tab_to(admin, "el.name === 'findings-1-text'")
    admin.keyboard.press("Control+A")
    admin.keyboard.type("Corrected with the keyboard: plans do not say who does what by when.")
    _tab_to(admin, "el.tagName === 'BUTTON' && el.textContent.includes('Create inspection')")
    admin.keyboard.press("Enter")
    admin.goto(after_confirming(admin))
    steps.snap(admin, "created")
    assert "Corrected with the keyboard: plans do not say who does what by when." in (
        admin.content())


PAGES = [
    "/", "/items", "/my-actions", "/inspections", "/inspections/import", "/committees",
    "/reports", "/users", "/users/sign-ins", "/admin/reminders", "/how-status-is-worked-out",
]


def test_every_page_fits_a_320_pixel_screen(site, chromium, prepared):
    steps = Steps("phone")
    admin = sign_in(chromium, site, "admin", viewport=PHONE)
    admin.goto(prepared["item"])
    action = admin.get_by_role("link", name="Audit twenty assessments").first.get_attribute(
        "href")
    admin.goto("/reports")
    issued = admin.get_by_role("link", name=re.compile("[Vv]ersion 1")).first.get_attribute(
        "href")
    pages = PAGES + [prepared["item"], action, f"{action}/update", prepared["committee"],
                     f"{prepared['committee']}/report", issued, prepared["review"]]
    too_wide = {}
    for number, path in enumerate(pages):
        admin.goto(path)
        steps.snap(admin, f"page-{number}")
        width = admin.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[admin.url] = width
    # A form shown with its errors must fit too.
    admin.goto(f"{action}/update")
    admin.get_by_role("button", name="Save update").click()
    if admin.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
        too_wide["update form with errors"] = admin.evaluate(
            "document.documentElement.scrollWidth")
    assert too_wide == {}, f"wider than {PHONE['width']} px: {too_wide}"
