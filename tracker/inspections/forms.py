"""Forms for inspections."""

from __future__ import annotations

import calendar
import re
from datetime import date

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from tracker.forms import ChoiceSelectField, GovDateField, StrippedText, TrackerForm
from tracker.inspections.imports import (
    FINDING_TEXT_MAX,
    GROUP_MAX,
    LIST_CATEGORIES,
    MOST_FINDINGS,
    NOTE_MAX,
    REPEAT_EVIDENCE_MAX,
    ReviewedDetails,
    ReviewedFinding,
)
from tracker.inspections.models import CATEGORY_ORDER, FindingBody, FindingCategory


class PlanSubmittedForm(TrackerForm):
    submitted_on = GovDateField(
        "Date the action plan was submitted", description="For example, 6 11 2026"
    )


class LeadOfficersForm(TrackerForm):
    """A lead officer for each of an inspection's items, on one page: one select per item,
    named lead_<item id> (`lead_officers_form` adds them)."""

    def leads(self) -> dict[int, str]:
        """The chosen person's id (or "") for each item's id."""
        return {int(name.removeprefix("lead_")): field.data or ""
                for name, field in self._fields.items() if name.startswith("lead_")}


def lead_officers_form(items: list, choices: list[SelectChoice], **kwargs) -> LeadOfficersForm:
    """The form for these items, each select labelled with its item's title."""

    class ForTheseItems(LeadOfficersForm):
        pass

    for item in items:
        setattr(ForTheseItems, f"lead_{item.id}", ChoiceSelectField(
            item.title, choices=choices, validators=[Optional()]))
    return ForTheseItems(**kwargs)


class AddToCommitteeForm(TrackerForm):
    """The committee whose progress reports should cover the inspection."""

    committee = ChoiceSelectField(
        "Committee", validators=[DataRequired(message="Choose a committee")])


# --- Importing a letter ---------------------------------------------------------------------

LIST_NAMES = "|".join(LIST_CATEGORIES)
VISIT_DAYS_MAX = 60


def _max(what: str, limit: int) -> Length:
    return Length(max=limit, message=f"{what} must be {limit:,} characters or fewer")


class ImportUploadForm(TrackerForm):
    """A letter to import: a file, or its text pasted in."""

    document = FileField(
        "Upload the letter or report",
        widget=GovFileInput(),
        description="A PDF, a Word document (.docx) or a text file",
    )
    text = TextAreaField(
        "Or paste its text",
        widget=GovTextArea(),
        description="Copy everything from the letter, from the address to the signature",
        validators=[Optional()],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        has_file = bool(self.document.data)
        has_text = bool((self.text.data or "").strip())
        if has_file and has_text:
            self.document.errors = [*self.document.errors,
                                    "Upload a file or paste its text, not both"]
            return False
        if not has_file and not has_text:
            self.document.errors = [*self.document.errors,
                                    "Choose the file of the letter or report, or paste its text"]
            return False
        return valid


_MONTH_NUMBERS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
} | {"sept": 9}
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[\s/.-]+(\d{1,2})[\s/.-]+(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDED_DATE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})$")


def parse_visit_dates(text: str) -> list[date]:
    """Dates typed one a line or separated by commas: "28 6 2011, 29 6 2011", "28 June 2011"."""
    days = []
    for piece in re.split(r"[,;\n]+", text or ""):
        piece = " ".join(piece.split())
        if not piece:
            continue
        day = month = year = None
        if found := _DAY_MONTH_YEAR.match(piece):
            day, month, year = (int(part) for part in found.groups())
        elif found := _ISO_DATE.match(piece):
            year, month, day = (int(part) for part in found.groups())
        elif (found := _WORDED_DATE.match(piece)) and found[2].lower() in _MONTH_NUMBERS:
            day, month, year = int(found[1]), _MONTH_NUMBERS[found[2].lower()], int(found[3])
        try:
            if day is None or month is None or year is None:
                raise ValueError(piece)
            days.append(date(year, month, day))
        except ValueError as error:
            raise ValueError(
                f"“{piece[:40]}” is not a real date: enter each visit date like 28 6 2011"
            ) from error
    return sorted(set(days))


