"""Evidence packs for the next inspection: asked for here, made by the scheduler process.

Staff only: a pack is what the council hands the inspectorate, and each one takes the
scheduler minutes to print. Committee members read the same items on their pages and the
committee's issued reports.
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
    stream_with_context,
    url_for,
)
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from tracker import clock
from tracker.evidence import service
from tracker.evidence.forms import PackForm
from tracker.forms import page_status, rules_on_form
from tracker.jobs.models import RunState
from tracker.permissions import STAFF, allow
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
    response = Response(stream_with_context(service.pack_chunks(pack)),
                        mimetype="application/zip")
    response.content_length = pack.zip_size
    response.headers.set("Content-Disposition", "attachment",
                         filename=service.download_name(pack))
    response.headers["Cache-Control"] = "private, no-store"
    response.set_etag(pack.zip_sha256)
    return response
