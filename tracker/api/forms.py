"""Forms of the API tokens page: naming a new token, and revoking one."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from tracker.access.service import NAME_LENGTH
from tracker.forms import TrackerForm


class NewTokenForm(TrackerForm):
    """A name that says what will use the token, so it can be told apart and revoked later."""

    name = StringField(
        "Name of the token",
        description="What will use it, for example ‘Power BI dashboard’",
        validators=[
            DataRequired("Enter a name for the token, such as what will use it"),
            Length(max=NAME_LENGTH, message=f"Name must be {NAME_LENGTH} characters or fewer"),
        ],
        widget=GovTextInput(),
    )


class RevokeTokenForm(TrackerForm):
    """Only the form token: which token to revoke is in the address."""
