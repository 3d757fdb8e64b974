"""Form pieces every area shares: the base form (text stripped once), the GOV.UK date input and
character count, choice lists, and turning the rules' refusals into errors on the form."""

from __future__ import annotations

import enum
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovDateInput, GovSelect
from markupsafe import Markup, escape
from werkzeug.datastructures import FileStorage
from wtforms import (
    Field,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import StopValidation

from tracker.accounts.models import User
from tracker.errors import EditConflict, RuleBroken
from tracker.evidence.files import Upload
from tracker.evidence.sniff import HEAD_BYTES, MAX_FILE_BYTES
from tracker.extensions import db


def strip_text(value: Any) -> Any:
    """Text without the white space around it; anything else as it is."""
    return value.strip() if isinstance(value, str) else value


# Line breaks, tabs, escape and the other control characters (C0, DEL, C1), and the Unicode
# line and paragraph separators: none belongs in a one-line box such as a name or a title,
# and a line break there would break an email's subject later.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(label: str) -> Callable[[Any], Any]:
    """A filter for a one-line text box: refuses text with a control character, with a
    message naming the box (wtforms shows a filter's ValueError as the field's error)."""
    label = label.removesuffix(" (optional)")

    def refuse_control_characters(value: Any) -> Any:
        if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
            raise ValueError(f"{label} must be one line of text, without line breaks, tabs or "
                             "other control characters")
        return value

    return refuse_control_characters


class StrippedText:
    """A form's `Meta`: every text field (not a password) strips the white space around what
    was typed, before validation, so no service or view needs to; a one-line text box (not a
    text area) also refuses control characters such as line breaks."""

    def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
        field_class = unbound_field.field_class
        if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
            filters: tuple[Any, ...] = (strip_text,)
            if not issubclass(field_class, TextAreaField):
                label = unbound_field.kwargs.get("label") or (
                    unbound_field.args[0] if unbound_field.args else "") or "This box"
                filters += (one_line(str(label)),)
            options = {**options,
                       "filters": (*filters, *unbound_field.kwargs.get("filters", ()))}
        return super().bind_field(form, unbound_field, options)  # type: ignore[misc]


class TrackerForm(FlaskForm):
    """Every page's form: text stripped once, and room for the rules' answer to a save
    (`refusal`, `conflict`), which `rules_on_form` fills in and `page_status` reads."""

    class Meta(StrippedText):
        pass

    refusal: RuleBroken | None = None
    conflict: EditConflict | None = None


class CharacterCount(GovCharacterCount):
    """The GOV.UK character count, its limit taken from the field's `Length` validator, so a
    template never states it again."""

    def map_gov_params(self, field: Field, **kwargs: Any) -> dict[str, Any]:
        params = super().map_gov_params(field, **kwargs)
        if field.flags.maxlength is not None:
            params.setdefault("maxlength", field.flags.maxlength)
        return params


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


def select_options(field: SelectField) -> Markup:
    """A select's `<option>` elements, the chosen one selected, as GOV.UK's select macro
    writes them: `long_select.html` writes long lists (the council's people) with it, in a
    fraction of the time a loop in the template takes."""
    choices = field.choices
    if isinstance(choices, list) and all(type(choice) is SelectChoice for choice in choices):
        # WTForms' `iter_choices` makes a `Choice` of each first: a third of the time over
        # the 500 people of a large council. An option is selected as there: when its value,
        # coerced, is the field's data.
        coerce, data = field.coerce, field.data
        shown = ((choice.value, choice.label, coerce(choice.value) == data)
                 for choice in choices)
    else:
        shown = ((choice.value, choice.label, choice.selected)
                 for choice in field.iter_choices())
    options = list(shown)
    texts = [value for value, _, _ in options] + [label for _, label, _ in options]
    # Every value and label is escaped, all of them in one call where they are plain text
    # (`escape` of the texts joined by NUL, which it leaves alone, then split): a call for
    # each took five times as long over the 500 people of a large council, and Markup's own
    # `format` ten times.
    joined = "\0".join(texts) if all(type(text) is str for text in texts) else None
    if joined is not None and joined.count("\0") == len(texts) - 1:
        escaped = str(escape(joined)).split("\0")
    else:
        escaped = [str(escape(text)) for text in texts]
    return Markup("\n".join(  # noqa: S704 # nosec B704 # each value and label escaped above
        f'<option value="{value}"{" selected" if selected else ""}>{label}</option>'
        for value, label, (_, _, selected) in zip(
            escaped[:len(options)], escaped[len(options):], options, strict=True)))


def enum_choices(enum_class: type[enum.Enum], *, blank: str | None = None) -> list[SelectChoice]:
    """Options for a select or radios from an enum, labelled as users read them."""
    choices = [SelectChoice("", blank)] if blank is not None else []
    choices += [
        SelectChoice(member.value, getattr(member, "label", member.value))
        for member in enum_class
    ]
    return choices


class LongSelectField(SelectField):
    """A select over a list that grows with the data (the council's people, its themes and
    inspections), written with `long_select.html`: its choice is checked against a set of
    the option values, where WTForms walks every option and makes a `Choice` of each (0.4 ms
    a request over the 500 people of a large council). The same answer and message."""

    def pre_validate(self, form: Any) -> None:
        choices = self.choices
        if (self.process_errors or not self.validate_choice or self.coerce is not str
                or not isinstance(choices, list)
                or not all(type(choice) is SelectChoice and type(choice.value) is str
                           for choice in choices)):
            super().pre_validate(form)
            return
        if self.data not in {choice.value for choice in choices}:
            raise ValidationError(
                self.invalid_choice_message or self.gettext("Not a valid choice."))


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


@contextmanager
def rules_on_form(form: TrackerForm) -> Iterator[None]:
    """Run a save; if the rules refuse it, undo what it wrote and show why on the form.

    A `RuleBroken` becomes an error on its field (or at the top of the form); an
    `EditConflict` is kept as `form.conflict`, and the form's version is moved on to the saved
    one, so saving again means "mine replaces theirs". Either way the session is rolled back
    at once: nothing the refused save wrote can be committed, and the page shown again reads
    what is saved. The `with` block ends at the refusal, so the code after the save in it (the
    flash and the redirect) does not run; `page_status(form)` then gives 400, 409 or the
    refusal's own status.
    """
    try:
        yield
    except EditConflict as conflict:
        db.session.rollback()
        form.conflict = conflict
        version = getattr(form, "version", None)
        if isinstance(version, Field):
            version.data = str(conflict.current.version)
    except RuleBroken as error:
        db.session.rollback()
        form.refusal = error
        show_rule_broken(form, error)


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
    """The status of a page that shows a form: 409 after an edit conflict, the refusal's own
    status (400, or 429 for a limit), 400 for any other errors (so nothing is committed), else
    200."""
    if getattr(form, "conflict", None) is not None:
        return 409
    refusal = getattr(form, "refusal", None)
    if refusal is not None:
        return refusal.status
    return 400 if form.errors or form.form_errors else 200


def uploaded_files(field: Field) -> list[Upload]:
    """The files a file field carries, for the service to check: each read whole only when it
    is within the size allowed (a larger one only as far as its first bytes, with its size
    known); the empty part a browser sends when no file is chosen is left out."""
    uploads = []
    for storage in field.data or []:
        if not isinstance(storage, FileStorage) or not storage.filename:
            continue
        stream = storage.stream
        stream.seek(0, os.SEEK_END)
        size = stream.tell()
        stream.seek(0)
        data = stream.read(MAX_FILE_BYTES if size <= MAX_FILE_BYTES else HEAD_BYTES)
        uploads.append(Upload(name=storage.filename, data=data, size=size))
    return uploads
