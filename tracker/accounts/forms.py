"""Forms for signing in and for managing the council's users."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovTextInput
from wtforms import PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice, enum_coerce
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from tracker.accounts.models import Role
from tracker.accounts.service import MIN_PASSWORD_LENGTH, USER_TEXT_LIMITS, check_email_address
from tracker.errors import RuleBroken
from tracker.forms import TrackerForm, enum_choices

# Long enough for any pass phrase, short enough that hashing it costs nothing unusual.
MAX_PASSWORD_LENGTH = 200


def _limit(field: str) -> Length:
    label, limit = USER_TEXT_LIMITS[field]
    return Length(max=limit, message=f"{label} must be {limit} characters or fewer")


def _email_format(form, field) -> None:
    if not field.data:
        return
    try:
        check_email_address(field.data)
    except RuleBroken as error:
        raise ValidationError(error.message) from error


class SignInForm(TrackerForm):
    """Email address and password. A wrong pair gets one message that never says which."""

    email = StringField(
        "Email address",
        validators=[DataRequired("Enter your email address"), _limit("email")],
        widget=GovTextInput(),
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Enter your password"),
            # An over-long password cannot be right: say so the same way as any wrong one.
            Length(max=MAX_PASSWORD_LENGTH,
                   message="Enter a correct email address and password"),
        ],
        widget=GovPasswordInput(),
    )


def _name_field() -> StringField:
    return StringField(
        "Full name",
        validators=[DataRequired("Enter the person's full name"), _limit("name")],
        widget=GovTextInput(),
    )


def _job_title_field() -> StringField:
    return StringField(
        "Job title",
        validators=[DataRequired("Enter the person's job title"), _limit("job_title")],
        widget=GovTextInput(),
    )


def _organisation_field() -> StringField:
    return StringField(
        "Organisation (optional)",
        description="Only for partners outside the council, for example Northshire Police",
        validators=[_limit("organisation")],
        widget=GovTextInput(),
    )


def _telephone_field() -> StringField:
    return StringField(
        "Telephone number (optional)",
        validators=[
            Optional(),
            _limit("telephone"),
            Regexp(
                r"^(?=.*[0-9])[0-9 +()\-]+$",
                message="Enter a telephone number, like 01632 960 001 or +44 808 157 0192",
            ),
        ],
        widget=GovTextInput(),
    )


def _role_field() -> RadioField:
    return RadioField(
        "Role",
        choices=enum_choices(Role),
        coerce=enum_coerce(Role),
        invalid_choice_message="Choose a role",
        invalid_value_message="Choose a role",
        widget=GovRadioInput(),
    )


class AddUserForm(TrackerForm):
    """A new person: their details, role and a first password to pass on securely."""

    name = _name_field()
    email = StringField(
        "Email address",
        validators=[DataRequired("Enter an email address"), _limit("email"), _email_format],
        widget=GovTextInput(),
    )
    job_title = _job_title_field()
    organisation = _organisation_field()
    telephone = _telephone_field()
    role = _role_field()
    password = PasswordField(
        "Initial password",
        description=f"At least {MIN_PASSWORD_LENGTH} characters. Give it to the person "
        "securely, not in the same message as their email address.",
        validators=[
            DataRequired("Enter an initial password"),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=f"The password must be at least {MIN_PASSWORD_LENGTH} characters long",
            ),
            Length(
                max=MAX_PASSWORD_LENGTH,
                message=f"The password must be {MAX_PASSWORD_LENGTH} characters or fewer",
            ),
        ],
        widget=GovPasswordInput(),
    )


ACTIVE = "active"
DEACTIVATED = "deactivated"


class EditUserForm(TrackerForm):
    """Someone's details, role and whether they can sign in. The email address stays."""

    name = _name_field()
    job_title = _job_title_field()
    organisation = _organisation_field()
    telephone = _telephone_field()
    role = _role_field()
    status = RadioField(
        "Can this person sign in?",
        choices=[
            SelectChoice(ACTIVE, "Active: can sign in"),
            SelectChoice(DEACTIVATED, "Deactivated: cannot sign in"),
        ],
        invalid_choice_message="Choose whether this person can sign in",
        widget=GovRadioInput(),
    )

    @property
    def active(self) -> bool:
        return self.status.data == ACTIVE


def _new_password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        description=f"At least {MIN_PASSWORD_LENGTH} characters. Three or four unrelated words "
        "make a strong password that is easy to remember.",
        validators=[
            DataRequired("Enter a new password"),
            Length(min=MIN_PASSWORD_LENGTH,
                   message=f"The password must be at least {MIN_PASSWORD_LENGTH} characters "
                   "long"),
            Length(max=MAX_PASSWORD_LENGTH,
                   message=f"The password must be {MAX_PASSWORD_LENGTH} characters or fewer"),
        ],
        widget=GovPasswordInput(),
    )


class ChangePasswordForm(TrackerForm):
    """The current password, then the new one."""

    current_password = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password"),
                    Length(max=MAX_PASSWORD_LENGTH, message="Your current password is not right")],
        widget=GovPasswordInput(),
    )
    new_password = _new_password_field("New password")


class ForgottenPasswordForm(TrackerForm):
    """The address to send a reset link to."""

    email = StringField(
        "Email address",
        validators=[DataRequired("Enter your email address"), _limit("email"), _email_format],
        widget=GovTextInput(),
    )


class ResetPasswordForm(TrackerForm):
    """The new password chosen through a reset link."""

    password = _new_password_field("New password")


class ConfirmForm(TrackerForm):
    """A button that does one thing (send a reset link, end someone's sessions): only the
    CSRF token."""
