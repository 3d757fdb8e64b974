"""Members' questions, in Chromium: the clerk (an administrator) records a councillor's question
at last week's meeting about an item and asks Meg to answer it; Meg's reminder lists it, her
dashboard shows it, she answers it; the councillor reads the answer on the item's and the
committee's pages. axe-core checks every page and each form shown with its errors."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.browser.conftest import Steps, fill_date, import_a_recent_letter, sign_in
from tests.browser.test_keyboard_and_small_screens import PHONE

QUESTION = "Why are contacts from the police still screened late on Fridays?"
ANSWER = ("Cover on Fridays depends on the force's staffing review, due in the spring. Until "
          "then the MASH manager checks Friday contacts first thing on Monday.")


def test_a_question_is_recorded_reminded_answered_and_read(site, chromium, tmp_path):
    steps = Steps("questions")
    site.start()

    # The clerk imports a letter, has the committee follow it, and adds last week's meeting.
    admin = sign_in(chromium, site, "admin")
    import_a_recent_letter(admin, tmp_path)
    admin.goto("/committees")
    admin.get_by_role("link", name=site.committee_name).click()
    committee_url = admin.url
    admin.get_by_role("button", name="Change the committee").click()
    admin.locator("input[name='inspections']").first.check()
    admin.get_by_role("button", name="Save").click()
    held = date.today() - timedelta(days=7)
    fill_date(admin, held)
    admin.get_by_role("button", name="Add meeting date").click()
    # A date in the past is added once the clerk confirms it.
    admin.get_by_text("it is in the past").wait_for()
    steps.check(admin, "meeting-date-in-the-past")
    admin.get_by_role("button", name="Yes, add this meeting date").click()
    admin.get_by_text("added").first.wait_for()

    # Records the question, first forgetting what was asked and who is to answer.
    admin.get_by_role("button", name="Record a question").click()
    steps.check(admin, "record-question")
    admin.get_by_role("button", name="Record question").click()
    admin.get_by_text("Enter the question").first.wait_for()
    steps.check(admin, "record-question-with-errors")
    admin.get_by_label("Question", exact=True).fill(QUESTION)
    admin.get_by_label("Asked by", exact=True).fill("Councillor Ann Hughes")
    admin.get_by_label("Item it is about (optional)").select_option(index=1)
    admin.get_by_label("Officer to answer").select_option(label="Meg Lead")
    admin.get_by_role("button", name="Record question").click()
    admin.wait_for_url(re.compile(re.escape(committee_url) + "#questions$"))
    admin.get_by_text("Question recorded: Meg Lead is asked to answer it").wait_for()
    assert "Answer awaited" in admin.content()
    steps.check(admin, "committee-with-a-question")

    # The reminder run sends Meg the question.
    admin.goto("/admin/reminders")
    admin.get_by_role("button", name="Run reminders now").click()
    (digest,) = site.inbox.to(site.people["manager"].email)
    assert QUESTION in site.inbox.text(digest)
    assert digest["Subject"] == "Northshire improvement tracker: 1 question to answer"
    admin.context.close()

    # Meg sees it on her dashboard and answers it, first with nothing written.
    manager = sign_in(chromium, site, "manager")
    assert "Questions waiting for your answer" in manager.content()
    steps.check(manager, "dashboard-with-a-question")
    manager.goto("/my-questions")
    steps.check(manager, "questions-waiting")
    manager.get_by_role("link", name=re.compile("^Answer")).first.click()
    steps.check(manager, "answer-question")
    manager.get_by_role("button", name="Save answer").click()
    manager.get_by_text("Enter the answer").first.wait_for()
    steps.check(manager, "answer-question-with-errors")
    manager.get_by_label("Answer", exact=True).fill(ANSWER)
    manager.get_by_role("button", name="Save answer").click()
    manager.get_by_text("Answer saved").wait_for()
    steps.check(manager, "question-answered")
    manager.context.close()

    # The councillor reads the answer on the item's page and the committee's.
    member = sign_in(chromium, site, "member")
    member.goto(committee_url)
    member.get_by_role("heading", name="Question from Councillor Ann Hughes").first.wait_for()
    assert ANSWER in member.content()
    steps.check(member, "committee-question-answered")
    member.locator("a[href^='/items/']").first.click()
    member.get_by_text(ANSWER).first.wait_for()
    steps.check(member, "item-with-a-question")
    member.context.close()

    # Each page of a question fits a phone's 320 pixels.
    admin = sign_in(chromium, site, "admin", viewport=PHONE)
    admin.goto(committee_url)
    question_url = admin.get_by_role("link", name=re.compile("^View")).first.get_attribute(
        "href")
    too_wide = {}
    for number, path in enumerate([committee_url, question_url, f"{question_url}/answer",
                                   f"{committee_url}/questions/new", "/my-questions"]):
        admin.goto(path)
        steps.snap(admin, f"phone-{number}")
        width = admin.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    assert too_wide == {}, f"wider than {PHONE['width']} px: {too_wide}"
    admin.context.close()
