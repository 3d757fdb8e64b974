"""Forms for inspections."""

from __future__ import annotations

from flask_wtf import FlaskForm

from tracker.forms import GovDateField


class PlanSubmittedForm(FlaskForm):
    submitted_on = GovDateField(
        "Date the action plan was submitted", description="For example, 6 11 2026"
    )
