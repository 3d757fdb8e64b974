"""The calendar feed page's one form: its buttons make a new address or turn the feed off."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import AnyOf

from tracker.forms import TrackerForm

NEW_ADDRESS = "new"
TURN_OFF = "off"


class FeedForm(TrackerForm):
    """Which button was pressed; any other value is refused."""

    change = StringField(validators=[AnyOf(
        [NEW_ADDRESS, TURN_OFF],
        message="Choose whether to make a new address or turn the calendar feed off")])
