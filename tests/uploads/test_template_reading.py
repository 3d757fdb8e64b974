"""A council's uploaded Word template is checked by the scheduler while the administrator
waits on a progress page, then used for progress reports, or shown again on the form with
what to do."""

from __future__ import annotations

import io
from html import unescape

from sqlalchemy import select

from tests import hostile_files
from tests.conftest import sign_in_as
from tests.factories import AdminFactory
from tests.queued_uploads import after_reading, read_uploads, upload_id_of
from tests.reports.word_templates import council_template, rewrite
from tracker.extensions import db
from tracker.reports import template_settings, word_template
from tracker.uploads.models import UploadReading


def upload_template(client, data: bytes, name: str = "Council paper.dotx"):
    return client.post("/reports/word-template", data={"template": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def words(response) -> str:
    return " ".join(unescape(response.get_data(as_text=True)).split())


def test_the_page_says_the_template_is_being_checked_then_the_council_uses_it(client):
    admin = AdminFactory()
    sign_in_as(client, admin)
    upload_id = upload_id_of(upload_template(client, council_template()))

    waiting = client.get(f"/uploads/{upload_id}")
    assert "Checking your Word template" in words(waiting)
    assert template_settings.council_template(admin.council_id) is None

    assert read_uploads().done == 1
    ready = client.get(f"/uploads/{upload_id}")
    assert ready.headers["Location"].endswith("/reports/word-template")
    page = words(client.get(ready.headers["Location"]))
    assert "Progress reports now use the template Council paper.dotx" in page
    record = template_settings.council_template_file(admin.council_id)
    assert record is not None and record.data == council_template()
    # The file is kept once, as the council's template, not on the upload as well.
    assert db.session.scalar(select(UploadReading.data)
                             .where(UploadReading.id == upload_id)) is None


def test_a_template_with_macros_is_shown_again_on_the_form_with_what_to_do(client):
    admin = AdminFactory()
    sign_in_as(client, admin)
    with_macros = rewrite(council_template(), "[Content_Types].xml", lambda text: text.replace(
        word_template.DOCUMENT_TYPE.encode(),
        b"application/vnd.ms-word.document.macroEnabled.main+xml"))

    page = after_reading(client, upload_template(client, with_macros, "council.docm"))

    assert page.status_code == 400
    assert page.request.path == "/reports/word-template"
    html = " ".join(unescape(page.get_data(as_text=True)).split())
    assert '<a href="#template">This Word file contains macros' in html
    assert template_settings.council_template(admin.council_id) is None


def test_a_word_file_over_the_readers_limits_is_refused_with_the_limit_it_passed(client):
    sign_in_as(client, AdminFactory())

    page = after_reading(client, upload_template(client, hostile_files.docx_with_xml_of(),
                                                 "council.docx"))

    assert page.status_code == 400
    assert "unpacks to more than 50 MB" in words(page)


def test_a_file_that_is_plainly_not_a_word_document_is_refused_at_once(client):
    sign_in_as(client, AdminFactory())

    page = upload_template(client, b"%PDF-1.7\n", "council.docx")

    assert page.status_code == 400
    assert "named .docx but is not a Word document or template" in words(page)
