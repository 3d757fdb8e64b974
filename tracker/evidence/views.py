"""Evidence files, opened by the council's staff; evidence packs for the next inspection,
asked for here and made by the scheduler process.

Staff only: a file may hold case detail, and a pack is what the council hands the
inspectorate, each one taking the scheduler minutes to print. Committee members see on the
items' pages that a file exists, and read the same items in the committee's issued reports.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from tracker import clock
from tracker.evidence import files, service
from tracker.evidence.forms import PackForm
from tracker.evidence.models import EvidenceFile
from tracker.forms import page_status, rules_on_form
from tracker.jobs.models import RunState
from tracker.permissions import STAFF, allow, can_open_evidence_file
from tracker.web import acting_user, load_or_404

bp = Blueprint("evidence", __name__)


@bp.route("/evidence-packs", methods=["GET", "POST"])
@allow(STAFF)
def list_packs():
    council_id = current_user.council_id
    inspections = service.inspections_to_choose(council_id)
    form = PackForm()
    form.scope.choices = [SelectChoice("", "Every tracked item")] + [
        SelectChoice(str(inspection.id), service.inspection_label(inspection))
        for inspection in inspections
    ]
    if request.method == "GET":
        form.as_of.data = clock.today()
    if form.validate_on_submit():
        inspection = next((i for i in inspections if str(i.id) == form.scope.data), None)
        with rules_on_form(form):
            pack = service.request_pack(council_id=council_id, as_of=form.as_of.data,
                                        inspection=inspection, actor=acting_user(),
                                        now=clock.now())
            return redirect(url_for("evidence.view_pack", pack_id=pack.id))
    return render_template("evidence/list.html", form=form,
                           packs=service.recent_packs(council_id)), page_status(form)


@bp.route("/evidence-packs/<int:pack_id>")
@allow(STAFF)
def view_pack(pack_id: int):
    pack = load_or_404(service.get_pack, pack_id)
    return render_template("evidence/pack.html", pack=pack, size=service.pack_size(pack),
                           file_name=service.download_name(pack))


@bp.route("/evidence-packs/<int:pack_id>/progress")
@allow(STAFF)
def pack_progress(pack_id: int):
    pack = load_or_404(service.get_pack, pack_id)
    response = jsonify(
        state=service.page_state(pack, shown=request.args.get("shown", type=int)),
        label=pack.state.label, items_done=pack.items_done, items_total=pack.items_total,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/evidence-packs/<int:pack_id>/download")
@allow(STAFF)
def download_pack(pack_id: int):
    pack = load_or_404(service.get_pack, pack_id)
    if pack.state is not RunState.DONE:
        abort(404)
    # Piece by piece, as it is stored: a pack of many files is never whole in memory.
    response = Response(service.pack_chunks(pack),
                        mimetype="application/zip")
    response.content_length = pack.zip_size
    response.headers.set("Content-Disposition", "attachment",
                         filename=service.download_name(pack))
    response.headers["Cache-Control"] = "private, no-store"
    response.set_etag(pack.zip_sha256)
    return response


def file_response(evidence: EvidenceFile) -> Response:
    """A kept file as a download: always an attachment, of the type its content showed, never
    sniffed by the browser as anything else, never shown inline, never cached."""
    response = Response(files.file_data(evidence), mimetype=evidence.file_type.media_type)
    response.headers.set("Content-Disposition", "attachment", filename=evidence.name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    response.set_etag(evidence.sha256)
    return response


@bp.route("/evidence-files/<int:file_id>")
@allow(STAFF)
def download_file(file_id: int):
    evidence = load_or_404(files.get_file, file_id, may=can_open_evidence_file)
    return file_response(evidence)
