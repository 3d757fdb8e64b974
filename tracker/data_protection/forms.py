"""Forms for data protection: retention periods, and confirming an anonymisation."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange, Optional

from tracker.data_protection.retention import MOST_YEARS
from tracker.forms import TrackerForm

YEARS_MESSAGE = f"Enter a number of years from 1 to {MOST_YEARS}"


class _WholeYears(IntegerField):
    """A number of years, with the same message for words as for a number out of range."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(YEARS_MESSAGE) from error


class CouncilRetentionForm(TrackerForm):
    """The years every inspection of the council is kept after its plan closes."""

    years = _WholeYears(
        "Years to keep an inspection after its plan closes",
        description="Counted from the day the last of its tracked items was signed off. "
                    "The tracker's default is 7 years.",
        validators=[InputRequired(YEARS_MESSAGE),
                    NumberRange(min=1, max=MOST_YEARS, message=YEARS_MESSAGE)],
        widget=GovTextInput(),
    )


class InspectionRetentionForm(TrackerForm):
    """The years this inspection is kept after its plan closes; blank: the council's."""

    years = _WholeYears(
        "Years to keep this inspection after its plan closes",
        validators=[Optional(), NumberRange(min=1, max=MOST_YEARS, message=YEARS_MESSAGE)],
        widget=GovTextInput(),
    )


class AnonymiseForm(TrackerForm):
    """Confirming an anonymisation: the button is the confirmation."""
