"""The progress page of an uploaded document being read by the scheduler: it refreshes itself
while the file waits, goes on to the next step once it is read, and back to the upload form,
with the refusal against its file field, when it is refused."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from tracker.jobs.models import RunState
from tracker.permissions import ADMIN_ONLY, allow
from tracker.uploads import service
from tracker.uploads.models import UploadKind, UploadReading
from tracker.web import load_or_404

bp = Blueprint("uploads", __name__)


def form_url(upload: UploadReading, *, refused: bool = False) -> str:
    """The upload form the file came from; `refused`: naming the upload, so that the form
    shows its refusal against the file field."""
    named = {"upload": upload.id} if refused else {}
    if upload.kind is UploadKind.LETTER:
        return url_for("inspections.start_import", **named)
    if upload.kind is UploadKind.ACTION_PLAN:
        return url_for("plan_import.start", inspection_id=upload.inspection_id, **named)
    return url_for("reports.word_template_page", **named)


def _next_step(upload: UploadReading) -> str:
    """Where a read file goes on to: the letter's review, the plan's mapping, the template's
    page, with what the reading had to say."""
    if upload.kind is UploadKind.LETTER:
        return url_for("inspections.review_import", draft_id=upload.result_id)
    if upload.kind is UploadKind.ACTION_PLAN:
        for note in upload.notes or []:
            flash(note, "info")
        return url_for("plan_import.mapping", plan_import_id=upload.result_id)
    flash(f"Progress reports now use the template {upload.filename or 'you uploaded'}",
          "success")
    return url_for("reports.word_template_page")


@bp.route("/uploads/<int:upload_id>")
@allow(ADMIN_ONLY)
def progress(upload_id: int) -> ResponseReturnValue:
    upload = load_or_404(service.get_upload, upload_id)
    if upload.state is RunState.DONE:
        return redirect(_next_step(upload))
    if upload.state is RunState.FAILED:
        return redirect(form_url(upload, refused=True))
    return render_template("uploads/progress.html", upload=upload, back=form_url(upload))


@bp.route("/uploads/<int:upload_id>/progress")
@allow(ADMIN_ONLY)
def progress_state(upload_id: int) -> ResponseReturnValue:
    upload = load_or_404(service.get_upload, upload_id)
    response = jsonify(state=upload.state.value)
    response.headers["Cache-Control"] = "no-store"
    return response
