"""Forms for items and actions."""

from __future__ import annotations

import re

from flask_wtf.file import MultipleFileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, InputRequired, Length, Optional, Regexp

from tracker.forms import (
    CharacterCount,
    ChoiceSelectField,
    GovDateField,
    LongSelectField,
    TrackerForm,
    enum_choices,
)
from tracker.inspections.models import CATEGORY_ORDER, TRACKED_CATEGORIES
from tracker.items.models import ActionStatus, ItemStatus, Priority, Rag
from tracker.items.status import ShownStatus

TITLE_MAX = 200
THEME_MAX = 100
TEXT_MAX = 5000
LINK_MAX = 500


def version_field() -> HiddenField:
    """The version the person saw when they opened the form: how a conflicting save is
    noticed."""
    return HiddenField(validators=[
        InputRequired(message="This form is incomplete: reload the page and try again"),
        Regexp(r"^\d{1,9}$", message="This form is incomplete: reload the page and try again"),
    ])


def _required(what: str) -> DataRequired:
    return DataRequired(message=f"Enter {what}")


def _max(what: str, limit: int) -> Length:
    return Length(max=limit, message=f"{what} must be {limit} characters or fewer")


def evidence_link_field(description: str) -> StringField:
    """An optional link to evidence: a web link (http or https) of at most LINK_MAX
    characters."""
    return StringField(
        "Link to evidence",
        widget=GovTextInput(),
        description=description,
        validators=[
            Optional(),
            _max("Link to evidence", LINK_MAX),
            URL(require_tld=False, message="Enter a link starting http:// or https://"),
            # The URL check alone accepts any scheme (javascript:, file:): web links only.
            Regexp(r"^https?://", flags=re.IGNORECASE,
                   message="Enter a link starting http:// or https://"),
        ],
    )


def evidence_files_field(label: str = "Files as evidence") -> MultipleFileField:
    """Files attached as evidence, several at once. What each file is and its size are
    checked by the service (tracker.evidence.files), by its content."""
    return MultipleFileField(
        label,
        widget=GovFileInput(multiple=True),
        description="Optional. PDF, Word, Excel, PowerPoint, an image or a text file, at most "
                    "15 MB each. You can choose several.",
    )


class _FindingFields(TrackerForm):
    """The finding a new item tracks; declared first so its errors are listed first."""

    inspection = ChoiceSelectField(
        "Inspection", validators=[InputRequired(message="Choose the inspection")]
    )
    category = RadioField(
        "Kind of finding",
        widget=GovRadioInput(),
        choices=[
            SelectChoice(c.value, c.label) for c in CATEGORY_ORDER if c in TRACKED_CATEGORIES
        ],
        validators=[InputRequired(message="Choose the kind of finding")],
    )
    finding_text = TextAreaField(
        "The finding, as the letter words it",
        widget=GovTextArea(),
        validators=[_required("the finding's text"), _max("The finding", TEXT_MAX)],
    )


class ItemDetailsForm(TrackerForm):
    """The details of a tracked item, shared by adding and editing."""

    version = version_field()
    title = StringField(
        "Short title",
        widget=GovTextInput(),
        description="A few words committee members will recognise, like "
        "“Timeliness of assessments”",
        validators=[_required("a short title"), _max("Short title", TITLE_MAX)],
    )
    lead_officer = ChoiceSelectField("Lead officer", validators=[Optional()])
    theme = StringField(
        "Theme",
        widget=GovTextInput(),
        description="Optional. Groups related items, like “Voice of the child”",
        validators=[Optional(), _max("Theme", THEME_MAX)],
    )
    priority = RadioField(
        "Priority",
        widget=GovRadioInput(),
        choices=enum_choices(Priority),
        validators=[InputRequired(message="Choose a priority")],
    )
    target_date = GovDateField(
        "Target date", required=False, description="Optional. For example, 31 3 2027"
    )
    measure_of_success = TextAreaField(
        "Measure of success",
        widget=CharacterCount(),
        description="Optional. How you will know the finding has been addressed",
        validators=[Optional(), _max("Measure of success", TEXT_MAX)],
    )


class AddItemForm(_FindingFields, ItemDetailsForm):
    """A new item, with the finding it tracks."""

    version = None  # nothing to compare against yet


class ActionForm(TrackerForm):
    """What an action is and who owns it."""

    version = version_field()
    description = TextAreaField(
        "Action",
        widget=CharacterCount(),
        description="What will be done, for example “Themed case file audit of children's "
        "views”",
        validators=[_required("what the action is"), _max("Action", 1000)],
    )
    owner = ChoiceSelectField("Owner", validators=[InputRequired(message="Choose an owner")])


class AddActionForm(ActionForm):
    version = None  # nothing to compare against yet
    due_date = GovDateField("Due date", description="For example, 31 1 2027")


