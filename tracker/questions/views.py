"""Members' questions: recording one at a committee's meeting, changing or reassigning it,
answering it, one question's page, and the officer's list of questions waiting for them."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from tracker import clock
from tracker.committees import service as committees
from tracker.committees.models import Committee
from tracker.forms import page_status, rules_on_form
from tracker.pagination import page_number
from tracker.permissions import (
    ADMIN_ONLY,
    ALL_ROLES,
    STAFF,
    allow,
    can_answer_question,
    can_edit_question,
)
from tracker.questions import queries, service
from tracker.questions.forms import AnswerForm, ChangeQuestionForm, QuestionForm
from tracker.questions.models import MemberQuestion
from tracker.web import acting_user, load_or_404

bp = Blueprint("questions", __name__)


def _offer(form: QuestionForm, committee: Committee) -> None:
    council_id = committee.council_id
    form.offer(meetings=list(committee.meetings),
               members=service.members_of_council(council_id),
               items=service.items_for_committee(committee),
               officers=service.officers_of_council(council_id), today=clock.today())


def _details(form: QuestionForm) -> service.QuestionDetails:
    return service.QuestionDetails(
        meeting=form.chosen_meeting(), question=form.question.data or "",
        asked_by_name=form.asked_by_name.data or "", asked_by=form.chosen_member(),
        item=form.chosen_item(), officer=form.chosen_officer())


def _latest_held(committee: Committee) -> str:
    """The meeting a new question was most likely asked at: the latest one held by today."""
    held = [m for m in committee.meetings if m.meeting_date <= clock.today()]
    return str(held[-1].id) if held else ""


@bp.route("/committees/<int:committee_id>/questions/new", methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def record_question(committee_id: int):
    committee = load_or_404(committees.get_committee, committee_id)
    form = QuestionForm()
    _offer(form, committee)
    if request.method == "GET":
        form.meeting.data = _latest_held(committee)
    if form.validate_on_submit():
        with rules_on_form(form):
            question = service.record_question(committee, _details(form), actor=acting_user(),
                                               now=clock.now())
            flash(f"Question recorded: {question.officer.name} is asked to answer it",
                  "success")
            return redirect(url_for("committees.view_committee", committee_id=committee.id,
                                    _anchor="questions"))
    return render_template("questions/record.html", form=form, committee=committee,
                           question=None), page_status(form)


@bp.route("/questions/<int:question_id>")
@allow(ALL_ROLES)
def view_question(question_id: int):
    question = load_or_404(queries.get_question, question_id)
    listed = queries.Listed(question, queries.due_of(question, clock.today()))
    return render_template("questions/view.html", listed=listed, question=question)


@bp.route("/questions/<int:question_id>/edit", methods=["GET", "POST"])
@allow(ADMIN_ONLY)
def edit_question(question_id: int):
    question: MemberQuestion = load_or_404(queries.get_question, question_id,
                                           may=can_edit_question)
    committee = question.meeting.committee
    form = ChangeQuestionForm()
    _offer(form, committee)
    if request.method == "GET":
        form.version.data = str(question.version)
        form.meeting.data = str(question.meeting_id)
        form.question.data = question.question
        form.asked_by_name.data = question.asked_by_name
        form.asked_by.data = str(question.asked_by_id or "")
        form.item.data = str(question.item_id or "")
        form.officer.data = str(question.officer_id)
    if form.validate_on_submit():
        with rules_on_form(form):
            service.edit_question(question, _details(form), actor=acting_user(),
                                  now=clock.now(), expected_version=int(form.version.data))
            flash("Question saved", "success")
            return redirect(url_for("questions.view_question", question_id=question.id))
    return render_template("questions/record.html", form=form, committee=committee,
                           question=question, conflict=form.conflict), page_status(form)


@bp.route("/questions/<int:question_id>/answer", methods=["GET", "POST"])
@allow(STAFF)
def answer_question(question_id: int):
    question: MemberQuestion = load_or_404(queries.get_question, question_id,
                                           may=can_answer_question)
    form = AnswerForm()
    if request.method == "GET":
        form.version.data = str(question.version)
        form.answer.data = question.answer or ""
    correcting = question.is_answered
    if form.validate_on_submit():
        with rules_on_form(form):
            service.answer_question(question, form.answer.data, actor=acting_user(),
                                    now=clock.now(), expected_version=int(form.version.data))
            flash("Answer corrected" if correcting else "Answer saved", "success")
            return redirect(url_for("questions.view_question", question_id=question.id))
    return render_template("questions/answer.html", form=form, question=question,
                           correcting=correcting, conflict=form.conflict), page_status(form)


@bp.route("/my-questions")
@allow(STAFF)
def waiting_for_me():
    waiting = queries.waiting_for(acting_user(), clock.today(),
                                  page=page_number(request.args.get("page")))
    return render_template("questions/mine.html", waiting=waiting)
