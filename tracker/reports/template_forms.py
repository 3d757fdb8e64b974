"""Forms of the Word template page: uploading the council's template, going back to ours."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput

from tracker.forms import TrackerForm
from tracker.reports.word_template import MAX_BYTES


class WordTemplateForm(TrackerForm):
    """The council's Word template; checked by its content, not its name."""

    template = FileField(
        "Upload the council's Word template",
        widget=GovFileInput(),
        description=f"A Word Template (.dotx) or Word Document (.docx), up to "
                    f"{MAX_BYTES // (1024 * 1024)} MB. Files with macros (.docm, .dotm) are "
                    "not accepted.",
    )

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not self.template.data:
            self.template.errors = [*self.template.errors, "Choose the template file to upload"]
            return False
        return valid


class StandardTemplateForm(TrackerForm):
    """Going back to the standard template needs nothing but the button (and the token)."""
