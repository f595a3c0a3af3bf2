"""Shared form pieces: GOV.UK widgets and validators every domain uses."""
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email
from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSubmitInput
from wtforms import DateField, PasswordField, SubmitField
from wtforms.validators import ValidationError


class GovForm(FlaskForm):
    """Base form: strips surrounding spaces from every field but passwords."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if unbound_field.field_class is not PasswordField and strip_text not in filters:
                filters = [strip_text, *filters]
            return unbound_field.bind(form=form, filters=filters, **options)

        def wrap_formdata(self, form, formdata):
            # Answers posted after an idle sign-out come back on the same page once signed in again.
            if formdata is _Auto and request.method == "GET":
                from app.security import kept_formdata

                return kept_formdata()
            return super().wrap_formdata(form, formdata)


def strip_text(value):
    return value.strip() if isinstance(value, str) else value


def submit(label: str = "Continue") -> SubmitField:
    return SubmitField(label, widget=GovSubmitInput())


class EmailAddress:
    """A syntactically valid e-mail address (no DNS look-up), normalised to lower case."""

    def __init__(self, message: str = "Enter an e-mail address in the correct format, like name@example.com"):
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            return
        try:
            result = validate_email(field.data, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValidationError(self.message) from exc
        field.data = result.normalized.lower()


class DateInputWidget(GovDateInput):
    """GOV.UK day/month/year inputs that cope with a missing value and link errors to the day box."""

    def map_gov_params(self, field, **kwargs):
        if field.raw_data is not None and len(field.raw_data) != 3:
            field.raw_data = None
        params = super().map_gov_params(field, **kwargs)
        params["id"] = f"{field.id}-date"  # the wrapper; the day box takes the field's id
        params["items"][0]["id"] = field.id
        return params


class GovDateField(DateField):
    """A date typed as day, month and year, with GOV.UK's specific error messages."""

    widget = DateInputWidget()

    def __init__(self, label=None, validators=None, what: str = "The date", **kwargs):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)
        self.what = what

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        parts = [v.strip() for v in valuelist[:3]] if len(valuelist) >= 3 else [" ".join(valuelist).strip(), "", ""]
        if len(valuelist) == 1:  # an ISO date from a query string or test
            try:
                self.data = datetime.strptime(valuelist[0].strip(), "%Y-%m-%d").date()
                return
            except ValueError:
                self.data = None
                raise ValueError(f"{self.what} must be a real date") from None
        if not any(parts):
            self.data = None
            return
        missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part]
        if missing:
            self.data = None
            raise ValueError(f"{self.what} must include a {' and '.join(missing)}")
        if len(parts[2]) != 4:
            self.data = None
            raise ValueError("Year must include 4 numbers")
        try:
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            self.data = None
            raise ValueError(f"{self.what} must be a real date") from None
