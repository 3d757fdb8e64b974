"""An uploaded letter is read by the scheduler while its person waits on a progress page:
the request keeps the file and answers at once, whatever the file holds."""

from __future__ import annotations

import io
from datetime import timedelta
from html import unescape

import time_machine
from sqlalchemy import func, select

from tests.conftest import TEST_NOW, configure, sign_in_as
from tests.factories import AdminFactory, CouncilFactory, UserFactory
from tests.queued_uploads import after_reading, read_uploads, upload_id_of
from tracker.demo.letters import letter_dates, newer_letter
from tracker.extensions import db
from tracker.inspections import imports
from tracker.inspections.models import ImportDraft
from tracker.jobs import queue
from tracker.jobs.models import RunState
from tracker.uploads.models import UploadReading
from tracker.uploads.service import UPLOAD_LEASE, remove_old_uploads

_DATE, _VISIT = letter_dates(TEST_NOW.date(), 30)
NEWER = newer_letter(_DATE, _VISIT, letter_dates(TEST_NOW.date(), 400)[1])
NO_FINDINGS_LETTER = b"Dear Sir\n\nThank you for your letter.\n\nYours"


def upload_letter(client, data: bytes, filename: str = "letter.txt"):
    return client.post("/inspections/import", data={"document": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def words(response) -> str:
    return " ".join(unescape(response.get_data(as_text=True)).split())


def upload_row(upload_id: int) -> UploadReading:
    db.session.expire_all()
    upload = db.session.get(UploadReading, upload_id)
    assert upload is not None
    return upload


def drafts() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(ImportDraft))


def test_the_upload_answers_at_once_and_the_page_says_the_document_is_being_read(client):
    sign_in_as(client, AdminFactory())

    upload_id = upload_id_of(upload_letter(client, NEWER.text.encode(), "northshire.txt"))
    page = client.get(f"/uploads/{upload_id}")

    assert page.status_code == 200
    text = words(page)
    assert "Reading your document" in text
    assert "northshire.txt" in text
    assert "This page updates itself when it is done" in text
    assert "waiting to start" in text
    assert f'href="/uploads/{upload_id}">Check again' in page.get_data(as_text=True)
    assert client.get(f"/uploads/{upload_id}/progress").json == {"state": "queued"}
    assert drafts() == 0  # nothing is read while the request waits


def test_once_read_the_progress_page_goes_on_to_the_review_and_the_file_is_let_go(client):
    sign_in_as(client, AdminFactory())
    upload_id = upload_id_of(upload_letter(client, NEWER.text.encode()))

    assert read_uploads().done == 1
    page = client.get(f"/uploads/{upload_id}")

    draft = db.session.scalars(select(ImportDraft)).one()
    assert page.status_code == 302
    assert page.headers["Location"].endswith(f"/inspections/import/{draft.id}")
    assert client.get(page.headers["Location"]).status_code == 200
    upload = upload_row(upload_id)
    assert upload.state is RunState.DONE and upload.result_id == draft.id
    assert db.session.scalar(select(UploadReading.data).where(
        UploadReading.id == upload_id)) is None


def test_a_refused_letter_shows_the_form_again_with_the_message_against_the_file(client):
    sign_in_as(client, AdminFactory())
    queued = upload_letter(client, NO_FINDINGS_LETTER)
    upload_id = upload_id_of(queued)

    refused = after_reading(client, queued)

    assert refused.status_code == 400
    assert refused.request.path == "/inspections/import"
    text = words(refused)
    assert "There is a problem" in text
    assert f'<a href="#document">{imports.NO_FINDINGS}' in unescape(
        refused.get_data(as_text=True))
    assert text.count(imports.NO_FINDINGS) == 2  # in the summary and against the field
    assert drafts() == 0
    assert upload_row(upload_id).last_error == imports.NO_FINDINGS
    assert db.session.scalar(select(UploadReading.data).where(
        UploadReading.id == upload_id)) is None


def test_the_form_shows_no_refusal_for_an_upload_still_waiting_or_of_another_kind(client):
    sign_in_as(client, AdminFactory())
    upload_id = upload_id_of(upload_letter(client, NO_FINDINGS_LETTER))

    page = client.get(f"/inspections/import?upload={upload_id}")

    assert page.status_code == 200
    assert imports.NO_FINDINGS not in words(page)
    assert client.get("/inspections/import?upload=nonsense").status_code == 200


def test_an_empty_or_oversized_file_is_refused_at_once_without_waiting(app, client):
    sign_in_as(client, AdminFactory())
    configure(app, IMPORT_MAX_BYTES=1024)

    empty = upload_letter(client, b"")
    large = upload_letter(client, b"x" * 2048)

    assert empty.status_code == 400 and "The file is empty" in words(empty)
    assert large.status_code == 400 and "the largest that can be imported is" in words(large)
    assert db.session.scalar(select(func.count()).select_from(UploadReading)) == 0


def test_a_letter_left_half_read_by_a_scheduler_that_died_is_read_after_its_lease(client):
    sign_in_as(client, AdminFactory())
    upload_id = upload_id_of(upload_letter(client, NEWER.text.encode()))
    # A scheduler takes the file, then dies before writing what it read.
    assert queue.claim_next(UploadReading, now=TEST_NOW, lease=UPLOAD_LEASE) is not None

    assert read_uploads().done == 0  # its lease still holds
    assert words(client.get(f"/uploads/{upload_id}")).count("The tracker is reading") == 1
    with time_machine.travel(TEST_NOW + UPLOAD_LEASE + timedelta(seconds=1), tick=False):
        assert read_uploads().done == 1

    upload = upload_row(upload_id)
    assert upload.state is RunState.DONE and upload.attempts == 2
    assert drafts() == 1


def test_a_file_the_scheduler_died_on_three_times_is_refused_with_what_to_do(client):
    sign_in_as(client, AdminFactory())
    upload_id = upload_id_of(upload_letter(client, NEWER.text.encode()))
    moment = TEST_NOW
    for _ in range(queue.MAX_ATTEMPTS):
        assert queue.claim_next(UploadReading, now=moment, lease=UPLOAD_LEASE) is not None
        moment += UPLOAD_LEASE + timedelta(seconds=1)

    with time_machine.travel(moment, tick=False):
        read_uploads()
        back = client.get(f"/uploads/{upload_id}")
        page = client.get(back.headers["Location"])

    assert page.status_code == 400
    assert "The tracker stopped while reading this file, more than once" in words(page)


def test_only_the_councils_administrators_see_an_uploads_progress(app, client):
    admin = AdminFactory()
    sign_in_as(client, admin)
    upload_id = upload_id_of(upload_letter(client, NEWER.text.encode()))

    another_admin = AdminFactory(council=admin.council)
    elsewhere = AdminFactory(council=CouncilFactory())
    manager = UserFactory(council=admin.council)
    for person, status in ((another_admin, 200), (elsewhere, 404), (manager, 403)):
        other = app.test_client()
        sign_in_as(other, person)
        assert other.get(f"/uploads/{upload_id}").status_code == status, person.role
        assert other.get(f"/uploads/{upload_id}/progress").status_code == status, person.role


def test_uploads_read_more_than_a_day_ago_are_removed_and_waiting_ones_kept(client):
    sign_in_as(client, AdminFactory())
    read_id = upload_id_of(upload_letter(client, NEWER.text.encode()))
    read_uploads()
    waiting_id = upload_id_of(upload_letter(client, NEWER.text.encode()))

    assert remove_old_uploads(TEST_NOW + timedelta(hours=23)) == 0
    assert remove_old_uploads(TEST_NOW + timedelta(days=2)) == 1

    db.session.expire_all()
    assert db.session.scalars(select(UploadReading.id)).all() == [waiting_id]
    assert read_id != waiting_id
