"""Issue 20's review page in Chromium: a report in the 2014-15 SIF layout whose LSCB's list
of areas for improvement was cut out. The page warns that the document may hold more
findings, the warning's link goes to the place in the text, the LSCB's findings are shown as
the LSCB's, and the LSCB's item says it is a partner's. axe-core runs on each page."""

from __future__ import annotations

import re

from tests.browser.conftest import Steps, sign_in
from tests.inspections.test_import_report_families import SIF_REPORT

CUT = SIF_REPORT.replace(
    "137. Put in place ways for children to inform the work of the Board.\n", ""
)


def test_review_page_warns_of_a_list_cut_out_and_shows_the_lscbs_findings(
    site, chromium, tmp_path
):
    site.start()
    steps = Steps("import-report-families")
    page = sign_in(chromium, site, "admin")
    report = tmp_path / "northshire-sif-report.txt"
    report.write_text(CUT, encoding="utf-8")

    page.goto("/inspections/import")
    page.get_by_label("Upload the letter or report").set_input_files(str(report))
    page.get_by_role("button", name="Read the document").click()
    page.wait_for_url(re.compile(r"/inspections/import/\d+$"))
    steps.check(page, "review-with-warning-and-lscb-findings")

    warning = page.get_by_text("This document may hold more findings than were found under")
    assert warning.count() == 1
    page.get_by_role("link", name="See the place in the document's text").click()
    marked = page.locator("mark")
    assert marked.inner_text() == "Areas for improvement"  # shown as a heading, without markdown
    assert page.url.endswith(f"#{marked.get_attribute('id')}")
    steps.snap(page, "the-place-in-the-text")
    assert page.get_by_text("The document addresses this finding to the Local Safeguarding "
                            "Children Board").count() == 1

    page.get_by_role("button", name="Create inspection and tracked items").click()
    # Confirming leads to the inspection's next steps; the redirect keeps the fragment of the
    # address the form was posted from.
    page.wait_for_url(re.compile(r"/inspections/\d+/next-steps(#[\w-]*)?$"))
    page.goto(page.url.split("#")[0].removesuffix("/next-steps"))
    steps.check(page, "inspection-with-lscb-findings")
    page.get_by_role("link", name=re.compile("Tracked as “Ensure that the Board")).click()
    steps.check(page, "lscb-item")
    assert page.get_by_text("This is a partner’s item").count() == 1
