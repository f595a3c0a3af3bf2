"""Shared form pieces: GOV.UK widgets and validators every domain uses.

Every GovForm field gets the same guards, added here once rather than field by field:
- what was sent is stripped of surrounding spaces (passwords aside) before any validator sees it, so a required
  field of only spaces gets its "Enter ..." message rather than arriving empty;
- text fields refuse control characters (NUL and the like), and single-line fields refuse line breaks, with a
  message by the field; multi-line text areas keep their line breaks and tabs;
- text fields without a length limit of their own get a generous one;
- dates are bounded (GovDateField: 1900 to 2100 unless a form asks for other years).
"""
import re
import unicodedata
from datetime import date, datetime

from email_validator import EmailNotValidError, validate_email
from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovSubmitInput
from werkzeug.datastructures import MultiDict
from wtforms import DateField, PasswordField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, StopValidation, ValidationError

LINE_MAX, TEXT_MAX = 500, 10_000  # for text fields that set no length limit of their own
LINE_BREAKS = frozenset("\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029")
MULTI_LINE_ALLOWED = frozenset("\r\n\t")


class GovForm(FlaskForm):
    """Base form: strips what was sent and guards every text field (see the module's docstring)."""

    class Meta:

        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if unbound_field.field_class is not PasswordField and strip_text not in filters:
                filters = [strip_text, *filters]
            field = unbound_field.bind(form=form, filters=filters, **options)
            guard_text(field)
            return field

        def wrap_formdata(self, form, formdata):
            # Answers posted after an idle sign-out come back on the same page once signed in again.
            if formdata is _Auto and request.method == "GET":
                from app.security import kept_formdata

                formdata = kept_formdata()
                if formdata is None:
                    return None
            else:
                formdata = super().wrap_formdata(form, formdata)
            return stripped_formdata(formdata, keep={f.name for f in form if isinstance(f, PasswordField)})


class ActionForm(GovForm):
    """A button with nothing to fill in (CSRF only)."""


def strip_text(value):
    return value.strip() if isinstance(value, str) else value


def stripped_formdata(formdata, keep=frozenset()):
    """The submitted values with surrounding spaces removed (fields named in `keep`, passwords, as sent)."""
    if formdata is None or not hasattr(formdata, "lists"):
        return formdata
    return MultiDict([(key, value if key in keep or not isinstance(value, str) else value.strip())
                      for key, values in formdata.lists() for value in values])


def guard_text(field) -> None:
    """Put the control-character check first on a text field, and a length limit if it has none."""
    if not isinstance(field, StringField) or isinstance(field, PasswordField):
        return
    multi_line = isinstance(field, TextAreaField)
    extra = [] if any(isinstance(v, Length) for v in field.validators) else [
        Length(max=TEXT_MAX if multi_line else LINE_MAX,
               message=f"{field_what(field)} must be {TEXT_MAX if multi_line else LINE_MAX:,} characters or fewer")]
    field.validators = [PlainText(multi_line=multi_line), *field.validators, *extra]


def field_what(field) -> str:
    """How a message names the field: its label without '(optional)' or other brackets; 'Your answer' for a question."""
    what = re.sub(r"\s*\(.*\)\s*$", "", str(field.label.text)).strip()
    return "Your answer" if not what or what.endswith("?") else what


class PlainText:
    """Text that can be stored and e-mailed: no control characters (NUL and the like), and on one line unless
    multi_line (text areas keep line breaks and tabs). Stops the field's other checks when it fails."""

    def __init__(self, multi_line: bool = False):
        self.multi_line = multi_line

    def __call__(self, form, field):
        value = field.data if isinstance(field.data, str) else ""
        problem = text_problem(value, self.multi_line)
        if problem:
            raise StopValidation(f"{field_what(field)} {problem}")


def text_problem(value: str, multi_line: bool = False) -> str | None:
    """What is wrong with `value` as text to store ('must be on one line'), or None."""
    for char in value:
        if multi_line and char in MULTI_LINE_ALLOWED:
            continue
        if char in LINE_BREAKS and not multi_line:
            return "must be on one line"
        if char in LINE_BREAKS or unicodedata.category(char) == "Cc":
            return "must not include hidden control characters (type it again rather than pasting it)"
    return None


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
    """A date typed as day, month and year, with GOV.UK's specific error messages, in years from 1900 to 2100
    unless `years` says otherwise, so no service or query meets a date it cannot add a day to. The form's own
    checks see the date first (validators that do date arithmetic must cope with any year up to 9999)."""

    widget = DateInputWidget()

    def __init__(self, label=None, validators=None, what: str = "The date", years: tuple[int, int] = (1900, 2100),
                 **kwargs):
        super().__init__(label, validators, format="%d %m %Y", **kwargs)
        self.what, self.years = what, years

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        self.data = self._parse(valuelist)

    def post_validate(self, form, validation_stopped):
        """After the form's own checks (whose messages, like 'must be in the past', say more), the year range."""
        if self.data is not None and not self.errors:
            earliest, latest = self.years
            if self.data.year < earliest:
                self.errors.append(f"{self.what} must be in {earliest} or later")
            elif self.data.year > latest:
                self.errors.append(f"{self.what} must be in {latest} or earlier")

    def _parse(self, valuelist) -> date | None:
        parts = [v.strip() for v in valuelist[:3]] if len(valuelist) >= 3 else [" ".join(valuelist).strip(), "", ""]
        if len(valuelist) == 1:  # an ISO date from a query string or test
            if not parts[0]:
                return None
            try:
                return datetime.strptime(parts[0], "%Y-%m-%d").date()
            except ValueError:
                raise ValueError(f"{self.what} must be a real date") from None
        if not any(parts):
            return None
        missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part]
        if missing:
            raise ValueError(f"{self.what} must include a {' and '.join(missing)}")
        if len(parts[2]) != 4:
            raise ValueError("Year must include 4 numbers")
        if not all(p.isascii() and p.isdigit() and len(p) <= 4 for p in parts):
            raise ValueError(f"{self.what} must be a real date")
        try:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise ValueError(f"{self.what} must be a real date") from None


class UniqueName:
    """A name no other row of `column`'s table has, compared in Python after Unicode case folding
    ('Ärztehaus' and 'ÄRZTEHAUS' clash; SQLite's lower() folds ASCII only). The form's `existing`
    row, if any, may keep its own name. For short lists (areas, venues): every name is read."""

    def __init__(self, column, message: str):
        self.column, self.message = column, message

    def __call__(self, form, field):
        from sqlalchemy import select

        from app.extensions import db

        if not field.data:
            return
        existing = getattr(form, "existing", None)
        table = self.column.class_
        wanted = name_key(field.data)
        for row_id, name in db.session.execute(select(table.id, self.column)):
            if name_key(name) == wanted and (existing is None or row_id != existing.id):
                raise ValidationError(self.message)


def name_key(name: str) -> str:
    """A name as compared for uniqueness: Unicode-normalised, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())
