"""Forms for sending a partner link, and the partner's own update."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovTextInput
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp

from tracker.forms import CharacterCount, TrackerForm
from tracker.items.forms import (
    TEXT_MAX,
    evidence_files_field,
    evidence_link_field,
    version_field,
)
from tracker.partners.service import LONGEST_DAYS, PARTNER_STATUSES, SHORTEST_DAYS

DAYS_MESSAGE = f"Enter a number of days from {SHORTEST_DAYS} to {LONGEST_DAYS}"


class SendLinkForm(TrackerForm):
    """How long the link to the partner works."""

    days = StringField(
        "How many days should the link work?",
        widget=GovTextInput(),
        description=f"From {SHORTEST_DAYS} to {LONGEST_DAYS} days after today. The link "
                    "works until midnight at the end of the last day.",
        validators=[
            InputRequired(message="Enter how many days the link should work"),
            # Whole days only, and few digits, so the number is never huge.
            Regexp(r"^\s*\d{1,3}\s*$", message=DAYS_MESSAGE),
        ],
    )

    @property
    def day_count(self) -> int:
        return int(str(self.days.data).strip())


class PartnerUpdateForm(TrackerForm):
    """The partner's progress update: status, commentary and a link to evidence."""

    # The version of the action the partner saw: a save after someone else's is noticed.
    version = version_field()
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=[SelectChoice(status.value, status.label) for status in PARTNER_STATUSES],
        validators=[InputRequired(message="Choose a status")],
    )
    commentary = TextAreaField(
        "What has happened since the last update?",
        widget=CharacterCount(),
        description="Optional if you only change the status or the evidence link",
        validators=[Optional(),
                    Length(max=TEXT_MAX,
                           message=f"Your update must be {TEXT_MAX} characters or fewer")],
    )
    evidence_link = evidence_link_field(
        "Optional. A link to a document or record, starting https://")
    files = evidence_files_field()

    @property
    def expected_version(self) -> int:
        return int(self.version.data)  # the validators let only digits through
