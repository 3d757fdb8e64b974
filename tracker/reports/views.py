"""Progress reports: drafts for staff, issuing for administrators, issued copies for everyone.

The draft page of a committee of up to DRAFT_PAGE_LIVE_ITEMS items (500), and its Word and
HTML files, are worked out from live data on each request (well under a second). A larger
committee's draft is whole-paper work (2,000 items: seconds), so no request does it: its page
shows the newest draft the scheduler prepared, and when the data has changed since, queues a
new preparation and says so (tracker.reports.prepared); its Word and HTML files come with the
PDF from a draft run. A PDF of any draft and issuing (which prints the PDF) are queued for the
scheduler process (tracker.reports.runs): the page shows their progress. An issued report is
served from its stored bytes, never rendered again.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from tracker import clock
from tracker.committees.models import Committee, ReportCadence
from tracker.committees.service import get_committee
from tracker.forms import page_status, rules_on_form, user_choices
from tracker.items.status import StatusRules
from tracker.pagination import page_number
from tracker.permissions import ADMIN_ONLY, ALL_ROLES, STAFF, allow
from tracker.reports import prepared, runs, service
from tracker.reports.forms import IssueForm, ReportDetailsForm, ReportScheduleForm, RunForm
from tracker.reports.models import RunKind
from tracker.reports.render_html import (
    body_context,
    stored_body,
    stylesheet,
    with_prepared_body,
)
from tracker.settings import settings
from tracker.web import acting_user, id_from_query, load_or_404

bp = Blueprint("reports", __name__)


def _rules() -> StatusRules:
    return settings().status_rules


def _draft(committee: Committee):
    return service.draft_snapshot(committee, today=clock.today(), now=clock.now(),
                                  rules=_rules())


def _draft_page(committee: Committee, form: IssueForm, status: int = 200):
    draft = prepared.large_committee_draft(
        committee, live_items=settings().draft_page_live_items, actor=acting_user(),
        now=clock.now(), rules=_rules())
    last = service.last_issued_report(committee, with_snapshot=draft is None)
    if draft is None:
        snapshot = service.draft_snapshot_after(last, committee, today=clock.today(),
                                                now=clock.now(), rules=_rules())
        body = {**body_context(snapshot), "has_contact": snapshot.contact is not None}
    else:
        body = {"prepared": draft, "has_contact": bool(committee.contact_name.strip())}
    page = render_template(
        "reports/draft.html",
        committee=committee,
        issue_form=form,
        run_form=RunForm(formdata=None),
        next_version=last.version + 1 if last else 1,
        last_issued=last,
        pending_issue=runs.pending_run(committee, RunKind.ISSUE),
        **body,
    )
    if draft is not None and draft.body is not None:
        return Response(with_prepared_body(page, draft.body), status=status,
                        mimetype="text/html"), status
    return page, status


def _download(data: bytes, fmt: str, name: str, etag: str | None = None) -> Response:
    response = Response(data, mimetype=service.ISSUED_FORMATS[fmt].mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "private, no-store"
    if fmt == "html":
        # Opened from the downloads folder it needs nothing from anywhere: allow nothing.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        )
    if etag:
        response.set_etag(etag)
    return response


def _draft_download(committee_id: int, fmt: str) -> Response:
    committee = load_or_404(get_committee, committee_id)
    if prepared.files_are_prepared(committee, live_items=settings().draft_page_live_items):
        # Whole-paper work: the files come from a draft run, asked for on the draft page.
        flash("This draft is long, so its Word, web page and PDF files are produced in the "
              "background. Use \u201cProduce the files of this draft\u201d below.", "info")
        return redirect(url_for("reports.draft_report", committee_id=committee.id), 303)
    snapshot = _draft(committee)
    name = service.file_name(committee.name, fmt, version=None, as_at=snapshot.as_at)
    return _download(service.render(snapshot, fmt), fmt, name)


def _issued_download(report_id: int, fmt: str) -> Response:
    report = load_or_404(service.get_issued_report, report_id)
    data = service.stored_file(report, fmt)
    if data is None:
        # Issued before background papers were kept.
        abort(404)
    name = service.file_name(report.committee.name, fmt, version=report.version,
                             as_at=report.issued_at.date())
    return _download(data, fmt, name, etag=service.stored_hash(report, fmt))


@bp.route("/reports/report.css")
@allow(ALL_ROLES)
def report_stylesheet():
    response = Response(stylesheet(), mimetype="text/css")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/committees/<int:committee_id>/report")
@allow(STAFF)
def draft_report(committee_id: int):
    return _draft_page(load_or_404(get_committee, committee_id), IssueForm(formdata=None))


@bp.route("/committees/<int:committee_id>/report.docx")
@allow(STAFF)
def draft_docx(committee_id: int):
    return _draft_download(committee_id, "docx")


@bp.route("/committees/<int:committee_id>/report.html")
@allow(STAFF)
def draft_html(committee_id: int):
    return _draft_download(committee_id, "html")


@bp.route("/committees/<int:committee_id>/report/issue", methods=["POST"])
@allow(ADMIN_ONLY)
def issue_report(committee_id: int):
    committee = load_or_404(get_committee, committee_id)
    form = IssueForm()
    if form.validate_on_submit():
        with rules_on_form(form):
            run = runs.request_run(committee, RunKind.ISSUE, actor=acting_user(),
                                   now=clock.now())
            return redirect(url_for("reports.view_run", run_id=run.id))
    return _draft_page(committee, form, page_status(form))


@bp.route("/committees/<int:committee_id>/report/pdf", methods=["POST"])
@allow(STAFF)
def prepare_draft_files(committee_id: int):
    committee = load_or_404(get_committee, committee_id)
    form = RunForm()
    if form.validate_on_submit():
        with rules_on_form(form):
            run = runs.request_run(committee, RunKind.DRAFT, actor=acting_user(),
                                   now=clock.now())
            return redirect(url_for("reports.view_run", run_id=run.id))
    # The button has no field of its own: its refusal is shown as a message on the page.
    for message in form.form_errors:
        flash(message, "error")
    return _draft_page(committee, IssueForm(formdata=None), page_status(form))


@bp.route("/report-runs/<int:run_id>")
@allow(STAFF)
def view_run(run_id: int):
    run = load_or_404(runs.get_run, run_id)
    if run.kind is RunKind.PAGE:
        # A draft page's preparation is shown on the draft page itself.
        return redirect(url_for("reports.draft_report", committee_id=run.committee_id))
    sizes = {fmt: len(data) for fmt in service.FORMATS
             if (data := runs.run_file(run, fmt)) is not None} if run.state.finished else {}
    return render_template("reports/run.html", run=run, committee=run.committee,
                           formats=service.FORMATS, sizes=sizes)


@bp.route("/report-runs/<int:run_id>/progress")
@allow(STAFF)
def run_progress(run_id: int):
    run = load_or_404(runs.get_run, run_id)
    response = jsonify(state=run.state.value, label=run.state.label)
    response.headers["Cache-Control"] = "no-store"
    return response


def _run_download(run_id: int, fmt: str) -> Response:
    run = load_or_404(runs.get_run, run_id)
    data = runs.run_file(run, fmt) if run.state.finished else None
    if data is None:
        abort(404)
    name = service.file_name(run.committee.name, fmt, version=None,
                             as_at=(run.finished_at or run.requested_at).date())
    return _download(data, fmt, name)


@bp.route("/report-runs/<int:run_id>.pdf")
@allow(STAFF)
def run_pdf(run_id: int):
    return _run_download(run_id, "pdf")


@bp.route("/report-runs/<int:run_id>.docx")
@allow(STAFF)
def run_docx(run_id: int):
    return _run_download(run_id, "docx")


@bp.route("/report-runs/<int:run_id>.html")
@allow(STAFF)
def run_html(run_id: int):
    return _run_download(run_id, "html")


@bp.route("/committees/<int:committee_id>/report/schedule", methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def report_schedule(committee_id: int):
    committee = load_or_404(get_committee, committee_id)
    form = ReportScheduleForm(obj=committee)
    staff = service.report_owner_candidates(committee.council_id)
    form.report_owner.choices = user_choices(staff, blank="Nobody")
    if request.method == "GET":
        form.report_cadence.data = committee.report_cadence.value
        form.report_owner.data = str(committee.report_owner_id or "")
    if form.validate_on_submit():
        owner = next((u for u in staff if str(u.id) == form.report_owner.data), None)
        with rules_on_form(form):
            service.save_report_schedule(
                committee,
                cadence=ReportCadence(form.report_cadence.data),
                rule_months=form.report_rule_months.data or "",
                rule_day=form.report_rule_day.data or "",
                days_before=form.report_days_before.data,
                time_of_day=form.report_time.data or "",
                owner=owner,
                auto_issue=bool(form.auto_issue.data),
            )
            flash("Report schedule saved", "success")
            return redirect(url_for("committees.view_committee", committee_id=committee.id))
    return render_template("reports/schedule.html", committee=committee,
                           form=form), page_status(form)


@bp.route("/committees/<int:committee_id>/report/details", methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def report_details(committee_id: int):
    committee = load_or_404(get_committee, committee_id)
    form = ReportDetailsForm(obj=committee)
    if form.validate_on_submit():
        with rules_on_form(form):
            service.save_report_details(
                committee,
                report_title=form.report_title.data or "",
                contact_name=form.contact_name.data or "",
                contact_job_title=form.contact_job_title.data or "",
                contact_telephone=form.contact_telephone.data or "",
                contact_email=form.contact_email.data or "",
            )
            flash("Report details saved", "success")
            return redirect(url_for("committees.view_committee", committee_id=committee.id))
    return render_template("reports/details.html", committee=committee,
                           form=form), page_status(form)


@bp.route("/reports")
@allow(ALL_ROLES)
def list_reports():
    committee = None
    # Anything that is not a committee's id (a word, a number past any id) shows them all.
    committee_id = id_from_query(request.args.get("committee"))
    if committee_id is not None:
        committee = load_or_404(get_committee, committee_id)
    page = service.issued_reports(current_user.council_id, committee.id if committee else None,
                                  page=page_number(request.args.get("page")))
    return render_template("reports/list.html", page=page, committee=committee,
                           args={"committee": committee.id} if committee else {})


@bp.route("/reports/<int:report_id>")
@allow(ALL_ROLES)
def view_issued(report_id: int):
    report = load_or_404(service.get_issued_report, report_id)
    return render_template(
        "reports/issued.html",
        issued=report,
        body=stored_body(report.html),
        sizes=service.file_sizes(report),
        formats=service.issued_formats(report),
        hashes={fmt: service.stored_hash(report, fmt) for fmt in service.issued_formats(report)},
    )


@bp.route("/reports/<int:report_id>.pdf")
@allow(ALL_ROLES)
def issued_pdf(report_id: int):
    return _issued_download(report_id, "pdf")


@bp.route("/reports/<int:report_id>.docx")
@allow(ALL_ROLES)
def issued_docx(report_id: int):
    return _issued_download(report_id, "docx")


@bp.route("/reports/<int:report_id>.html")
@allow(ALL_ROLES)
def issued_html(report_id: int):
    return _issued_download(report_id, "html")


@bp.route("/reports/<int:report_id>.xlsx")
@allow(ALL_ROLES)
def issued_xlsx(report_id: int):
    return _issued_download(report_id, "xlsx")
