"""The Word template page: which template the council's progress reports are built on, and
which of its styles each part of the paper uses; upload, download, go back to the standard.

Its routes join the reports blueprint (imported where the blueprints are registered).
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from tracker import clock
from tracker.forms import page_status, rules_on_form
from tracker.permissions import ADMIN_ONLY, allow
from tracker.reports import template_settings, word_template
from tracker.reports.template_forms import StandardTemplateForm, WordTemplateForm
from tracker.reports.views import bp
from tracker.uploads import service as uploads
from tracker.uploads.models import UploadKind
from tracker.web import acting_user, id_from_query

_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "dotx": "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
}


def _page(form: WordTemplateForm, status: int = 200) -> ResponseReturnValue:
    record = template_settings.council_template(current_user.council_id)
    uses = template_settings.style_uses(record)
    return render_template(
        "reports/word_template.html",
        form=form,
        standard_form=StandardTemplateForm(formdata=None),
        record=record,
        uses=uses,
        missing=template_settings.missing_words(uses) if record is not None else "",
        size=word_template.size_words(record.size) if record is not None else "",
        standard_name=word_template.STANDARD_NAME,
    ), status


@bp.route("/reports/word-template")
@allow(ADMIN_ONLY)
def word_template_page() -> ResponseReturnValue:
    form = WordTemplateForm(formdata=None)
    refused = uploads.refusal(current_user.council_id, UploadKind.WORD_TEMPLATE,
                              id_from_query(request.args.get("upload")))
    if refused is not None:
        # The file was refused when the scheduler checked it: the form again, with why.
        form.template.errors = [refused]
        return _page(form, page_status(form))
    return _page(form)


@bp.route("/reports/word-template", methods=["POST"])
@allow(ADMIN_ONLY)
def upload_word_template() -> ResponseReturnValue:
    form = WordTemplateForm()
    if form.validate_on_submit():
        upload = form.template.data
        with rules_on_form(form):
            waiting = template_settings.queue_template_upload(
                current_user.council_id, actor=acting_user(), now=clock.now(),
                # One byte over the limit is enough for it to be refused.
                data=upload.read(word_template.MAX_BYTES + 1), filename=upload.filename or "")
            return redirect(url_for("uploads.progress", upload_id=waiting.id))
    return _page(form, page_status(form))


@bp.route("/reports/word-template/standard", methods=["POST"])
@allow(ADMIN_ONLY)
def use_standard_word_template() -> ResponseReturnValue:
    form = StandardTemplateForm()
    if form.validate_on_submit():
        with rules_on_form(form):
            if template_settings.use_standard_template(current_user.council_id,
                                                       actor=acting_user()):
                flash("Progress reports now use the standard template", "success")
            return redirect(url_for("reports.word_template_page"))
    for message in form.form_errors:
        flash(message, "error")
    return _page(WordTemplateForm(formdata=None), page_status(form))


def _file(data: bytes, kind: str, name: str) -> Response:
    response = Response(data, mimetype=_TYPES[kind])
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/reports/word-template/current")
@allow(ADMIN_ONLY)
def download_word_template() -> ResponseReturnValue:
    record = template_settings.council_template_file(current_user.council_id)
    if record is None:
        return download_standard_word_template()
    return _file(record.data, record.kind, record.filename)


@bp.route("/reports/word-template/standard.docx")
@allow(ADMIN_ONLY)
def download_standard_word_template() -> ResponseReturnValue:
    return _file(word_template.standard_template(), "docx", word_template.STANDARD_FILENAME)
