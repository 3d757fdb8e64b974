"""Forms for progress reports: issuing one, its title and contact officer, its schedule."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovTextInput
from wtforms import BooleanField, IntegerField, RadioField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from tracker.committees.models import ReportCadence
from tracker.forms import ChoiceSelectField, TrackerForm, enum_choices
from tracker.reports.cadence import MOST_DAYS_BEFORE
from tracker.reports.service import DETAIL_LIMITS


def _text_field(field: str, label: str, description: str = "") -> StringField:
    limit_label, limit = DETAIL_LIMITS[field]
    return StringField(
        label,
        description=description,
        validators=[
            Length(max=limit, message=f"{limit_label} must be {limit} characters or fewer")
        ],
        widget=GovTextInput(),
    )


class IssueForm(TrackerForm):
    """Issuing needs nothing but the button (and the form's CSRF token)."""


class ReportDetailsForm(TrackerForm):
    """The report's own title and the contact officer named at its end; all optional."""

    report_title = _text_field(
        "report_title", "Report title (optional)",
        "Leave blank to use a title made from the inspections the committee follows.",
    )
    contact_name = _text_field("contact_name", "Contact officer's name")
    contact_job_title = _text_field("contact_job_title", "Job title")
    contact_telephone = _text_field("contact_telephone", "Telephone number")
    contact_email = _text_field("contact_email", "Email address")


class RunForm(TrackerForm):
    """Asking for a PDF of the draft needs nothing but the button (and the CSRF token)."""


class ReportScheduleForm(TrackerForm):
    """When the scheduler produces the committee's report, who is told, and whether it is
    issued at once."""

    report_cadence = RadioField(
        "When should the tracker produce this committee's progress report?",
        widget=GovRadioInput(),
        choices=enum_choices(ReportCadence),
        validators=[InputRequired(message="Choose when the report is produced")],
    )
    report_rule_months = StringField(
        "Months",
        description="Numbers or names, separated by commas: 1,4,7,10 for each quarter. "
                    "Leave blank for every month.",
        validators=[Length(max=60, message="Months must be 60 characters or fewer")],
        widget=GovTextInput(),
    )
    report_rule_day = StringField(
        "Day",
        description="A date such as 15, or a weekday in the month such as first Monday, "
                    "2nd tue or last Friday. A day that is not a working day moves to the next "
                    "working day.",
        validators=[Length(max=60, message="Day must be 60 characters or fewer")],
        widget=GovTextInput(),
    )
    report_days_before = IntegerField(
        "Working days before each meeting",
        description=f"From 1 to {MOST_DAYS_BEFORE}. Weekends and bank holidays in England "
                    f"and Wales are not counted.",
        validators=[Optional(), NumberRange(min=1, max=MOST_DAYS_BEFORE,
                                            message=f"Enter a number from 1 to "
                                                    f"{MOST_DAYS_BEFORE}")],
        widget=GovTextInput(),
    )
    report_time = StringField(
        "Time of day",
        description="UK time on the 24-hour clock, such as 09:00",
        validators=[Length(max=5, message="Enter the time as hours and minutes, such as "
                                          "09:00")],
        widget=GovTextInput(),
    )
    report_owner = ChoiceSelectField("Report owner", validators=[Optional()])
    auto_issue = BooleanField("Issue the report as soon as it is produced",
                              widget=GovCheckboxInput())
