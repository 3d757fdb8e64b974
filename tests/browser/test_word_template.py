"""An administrator gives the council's progress reports the council's own Word template, in
Chromium against the served tracker: from the Committees page, a wrong file refused with its
message, the council's template accepted with the styles it lacks named, then back to the
standard template. axe-core runs on every page visited and on the form shown with its error."""

from __future__ import annotations

import re

from tests.browser.conftest import Steps, sign_in
from tests.reports.word_templates import council_template


def test_administrator_uploads_the_councils_word_template_and_goes_back(site, chromium,
                                                                         tmp_path):
    steps = Steps("word-template")
    site.start()
    admin = sign_in(chromium, site, "admin")
    admin.goto("/committees")
    admin.get_by_role("link", name="Word template for progress reports").click()
    assert admin.get_by_text("Standard council paper (the tracker's own)").count() >= 1
    steps.check(admin, "standard-template")

    wrong = tmp_path / "agenda.docx"
    wrong.write_text("Agenda for the meeting", encoding="utf-8")
    admin.get_by_label("Upload the council's Word template").set_input_files(str(wrong))
    admin.get_by_role("button", name="Upload the template").click()
    assert admin.get_by_text("is not a Word document or template").count() >= 1
    steps.check(admin, "wrong-file-refused")

    template = tmp_path / "Sunderham committee report.dotx"
    template.write_bytes(council_template(dotx=True))
    admin.get_by_label("Upload the council's Word template").set_input_files(str(template))
    admin.get_by_role("button", name="Upload the template").click()
    admin.wait_for_url(re.compile(r"/reports/word-template$"))
    assert admin.get_by_text("Progress reports now use the template").count() == 1
    assert admin.get_by_role("cell", name="Council Heading 1").count() == 1
    assert admin.get_by_text("has no style for table and figure captions").count() == 1
    steps.check(admin, "council-template")

    admin.get_by_role("button", name="Go back to the standard template").click()
    admin.wait_for_url(re.compile(r"/reports/word-template$"))
    assert admin.get_by_text("Progress reports now use the standard template").count() == 1
    steps.check(admin, "back-to-standard")
