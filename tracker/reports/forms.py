"""Forms for progress reports: issuing one, and the report's title and contact officer."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField
from wtforms.validators import Length

from tracker.reports.service import DETAIL_LIMITS


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _text_field(field: str, label: str, description: str = "") -> StringField:
    limit_label, limit = DETAIL_LIMITS[field]
    return StringField(
        label,
        description=description,
        filters=[_strip],
        validators=[
            Length(max=limit, message=f"{limit_label} must be {limit} characters or fewer")
        ],
        widget=GovTextInput(),
    )


class IssueForm(FlaskForm):
    """Issuing needs nothing but the button (and the form's CSRF token)."""


class ReportDetailsForm(FlaskForm):
    """The report's own title and the contact officer named at its end; all optional."""

    report_title = _text_field(
        "report_title", "Report title (optional)",
        "Leave blank to use a title made from the inspections the committee follows.",
    )
    contact_name = _text_field("contact_name", "Contact officer's name")
    contact_job_title = _text_field("contact_job_title", "Job title")
    contact_telephone = _text_field("contact_telephone", "Telephone number")
    contact_email = _text_field("contact_email", "Email address")
