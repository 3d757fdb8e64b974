"""Evidence packs for the next inspection: asked for here, made by the scheduler process.

Staff only: a pack is what the council hands the inspectorate, and each one takes the
scheduler minutes to print. Committee members read the same items on their pages and the
committee's issued reports.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from tracker import clock
from tracker.errors import RuleBroken
from tracker.evidence import service
from tracker.evidence.forms import PackForm
from tracker.evidence.models import EvidencePack
from tracker.forms import show_rule_broken
from tracker.permissions import STAFF, allow

bp = Blueprint("evidence", __name__)


def _pack_or_404(pack_id: int) -> EvidencePack:
    pack = service.get_pack(current_user.council_id, pack_id)
    if pack is None:
        abort(404)
    return pack


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
        try:
            pack = service.request_pack(council_id=council_id, as_of=form.as_of.data,
                                        inspection=inspection, actor=current_user,
                                        now=clock.now())
        except RuleBroken as error:
            show_rule_broken(form, error)
        else:
            return redirect(url_for("evidence.view_pack", pack_id=pack.id))
    status = 400 if request.method == "POST" else 200
    return render_template("evidence/list.html", form=form,
                           packs=service.recent_packs(council_id)), status


@bp.route("/evidence-packs/<int:pack_id>")
@allow(STAFF)
def view_pack(pack_id: int):
    pack = _pack_or_404(pack_id)
    return render_template("evidence/pack.html", pack=pack, size=service.pack_size(pack),
                           file_name=service.download_name(pack))


@bp.route("/evidence-packs/<int:pack_id>/progress")
@allow(STAFF)
def pack_progress(pack_id: int):
    pack = _pack_or_404(pack_id)
    response = jsonify(
        state=service.page_state(pack, shown=request.args.get("shown", type=int)),
        label=pack.state.label, items_done=pack.items_done, items_total=pack.items_total,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/evidence-packs/<int:pack_id>/download")
@allow(STAFF)
def download_pack(pack_id: int):
    pack = _pack_or_404(pack_id)
    data = service.pack_file(pack)
    if data is None:
        abort(404)
    response = Response(data, mimetype="application/zip")
    response.headers.set("Content-Disposition", "attachment",
                         filename=service.download_name(pack))
    response.headers["Cache-Control"] = "private, no-store"
    response.set_etag(pack.zip_sha256)
    return response