class VisitDatesField(TextAreaField):
    """The days of the visit, as text: one date a line, or separated by commas."""

    widget = GovTextArea()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return ", ".join(f"{d.day} {d.month} {d.year}" for d in self.data or [])

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = []
        if valuelist:
            text = valuelist[0] or ""
            if len(text) > 2000:
                raise ValueError("Visit dates must be 2,000 characters or fewer")
            self.data = parse_visit_dates(text)
            if len(self.data) > VISIT_DAYS_MAX:
                raise ValueError(f"Enter no more than {VISIT_DAYS_MAX} visit dates")


class FindingRowForm(Form):
    """One finding on the review page; a blank row is ignored."""

    class Meta(StrippedText):
        pass

    source = HiddenField(validators=[
        Optional(),
        Regexp(rf"^({LIST_NAMES}):\d{{1,4}}$",
               message="This form is incomplete: reload the page and try again"),
    ])
    category = ChoiceSelectField(
        "Category",
        choices=[SelectChoice("", "Choose a category")]
        + [SelectChoice(c.value, c.label) for c in CATEGORY_ORDER],
        validators=[Optional()],
    )
    text = TextAreaField(
        "Text of the finding",
        widget=GovTextArea(),
        validators=[Optional(), _max("The finding", FINDING_TEXT_MAX)],
    )
    body = ChoiceSelectField(
        "Addressed to",
        choices=[SelectChoice(b.value, b.label) for b in FindingBody],
        description="A finding of the Local Safeguarding Children Board is a partner’s item: "
        "give it a lead from the safeguarding partners",
        validators=[Optional()],
    )
    group = StringField(
        "Sub-heading",
        widget=GovTextInput(),
        description="Optional. The heading it sits under in the letter, like “Within three "
        "months”",
        validators=[Optional(), _max("The sub-heading", GROUP_MAX)],
    )
    repeat_evidence = TextAreaField(
        "Repeat evidence",
        widget=GovTextArea(),
        description="Optional. The sentence that says it was raised at the previous inspection",
        validators=[Optional(), _max("The repeat evidence", REPEAT_EVIDENCE_MAX)],
    )
    repeat_of = ChoiceSelectField(
        "Same finding at the previous inspection", validators=[Optional()]
    )
    remove = BooleanField("Remove this finding", widget=GovCheckboxInput())

    @property
    def is_blank(self) -> bool:
        return not (self.text.data or "").strip() and not self.category.data

    @property
    def is_kept(self) -> bool:
        return not self.remove.data and not self.is_blank


