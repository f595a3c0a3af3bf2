"""Sign-up, sign-in, password and account forms."""
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovTextInput
from wtforms import PasswordField, RadioField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, ValidationError

from app.auth.models import TextSize
from app.auth.passwords import password_problem, verify_password
from app.forms import EmailAddress, GovForm, submit


def email_field(label: str = "E-mail address") -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        validators=[InputRequired("Enter your e-mail address"), Length(max=254, message="E-mail address must be 254 characters or fewer"), EmailAddress()],
        render_kw={"autocomplete": "email", "spellcheck": "false", "type": "email"},
    )


class PasswordInput(GovPasswordInput):
    """The GOV.UK password input with one `autocomplete` (the macro's own, set from render_kw), not two."""

    def map_gov_params(self, field, **kwargs):
        autocomplete = kwargs.pop("autocomplete", None)
        params = super().map_gov_params(field, **kwargs)
        params.get("attributes", {}).pop("autocomplete", None)
        if autocomplete:
            params["autocomplete"] = autocomplete
        return params


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    """'Create a password' and 'Type the password again', made where the form lists them, so the error
    summary keeps the order of the page."""
    password = PasswordField(
        "Create a password",
        widget=PasswordInput(),
        description="At least 8 characters. A few random words you can remember work well.",
        validators=[InputRequired("Create a password")],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Type the password again",
        widget=PasswordInput(),
        validators=[InputRequired("Type the password again"), EqualTo("password", "The passwords do not match")],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class NewPasswordMixin:
    """The check on a new password; the fields themselves come from new_password_fields()."""


    def validate_password(self, field):
        email = getattr(getattr(self, "email", None), "data", "") or getattr(current_user, "email", "")
        problem = password_problem(field.data or "", email=email or "")
        if problem:
            raise ValidationError(problem)


class SignUpForm(NewPasswordMixin, GovForm):
    full_name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter your full name"), Length(max=200, message="Full name must be 200 characters or fewer")],
        render_kw={"autocomplete": "name", "spellcheck": "false"},
    )
    email = email_field()
    password, confirm = new_password_fields()
    submit = submit("Create account")


class SignInForm(GovForm):
    email = email_field()
    password = PasswordField(
        "Password", widget=PasswordInput(), validators=[InputRequired("Enter your password")],
        render_kw={"autocomplete": "current-password"},
    )
    submit = submit("Sign in")


class EmailOnlyForm(GovForm):
    email = email_field()
    submit = submit("Send the link")


class ConfirmForm(GovForm):
    submit = submit("Confirm my e-mail address")


class ResetPasswordForm(NewPasswordMixin, GovForm):
    password, confirm = new_password_fields()
    submit = submit("Save new password")


class ChangePasswordForm(NewPasswordMixin, GovForm):
    current = PasswordField(
        "Current password", widget=PasswordInput(), validators=[InputRequired("Enter your current password")],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = new_password_fields()
    submit = submit("Change password")

    def validate_current(self, field):
        if not verify_password(current_user.password_hash, field.data or ""):
            raise ValidationError("Your current password is not right")


class TextSizeForm(GovForm):
    size = RadioField(
        "Text size",
        widget=GovRadioInput(),
        choices=[(s.value, s.value.capitalize()) for s in TextSize],
        validators=[InputRequired("Choose a text size")],
    )
