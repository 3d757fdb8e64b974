"""An administrator sets how long inspections are kept, for the council and for one
inspection, and anonymises a manager who has left, in Chromium against the served tracker:
the manager's open session ends, the user list shows "Former user", and the removal record
lists the anonymisation. axe-core runs on every page visited and on the forms shown with their
errors."""

from __future__ import annotations

import re

from tests.browser.conftest import Steps, import_a_recent_letter, sign_in


def test_administrator_sets_retention_and_anonymises_a_person_who_left(site, chromium,
                                                                       tmp_path):
    steps = Steps("data-protection")
    site.start()
    manager = sign_in(chromium, site, "manager")
    admin = sign_in(chromium, site, "admin")
    inspection_url = import_a_recent_letter(admin, tmp_path)

    admin.goto("/users")
    admin.get_by_role("link", name="Data protection").click()
    admin.wait_for_url(re.compile(r"/admin/data-protection$"))
    assert admin.get_by_text("Not while its plan is open").count() == 1
    steps.check(admin, "data-protection")

    years = admin.get_by_label("Years to keep an inspection after its plan closes")
    years.fill("0")
    admin.get_by_role("button", name="Save").click()
    assert admin.get_by_text("Enter a number of years from 1 to 100").count() >= 1
    steps.check(admin, "data-protection-with-error")
    years.fill("10")
    admin.get_by_role("button", name="Save").click()
    assert admin.get_by_text("Inspections are now kept for 10 years").count() == 1

    admin.goto(inspection_url)
    admin.get_by_role("link", name="How long this inspection is kept").click()
    assert admin.get_by_text("10 years after its plan closes").count() == 1
    steps.check(admin, "inspection-retention")
    admin.get_by_label("Years to keep this inspection after its plan closes").fill("25")
    admin.get_by_role("button", name="Save").click()
    assert admin.get_by_text("25 years after its plan closes").count() == 1
    steps.check(admin, "inspection-retention-saved")

    name = site.people["manager"].name
    admin.goto("/users")
    admin.get_by_role("link", name=name).click()
    admin.get_by_role("link", name=f"Anonymise {name}").click()
    assert admin.get_by_text("It cannot be undone").count() == 1
    steps.check(admin, "anonymise-confirm")
    admin.get_by_role("button", name=f"Anonymise {name}").click()
    admin.wait_for_url(re.compile(r"/users/\d+$"))
    assert admin.get_by_text("they are now shown as Former user").count() == 1
    steps.check(admin, "anonymised-person")
    admin.goto("/users")
    assert admin.get_by_text(name).count() == 0
    steps.check(admin, "users-after")
    admin.goto("/admin/data-protection")
    assert admin.get_by_role("cell", name="Person anonymised").count() == 1
    steps.check(admin, "record")

    # The manager's own session ended with the anonymisation.
    manager.goto("/")
    manager.wait_for_url(re.compile(r"/sign-in"))
    steps.snap(manager, "manager-signed-out")