class UpdateActionForm(TrackerForm):
    """The short progress update: status, commentary and evidence, in one save."""

    version = version_field()
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=enum_choices(ActionStatus),
        validators=[InputRequired(message="Choose a status")],
    )
    commentary = TextAreaField(
        "Commentary",
        widget=CharacterCount(),
        description="What has happened since the last update",
        validators=[Optional(), _max("Commentary", TEXT_MAX)],
    )
    evidence_link = evidence_link_field(
        "Optional. A link to the document or record, starting https://")
    files = evidence_files_field()


class ItemEvidenceForm(TrackerForm):
    """Evidence of the item itself: files, a web link, or both."""

    files = evidence_files_field("Files")
    link = evidence_link_field("Optional. A link to the document or record, starting https://")


class DueDateForm(TrackerForm):
    new_date = GovDateField("New due date", description="For example, 28 2 2027")
    reason = TextAreaField(
        "Reason for the change",
        widget=CharacterCount(),
        validators=[_required("the reason for the change"), _max("Reason", TEXT_MAX)],
    )


def decision_field(approve: str, refuse: str, verbs: str) -> RadioField:
    """The lead officer's answer to a request: "approve" or "refuse", in the request's words."""
    return RadioField(
        "Decision",
        widget=GovRadioInput(),
        choices=[SelectChoice("approve", approve), SelectChoice("refuse", refuse)],
        validators=[InputRequired(message=f"Choose whether to {verbs}")],
    )


class DecisionForm(TrackerForm):
    decision = decision_field("Approve the new date", "Refuse it", "approve or refuse")
    note = TextAreaField(
        "Note",
        widget=GovTextArea(),
        description="Needed if you refuse: say why",
        validators=[Optional(), _max("Note", TEXT_MAX)],
    )


class CancellationDecisionForm(DecisionForm):
    decision = decision_field("Agree: cancel the action", "Refuse: the action stays as it is",
                              "agree or refuse")


class CancelActionForm(TrackerForm):
    reason = TextAreaField(
        "Why should the action be cancelled?",
        widget=CharacterCount(),
        description="For example, what replaces it, or why it is no longer needed",
        validators=[_required("the reason for cancelling"), _max("Reason", TEXT_MAX)],
    )


class WithdrawForm(TrackerForm):
    """Taking back one's own waiting request: a button, so only its form token."""


class RagOverrideForm(TrackerForm):
    rag = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=[SelectChoice("", "Work it out by the rule")]
        + [SelectChoice(r.value, r.label) for r in (Rag.RED, Rag.AMBER, Rag.GREEN)],
        validators=[Optional()],
    )
    reason = TextAreaField(
        "Reason",
        widget=CharacterCount(),
        validators=[_required("the reason"), _max("Reason", TEXT_MAX)],
    )


class MarkCompleteForm(TrackerForm):
    outcome_evidence = TextAreaField(
        "Evidence that the outcome is achieved",
        widget=CharacterCount(),
        validators=[_required("the evidence that the outcome is achieved"),
                    _max("Evidence", TEXT_MAX)],
    )


class SignOffForm(TrackerForm):
    decision = RadioField(
        "Decision",
        widget=GovRadioInput(),
        choices=[SelectChoice("sign-off", "Sign off: the outcome is achieved"),
                 SelectChoice("send-back", "Send back: more is needed")],
        validators=[InputRequired(message="Choose whether to sign off or send back")],
    )
    comment = TextAreaField(
        "Comment",
        widget=GovTextArea(),
        description="Needed if you send it back: say what is missing",
        validators=[Optional(), _max("Comment", TEXT_MAX)],
    )


class ItemFilterForm(TrackerForm):
    """The items list filters, read from the query string."""

    class Meta:
        csrf = False

    q = StringField("Search", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    state = SelectField(
        "Status", widget=GovSelect(), choices=enum_choices(ShownStatus, blank="Any"),
        validators=[Optional()],
    )
    status = SelectField(
        "Progress", widget=GovSelect(), choices=enum_choices(ItemStatus, blank="Any"),
        validators=[Optional()],
    )
    priority = SelectField(
        "Priority", widget=GovSelect(), choices=enum_choices(Priority, blank="Any"),
        validators=[Optional()],
    )
    owner = LongSelectField("Lead officer or action owner", widget=GovSelect(),
                            validators=[Optional()])
    theme = LongSelectField("Theme", widget=GovSelect(), validators=[Optional()])
    inspection = LongSelectField("Inspection", widget=GovSelect(), validators=[Optional()])
    overdue = SelectField(
        "Overdue actions", widget=GovSelect(),
        choices=[SelectChoice("", "Any"), SelectChoice("yes", "Only items with overdue actions")],
        validators=[Optional()],
    )
    page = IntegerField(validators=[Optional()])
