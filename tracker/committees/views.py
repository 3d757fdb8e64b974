"""Committees: the list, one committee's page, and the administrators' set-up screens."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import clock
from tracker.committees import service
from tracker.committees.forms import CommitteeForm, MeetingForm
from tracker.committees.models import Committee
from tracker.formatting import long_date
from tracker.forms import page_status, rules_on_form
from tracker.inspections.service import inspections_of_council
from tracker.permissions import ADMIN_ONLY, ALL_ROLES, allow
from tracker.questions.queries import questions_by_meeting
from tracker.reports.cadence import ReportSchedule, schedule_in_words
from tracker.reports.runs import describe_moment
from tracker.reports.service import upcoming_reports
from tracker.web import load_or_404

bp = Blueprint("committees", __name__)


def _committee_form(committee: Committee | None) -> CommitteeForm:
    if committee is None:
        form = CommitteeForm()
    else:
        form = CommitteeForm(
            data={
                "name": committee.name,
                "report_of": committee.report_of,
                "members": [member.id for member in committee.members],
                "inspections": [inspection.id for inspection in committee.inspections],
            }
        )
    form.offer(
        service.committee_member_candidates(current_user.council_id),
        inspections_of_council(current_user.council_id),
    )
    return form


def _save(committee: Committee | None):
    form = _committee_form(committee)
    if form.validate_on_submit():
        with rules_on_form(form):
            saved = service.save_committee(
                committee,
                council_id=current_user.council_id,
                name=form.name.data,
                report_of=form.report_of.data,
                members=form.chosen_members(),
                inspections=form.chosen_inspections(),
            )
            flash(f"{saved.name} saved", "success")
            return redirect(url_for("committees.view_committee", committee_id=saved.id))
    return render_template("committees/edit.html", form=form,
                           committee=committee), page_status(form)


def _committee_page(committee: Committee, meeting_form: MeetingForm, status: int = 200,
                    doubts: list[str] | None = None):
    questions = questions_by_meeting(committee, clock.today())
    return render_template(
        "committees/view.html",
        committee=committee,
        meeting_form=meeting_form,
        upcoming_reports=upcoming_reports(committee, clock.now()),
        schedule_words=schedule_in_words(ReportSchedule.of(committee)),
        describe_moment=describe_moment,
        questions=questions,
        meetings_with_questions={group.meeting.id for group in questions},
        doubts=doubts or [],
    ), status


@bp.route("/committees")
@allow(ALL_ROLES)
def list_committees():
    today = clock.today()
    committees = [
        (committee, service.next_meeting(committee, today))
        for committee in service.committees_of_council(current_user.council_id)
    ]
    return render_template("committees/list.html", committees=committees)


@bp.route("/committees/new", methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def add_committee():
    return _save(None)


@bp.route("/committees/<int:committee_id>/edit", methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def edit_committee(committee_id: int):
    return _save(load_or_404(service.get_committee, committee_id))


@bp.route("/committees/<int:committee_id>")
@allow(ALL_ROLES)
def view_committee(committee_id: int):
    return _committee_page(load_or_404(service.get_committee, committee_id),
                           MeetingForm(formdata=None))


@bp.route("/committees/<int:committee_id>/meetings", methods=["POST"])
@allow(ADMIN_ONLY)
def add_meeting(committee_id: int):
    committee = load_or_404(service.get_committee, committee_id)
    form = MeetingForm()
    if form.validate_on_submit():
        day = form.meeting_date.data
        with rules_on_form(form):
            service.check_new_meeting(committee, day)
            doubts = service.meeting_date_doubts(day, clock.today())
            if doubts and form.confirmed.data != day.isoformat():
                # Nothing is saved until the administrator confirms the date.
                form.confirmed.data = day.isoformat()
                return _committee_page(committee, form, doubts=doubts)
            meeting = service.add_meeting(committee, day)
            flash(f"Meeting on {long_date(meeting.meeting_date)} added", "success")
            return redirect(url_for("committees.view_committee", committee_id=committee.id))
    return _committee_page(committee, form, page_status(form))


@bp.route("/committees/<int:committee_id>/meetings/<int:meeting_id>/remove",
          methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def remove_meeting(committee_id: int, meeting_id: int):
    committee = load_or_404(service.get_committee, committee_id)
    meeting = next((m for m in committee.meetings if m.id == meeting_id), None)
    if meeting is None:
        abort(404)
    meeting_date = meeting.meeting_date
    if request.method == "GET":
        # Removing a date asks first: a page that says which date, with one button.
        return render_template("committees/remove_meeting.html", committee=committee,
                               meeting=meeting)
    form = MeetingForm(formdata=None)
    with rules_on_form(form):
        service.remove_meeting(committee, meeting_id)
        flash(f"Meeting on {long_date(meeting_date)} removed", "success")
        return redirect(url_for("committees.view_committee", committee_id=committee.id))
    return _committee_page(committee, form, page_status(form))
