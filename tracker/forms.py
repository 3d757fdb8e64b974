"""Form pieces every area shares: GOV.UK date input, choice lists, and showing rule errors."""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSelect
from wtforms import Field, SelectField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from tracker.accounts.models import User
from tracker.errors import RuleBroken


class GovDateField(Field):
    """A date typed as day, month and year in three boxes (the GOV.UK date input).

    A request that lacks any of the three parts is treated as a blank part, so a tampered or
    truncated form gets the normal "Enter a date" message instead of an error page.
    """

    widget = GovDateInput()

    def __init__(self, label: str = "", *, required: bool = True, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.required = required

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if self.data else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [str(part).strip() for part in valuelist][:3]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        day, month, year = parts
        if not any(parts):
            return
        if not all(parts):
            missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True)
                       if not part]
            raise ValueError(f"{self.label.text} must include a {' and '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValueError(f"{self.label.text} must be a real date, for example 27 3 2026")
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError as error:
            raise ValueError(
                f"{self.label.text} must be a real date, for example 27 3 2026"
            ) from error

    def pre_validate(self, form: Any) -> None:
        if self.required and self.data is None and not self.process_errors:
            raise StopValidation(f"Enter the {self.label.text.lower()}")


def enum_choices(enum_class: type[enum.Enum], *, blank: str | None = None) -> list[SelectChoice]:
    """Options for a select or radios from an enum, labelled as users read them."""
    choices = [SelectChoice("", blank)] if blank is not None else []
    choices += [
        SelectChoice(member.value, getattr(member, "label", member.value))
        for member in enum_class
    ]
    return choices


def user_choices(users: list[User], *, blank: str | None = None) -> list[SelectChoice]:
    """Options for choosing a person, partners shown with their organisation."""
    choices = [SelectChoice("", blank)] if blank is not None else []
    choices += [SelectChoice(str(user.id), user.display_name) for user in users]
    return choices


class ChoiceSelectField(SelectField):
    """A GOV.UK select whose posted value must be one of its options."""

    widget = GovSelect()

    def pre_validate(self, form: Any) -> None:
        if self.data in (None, ""):
            return  # whether a blank is allowed is for the field's validators to say
        try:
            super().pre_validate(form)
        except ValidationError as error:
            raise ValidationError(f"Choose the {self.label.text.lower()} from the list") from error


def show_rule_broken(form: FlaskForm, error: RuleBroken) -> None:
    """Put a rule's message next to the field it is about, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def error_list(form: FlaskForm) -> list[dict[str, str]]:
    """The error summary's entries: each links to its field."""
    entries = [{"text": message, "href": "#main-content"} for message in form.form_errors]
    for field in form:
        if field.errors and field.type != "CSRFTokenField":
            anchor = f"{field.id}-day" if isinstance(field, GovDateField) else field.id
            entries.append({"text": field.errors[0], "href": f"#{anchor}"})
    csrf = getattr(form, "csrf_token", None)
    if csrf is not None and csrf.errors:
        entries.insert(0, {"text": "The form had expired. Please try again.",
                           "href": "#main-content"})
    return entries


def page_status(form: FlaskForm) -> int:
    """400 when the form is shown again with errors (so nothing is committed), else 200."""
    return 400 if form.errors or form.form_errors else 200
