"""Forms for setting up committees and their meeting dates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovTextInput
from wtforms import HiddenField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from tracker.formatting import long_date
from tracker.forms import GovDateField, TrackerForm

if TYPE_CHECKING:
    from tracker.accounts.models import User
    from tracker.inspections.models import Inspection

NAME_LIMIT = 200  # Committee.name
REPORT_OF_LIMIT = 200  # Committee.report_of



def _member_label(user: User) -> str:
    return f"{user.display_name}, {user.job_title}" if user.job_title else user.display_name


def _inspection_label(inspection: Inspection) -> str:
    if inspection.letter_date is None:
        return inspection.title
    return f"{inspection.title} (letter of {long_date(inspection.letter_date)})"


class CommitteeForm(TrackerForm):
    """A committee's name, whose report it receives, its members and the inspections it follows.

    Call `offer()` with the people and inspections to choose from before validating: a posted
    id that was not offered is refused.
    """

    name = StringField(
        "Name",
        validators=[
            DataRequired("Enter the committee's name"),
            Length(max=NAME_LIMIT, message=f"Name must be {NAME_LIMIT} characters or fewer"),
        ],
        widget=GovTextInput(),
    )
    report_of = StringField(
        "Report of (optional)",
        description="Whose report the committee receives, as the paper's title block says: "
        "for example, Report of the Executive Director of Children's Services",
        validators=[
            Length(
                max=REPORT_OF_LIMIT,
                message=f"Report of must be {REPORT_OF_LIMIT} characters or fewer",
            )
        ],
        widget=GovTextInput(),
    )
    members = SelectMultipleField(
        "Members",
        coerce=int,
        choices=[],
        invalid_value_message="Choose members from the list",
        invalid_choice_message="Choose members who are active users",
        widget=GovCheckboxesInput(),
    )
    inspections = SelectMultipleField(
        "Inspections the committee follows",
        description="Its progress reports cover the items from these inspections.",
        coerce=int,
        choices=[],
        invalid_value_message="Choose inspections from the list",
        invalid_choice_message="Choose this council's inspections",
        widget=GovCheckboxesInput(),
    )

    def offer(self, people: list[User], inspections: list[Inspection]) -> None:
        """Set the checkboxes: the people who may sit on it and the council's inspections."""
        self._people = {user.id: user for user in people}
        self._inspections = {inspection.id: inspection for inspection in inspections}
        self.members.choices = [SelectChoice(str(u.id), _member_label(u)) for u in people]
        self.inspections.choices = [
            SelectChoice(str(i.id), _inspection_label(i)) for i in inspections
        ]

    def chosen_members(self) -> list[User]:
        return [self._people[user_id] for user_id in dict.fromkeys(self.members.data or [])]

    def chosen_inspections(self) -> list[Inspection]:
        return [
            self._inspections[inspection_id]
            for inspection_id in dict.fromkeys(self.inspections.data or [])
        ]


class MeetingForm(TrackerForm):
    """One more date on which the committee meets."""

    meeting_date = GovDateField("Meeting date")
    # The date (ISO) the administrator confirmed after a warning: in the past, on a weekend
    # or on a bank holiday.
    confirmed = HiddenField()
