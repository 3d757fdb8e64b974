"""Passwords in Chromium against the served tracker, its scheduler and a local SMTP server:
a manager changes their password (and their phone's session ends), forgets it and resets it
through the emailed link, and an administrator sends a reset link. axe-core runs on every
page visited and on each form shown with its errors."""

from __future__ import annotations

import re

from tests.browser.conftest import Steps, sign_in
from tests.browser.test_other_tools import _wait_for_email

CHANGED = "juniper lantern copper sketch"
RESET = "walnut harbour violet pencil"
RESET_LINK = re.compile(r"https?://\S+/reset-password/\S+")


def test_change_forget_and_reset_a_password(site, chromium):
    steps = Steps("passwords")
    site.start()
    manager = site.people["manager"]
    laptop = sign_in(chromium, site, "manager")
    phone = sign_in(chromium, site, "manager")

    # 1. Your account → change password, with the errors first.
    laptop.goto("/account")
    laptop.get_by_role("link", name="Change your password").click()
    steps.check(laptop, "change-password")
    laptop.get_by_label("Current password").fill("not my password")
    laptop.get_by_label("New password").fill("password1234")
    laptop.get_by_role("button", name="Change password").click()
    steps.check(laptop, "change-password-with-errors")
    laptop.get_by_label("Current password").fill(manager.password)
    laptop.get_by_label("New password").fill(CHANGED)
    laptop.get_by_role("button", name="Change password").click()
    laptop.wait_for_url(f"{site.url}/account")
    steps.check(laptop, "password-changed")
    # The phone's session has ended; the laptop's goes on.
    phone.goto("/items")
    assert "/sign-in" in phone.url
    laptop.goto("/items")
    assert "/sign-in" not in laptop.url

    # 2. Signed out, the password forgotten: the emailed link.
    laptop.get_by_role("button", name="Sign out").click()
    laptop.get_by_role("link", name="Forgotten your password?").click()
    steps.check(laptop, "forgotten-password")
    laptop.get_by_role("button", name="Send the link").click()
    steps.check(laptop, "forgotten-password-with-errors")
    laptop.get_by_label("Email address").fill(manager.email)
    laptop.get_by_role("button", name="Send the link").click()
    steps.check(laptop, "check-your-email")
    message = _wait_for_email(site, manager.email, seconds=120)
    link = RESET_LINK.search(site.inbox.text(message)).group(0)
    laptop.goto(link)
    steps.check(laptop, "choose-a-new-password")
    laptop.get_by_label("New password").fill("qwertyuiop12")
    laptop.get_by_role("button", name="Save new password").click()
    steps.check(laptop, "choose-a-new-password-with-errors")
    laptop.get_by_label("New password").fill(RESET)
    laptop.get_by_role("button", name="Save new password").click()
    laptop.wait_for_url(f"{site.url}/sign-in")
    steps.check(laptop, "password-reset-sign-in")
    laptop.goto(link)
    steps.check(laptop, "reset-link-used")
    laptop.goto("/sign-in")
    laptop.get_by_label("Email address").fill(manager.email)
    laptop.get_by_label("Password", exact=True).fill(RESET)
    laptop.get_by_role("button", name="Sign in").click()
    laptop.wait_for_url(f"{site.url}/")

    # 3. An administrator sends a reset link, and can sign a person out everywhere.
    admin = sign_in(chromium, site, "admin")
    admin.goto("/users")
    admin.get_by_role("link", name=re.compile("Meg Lead")).first.click()
    steps.check(admin, "user-with-password-and-sessions")
    admin.get_by_role("button", name="Send a password reset link").click()
    steps.check(admin, "reset-link-sent")
    admin.get_by_role("button", name="Sign out everywhere").click()
    steps.check(admin, "signed-out-everywhere")
    laptop.goto("/items")
    assert "/sign-in" in laptop.url
    admin.goto("/users/sign-ins")
    steps.check(admin, "sign-in-record")