class ImportReviewForm(TrackerForm):
    """The proposed inspection and its findings, every part editable before it is created."""

    title = StringField(
        "Title",
        widget=GovTextInput(),
        description="The letter's subject line, as written",
        validators=[DataRequired(message="Enter the inspection's title"), _max("Title", 500)],
    )
    inspectorate = StringField(
        "Inspectorate",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter the inspectorate"), _max("Inspectorate", 120)],
    )
    letter_date = GovDateField(
        "Letter date", required=False, description="For example, 27 7 2011"
    )
    visit_dates = VisitDatesField(
        "Visit dates",
        description="Every day of the visit, one a line or separated by commas, like "
        "28 6 2011, 29 6 2011",
    )
    inspector = StringField(
        "Inspector", widget=GovTextInput(), validators=[Optional(), _max("Inspector", 200)]
    )
    inspector_role = StringField(
        "Inspector's role",
        widget=GovTextInput(),
        validators=[Optional(), _max("Inspector's role", 200)],
    )
    recipient = StringField(
        "Letter to", widget=GovTextInput(), validators=[Optional(), _max("Letter to", 200)]
    )
    previous_inspection_text = StringField(
        "Previous inspection, as the letter words it",
        widget=GovTextInput(),
        description="For example, August 2010",
        validators=[Optional(), _max("Previous inspection", 200)],
    )
    previous_inspection = ChoiceSelectField(
        "Previous inspection in the tracker",
        description="Repeat findings are linked to this inspection's findings",
        validators=[Optional()],
    )
    # The inspection whose findings the repeat choices below list, when the page was made.
    matches_for = HiddenField(validators=[
        Optional(),
        Regexp(r"^\d{1,9}$", message="This form is incomplete: reload the page and try again"),
    ])
    overall_judgement = StringField(
        "Overall judgement",
        widget=GovTextInput(),
        description="Only for graded inspections, like “good” or “requires improvement to be "
        "good”",
        validators=[Optional(), _max("Overall judgement", 60)],
    )
    note = TextAreaField(
        "Note",
        widget=GovTextArea(),
        description="Optional. The letter's own words where it points back to an earlier "
        "inspection's findings instead of setting new ones",
        validators=[Optional(), _max("The note", NOTE_MAX)],
    )
    # Room for the most findings a letter may bring and the blank rows to add more.
    findings = FieldList(FormField(FindingRowForm), max_entries=MOST_FINDINGS + 10)
    allow_duplicate = BooleanField("Import it again anyway", widget=GovCheckboxInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        kept = 0
        for number, row in enumerate(self.findings, start=1):
            if not row.form.is_kept:
                continue
            kept += 1
            if not (row.form.text.data or "").strip():
                row.form.text.errors = [
                    *row.form.text.errors, f"Enter the text of finding {number}"
                ]
                valid = False
            if not row.form.category.data:
                row.form.category.errors = [
                    *row.form.category.errors, f"Choose the category of finding {number}"
                ]
                valid = False
        if kept == 0 and not (self.note.data or "").strip():
            self.form_errors.append("Keep at least one finding, or cancel the import")
            valid = False
        return valid

    def reviewed_details(self) -> ReviewedDetails:
        return ReviewedDetails(
            title=self.title.data or "",
            letter_date=self.letter_date.data,
            visit_dates=list(self.visit_dates.data or []),
            inspectorate=self.inspectorate.data or "",
            inspector=self.inspector.data or "",
            inspector_role=self.inspector_role.data or "",
            recipient=self.recipient.data or "",
            previous_inspection_text=self.previous_inspection_text.data or "",
            overall_judgement=self.overall_judgement.data or "",
            note=self.note.data or "",
        )

    def reviewed_findings(self) -> tuple[list[ReviewedFinding], dict[int, int]]:
        """The kept findings in order, and the repeat links by position among them."""
        findings: list[ReviewedFinding] = []
        links: dict[int, int] = {}
        for row in self.findings:
            if not row.form.is_kept:
                continue
            repeat_of = row.form.repeat_of.data or ""
            if repeat_of.isdigit():
                links[len(findings)] = int(repeat_of)
            findings.append(
                ReviewedFinding(
                    category=FindingCategory(row.form.category.data),
                    text=row.form.text.data or "",
                    group=row.form.group.data or "",
                    repeat_evidence=row.form.repeat_evidence.data or "",
                    source=row.form.source.data or "",
                    body=FindingBody(row.form.body.data or FindingBody.LOCAL_AUTHORITY.value),
                )
            )
        return findings, links

    def error_entries(self) -> list[dict[str, str]]:
        """The error summary, each entry linking to its field, findings' fields included."""
        entries = [{"text": message, "href": "#main-content"} for message in self.form_errors]
        for field in self:
            if field.type in ("CSRFTokenField", "FieldList") or not field.errors:
                continue
            anchor = f"{field.id}-day" if isinstance(field, GovDateField) else field.id
            entries.append({"text": field.errors[0], "href": f"#{anchor}"})
        for number, row in enumerate(self.findings, start=1):
            for subfield in row.form:
                if subfield.errors:
                    message = subfield.errors[0]
                    if f"finding {number}" not in message:
                        message = f"Finding {number}: {message}"
                    entries.append({"text": message, "href": f"#{subfield.id}"})
        csrf = getattr(self, "csrf_token", None)
        if csrf is not None and csrf.errors:
            entries.insert(0, {"text": "The form had expired. Please try again.",
                               "href": "#main-content"})
        return entries
