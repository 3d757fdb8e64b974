"""Forms for members' questions: recording (or changing) one, and answering it."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.formatting import long_date
from tracker.forms import CharacterCount, ChoiceSelectField, TrackerForm, user_choices
from tracker.items.forms import version_field
from tracker.questions.service import ANSWER_LIMIT, ASKED_BY_LIMIT, QUESTION_LIMIT

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.committees.models import CommitteeMeeting
    from tracker.items.models import Item


def _meeting_label(meeting: CommitteeMeeting, today: date) -> str:
    when = long_date(meeting.meeting_date)
    return when if meeting.meeting_date <= today else f"{when} (not yet held)"


class QuestionForm(TrackerForm):
    """A member's question: the meeting, the words, who asked, the item it is about, and the
    officer who is to answer. Call `offer()` with what may be chosen before validating: an id
    that was not offered is refused."""

    meeting = ChoiceSelectField(
        "Meeting it was asked at",
        validators=[InputRequired(message="Choose the meeting the question was asked at")],
    )
    question = TextAreaField(
        "Question",
        widget=CharacterCount(),
        description="As the minutes record it",
        validators=[DataRequired(message="Enter the question"),
                    Length(max=QUESTION_LIMIT,
                           message=f"The question must be {QUESTION_LIMIT} characters or "
                                   f"fewer")],
    )
    asked_by_name = StringField(
        "Asked by",
        widget=GovTextInput(),
        description="The member's name as the minutes give it, for example Councillor Ann "
                    "Hughes. Leave it empty if you choose their tracker account below.",
        validators=[Optional(),
                    Length(max=ASKED_BY_LIMIT,
                           message=f"Asked by must be {ASKED_BY_LIMIT} characters or fewer")],
    )
    asked_by = ChoiceSelectField("Their tracker account (optional)", validators=[Optional()])
    item = ChoiceSelectField("Item it is about (optional)", validators=[Optional()])
    officer = ChoiceSelectField(
        "Officer to answer",
        validators=[InputRequired(message="Choose the officer who is to answer")],
    )

    def offer(self, *, meetings: list[CommitteeMeeting], members: list[User],
              items: list[Item], officers: list[User], today: date) -> None:
        """Set the choices: the committee's meetings (the latest first), its council's
        committee members, the items of the inspections it follows, and the officers."""
        self._meetings = {str(m.id): m for m in meetings}
        self._members = {str(u.id): u for u in members}
        self._items = {str(i.id): i for i in items}
        self._officers = {str(u.id): u for u in officers}
        latest_first = sorted(meetings, key=lambda m: m.meeting_date, reverse=True)
        self.meeting.choices = [SelectChoice("", "Choose a meeting")] + [
            SelectChoice(str(m.id), _meeting_label(m, today)) for m in latest_first]
        self.asked_by.choices = user_choices(members, blank="Not a tracker user")
        self.item.choices = [SelectChoice("", "Not about one item")] + [
            SelectChoice(str(i.id), i.title) for i in items]
        self.officer.choices = user_choices(officers, blank="Choose an officer")

    def chosen_meeting(self) -> CommitteeMeeting | None:
        return self._meetings.get(self.meeting.data or "")

    def chosen_member(self) -> User | None:
        return self._members.get(self.asked_by.data or "")

    def chosen_item(self) -> Item | None:
        return self._items.get(self.item.data or "")

    def chosen_officer(self) -> User | None:
        return self._officers.get(self.officer.data or "")


class ChangeQuestionForm(QuestionForm):
    """A waiting question changed or reassigned, from the version the clerk opened."""

    version = version_field()


class AnswerForm(TrackerForm):
    """The officer's answer (or its correction)."""

    version = version_field()
    answer = TextAreaField(
        "Answer",
        widget=CharacterCount(),
        description="As the committee will read it in its next progress paper",
        validators=[DataRequired(message="Enter the answer"),
                    Length(max=ANSWER_LIMIT,
                           message=f"The answer must be {ANSWER_LIMIT} characters or fewer")],
    )
