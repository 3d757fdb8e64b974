"""Forms for importing an action-plan spreadsheet: the upload, the column mapping, the
confirmation and the cancelling."""

from __future__ import annotations

from typing import Any

from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from wtforms import HiddenField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, Regexp

from tracker.forms import ChoiceSelectField, TrackerForm
from tracker.plan_import.cells import FIELDS

NOT_IN_SHEET = "Not in this spreadsheet"


class PlanUploadForm(TrackerForm):
    spreadsheet = FileField(
        "Upload the action plan",
        widget=GovFileInput(),
        description="An Excel workbook (.xlsx) or a CSV file",
        validators=[FileRequired(message="Choose the action plan spreadsheet")],
    )


class MappingForm(TrackerForm):
    """For each of the tracker's fields, the spreadsheet column that holds it (fields are
    added below, one per `tracker.plan_import.cells.FIELDS`)."""

    def set_columns(self, columns: list[tuple[int, str]]) -> None:
        """Offer the sheet's columns ("C: Action") in every select."""
        choices = [SelectChoice("", NOT_IN_SHEET)] + [
            SelectChoice(str(number), label) for number, label in columns
        ]
        for spec in FIELDS:
            self[spec.key].choices = choices

    def chosen(self) -> dict[str, int | None]:
        """Field name to column number, None for a field not in the spreadsheet."""
        mapping: dict[str, int | None] = {}
        for spec in FIELDS:
            value = self[spec.key].data
            mapping[spec.key] = int(value) if value not in (None, "") else None
        return mapping

    @staticmethod
    def initial(mapping: dict[str, int]) -> dict[str, Any]:
        """The form's data for a saved mapping."""
        return {spec.key: str(mapping[spec.key]) if spec.key in mapping else ""
                for spec in FIELDS}


for _spec in FIELDS:
    setattr(MappingForm, _spec.key, ChoiceSelectField(
        _spec.label + ("" if _spec.required else " (optional)"),
        description=_spec.hint,
        validators=[InputRequired(message=f"Choose the column that holds the "
                                          f"{_spec.label.lower()}")]
        if _spec.required else [Optional()],
    ))


class ConfirmForm(TrackerForm):
    # The version of the import the page showed: a mapping changed since is noticed.
    version = HiddenField(validators=[
        InputRequired(message="This form is incomplete: reload the page and try again"),
        Regexp(r"^\d{1,9}$", message="This form is incomplete: reload the page and try again"),
    ])


class CancelForm(TrackerForm):
    pass
