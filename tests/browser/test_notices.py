"""People are told what waits for them, in Chromium, through the real SMTP server: an owner asks
to move a date; the lead officer's next email and dashboard show it; the lead refuses, saying
why; the owner's dashboard shows it at once and their next email says so. A partner's reminder
carries a partner link that opens their update page without signing in. Screenshots of the
dashboards and of the emails as a mail program shows them; axe-core checks every page."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, timedelta

from tests.browser.conftest import (
    ROOT,
    Steps,
    add_action,
    fill_date,
    import_a_recent_letter,
    later,
    sign_in,
)

ACTION = "Audit twenty assessments for recorded oversight"
PARTNER_ACTION = "Police attend every strategy discussion in person"
REFUSAL = "The inspectors revisit in January: the audit must be done before then"
PARTNER = ("DI Jo Partner", "jo.partner@police.example", "Northshire Police")

# A partner has an account with no password: they update through links.
ADD_PARTNER = """
import sys
from tracker import create_app
from tracker.accounts.models import Council, Role, User
from tracker.extensions import db
name, email, organisation = sys.argv[1:]
with create_app().app_context():
    council = db.session.query(Council).one()
    db.session.add(User(council_id=council.id, name=name, email=email, organisation=organisation,
                        job_title="Detective Inspector", role=Role.MANAGER, active=True,
                        password_hash=""))
    db.session.commit()
"""


def run_reminders(page) -> None:
    page.goto("/admin/reminders")
    page.get_by_role("button", name="Run reminders now").click()
    page.get_by_text("Reminders run").first.wait_for()


def show_email(chromium, steps: Steps, html: str, name: str) -> None:
    """The email's HTML part, as a mail program shows it, in a screenshot."""
    page = chromium.new_page()
    page.set_content(html)
    steps.snap(page, name)
    page.close()


def test_an_owner_asks_the_lead_is_told_refuses_and_the_owner_is_told(site, chromium,
                                                                      tmp_path):
    steps = Steps("notices")
    site.start()
    subprocess.run([sys.executable, "-c", ADD_PARTNER, *PARTNER], cwd=ROOT,
                   env=site.environment(), check=True, capture_output=True)
    admin_person, meg = site.people["admin"], site.people["manager"]

    # The administrator leads an item and plans two actions: Meg's, and the police's.
    admin = sign_in(chromium, site, "admin")
    import_a_recent_letter(admin, tmp_path)
    admin.get_by_role("link", name=re.compile("^Tracked as")).first.click()
    admin.get_by_role("button", name="Edit details").click()
    admin.get_by_label("Lead officer").select_option(label=admin_person.name)
    admin.get_by_role("button", name="Save").click()
    for description, owner, days in ((ACTION, meg.name, 7),
                                     (PARTNER_ACTION, f"{PARTNER[0]} ({PARTNER[2]})", 3)):
        add_action(admin, description, owner=owner, due=date.today() + timedelta(days=days))
    admin.context.close()

    # Meg sees her new action on her dashboard at once, and asks to move its date.
    manager = sign_in(chromium, site, "manager")
    notices = manager.locator("#notices")
    assert f"{admin_person.name} made you the owner of this action" in notices.inner_text()
    steps.check(manager, "owner-dashboard-new-action")
    manager.get_by_role("link", name=ACTION).first.click()
    manager.get_by_role("button", name="Ask to change due date").click()
    fill_date(manager, date.today() + timedelta(days=30))
    manager.get_by_label("Reason for the change").fill("The audit team is short-staffed")
    manager.get_by_role("button", name="Send request").click()
    manager.get_by_text("Withdraw your request").first.wait_for()
    manager.context.close()

    # The next morning the lead's email names the request, and so does the dashboard.
    site.start(later(1))
    admin = sign_in(chromium, site, "admin")
    run_reminders(admin)
    # (The other email is the weekly one about the letter's items that have no lead officer.)
    [lead_mail] = [mail for mail in site.inbox.to(admin_person.email)
                   if "waiting for your decision" in mail["Subject"]]
    assert lead_mail["Subject"] == ("Northshire improvement tracker: 1 request waiting for "
                                    "your decision")
    text = site.inbox.text(lead_mail)
    assert f"{meg.name} asks to move the due date" in text
    assert "Reason: The audit team is short-staffed" in text
    decide_link = re.search(rf"Decide: ({re.escape(site.url)}/due-date-changes/\d+)", text)[1]
    show_email(chromium, steps, site.inbox.html(lead_mail), "email-to-the-lead")
    admin.goto("/")
    assert "Due date changes waiting for your decision" in admin.content()
    steps.check(admin, "lead-dashboard-with-the-request")

    # Meg's email, the same morning, tells her of her new action.
    [meg_first] = site.inbox.to(meg.email)
    assert "NEW ACTIONS FOR YOU" in site.inbox.text(meg_first)

    # The lead follows the email's link and refuses, saying why.
    admin.goto(decide_link)
    admin.get_by_label("Refuse it").check()
    admin.get_by_label("Note").fill(REFUSAL)
    admin.get_by_role("button", name="Save decision").click()
    admin.get_by_text("Decision saved").wait_for()
    admin.context.close()

    # Meg's dashboard shows the refusal at once.
    manager = sign_in(chromium, site, "manager")
    notices = manager.locator("#notices").inner_text()
    assert f"{admin_person.name} refused to move the due date" in notices
    assert REFUSAL in notices
    steps.check(manager, "owner-dashboard-with-the-refusal")
    manager.context.close()

    # The partner's reminder link opens their update page, with no sign-in.
    [partner_mail] = site.inbox.to(PARTNER[1])
    partner_text = site.inbox.text(partner_mail)
    assert "/sign-in" not in partner_text and f"{site.url}/actions/" not in partner_text
    partner_link = re.search(rf"{re.escape(site.url)}/partner/\S+", partner_text)[0]
    show_email(chromium, steps, site.inbox.html(partner_mail), "email-to-the-partner")
    partner = chromium.new_context(base_url=site.url).new_page()
    partner.goto(partner_link)
    assert partner.url == partner_link
    partner.get_by_text(PARTNER_ACTION).first.wait_for()
    partner.get_by_role("button", name=re.compile("Send")).first.wait_for()
    steps.snap(partner, "partner-update-page-from-the-reminder")
    partner.context.close()

    # The next morning's email tells Meg of the refusal and why.
    site.start(later(2))
    admin = sign_in(chromium, site, "admin")
    run_reminders(admin)
    admin.context.close()
    told = site.inbox.to(meg.email)[-1]
    # (The action, due in five days now, is in it too.)
    assert told["Subject"] == ("Northshire improvement tracker: 1 action due soon; 1 decision "
                               "on what you asked")
    text = site.inbox.text(told)
    assert f"{admin_person.name} refused to move the due date" in text
    assert f"Reason: {REFUSAL}" in text
    show_email(chromium, steps, site.inbox.html(told), "email-to-the-owner")
    # The lead is told of the request once only.
    assert len([mail for mail in site.inbox.to(admin_person.email)
                if "asks to move the due date" in site.inbox.text(mail)]) == 1
