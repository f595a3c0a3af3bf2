"""Readiness forms: the agreement, the emergency contact, the induction meeting, the list filters."""
import re
from datetime import date

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import BooleanField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.forms import GovDateField, GovForm, submit
from app.timefmt import today_london

PHONE = re.compile(r"\+?[0-9 ()-]{10,20}")


class WholeNumberField(IntegerField):
    """A whole number, with our own words when what was typed is not one."""

    def __init__(self, label=None, validators=None, message: str = "Enter a whole number", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.message) from None


class AgreementForm(GovForm):
    typed_name = StringField("Type your full name to sign", widget=GovTextInput(),
                             validators=[InputRequired("Type your full name to sign the agreement"),
                                         Length(max=200, message="Your name must be 200 characters or fewer")])
    confirm = BooleanField("I have read the volunteer agreement and agree to it", widget=GovCheckboxInput(),
                           validators=[InputRequired("Confirm that you have read the agreement and agree to it")])
    submit = submit("Sign the agreement")

    def validate_typed_name(self, field):
        if len(field.data or "") < 2:
            raise ValidationError("Type your full name to sign the agreement")


class EmergencyContactForm(GovForm):
    name = StringField("Their name", widget=GovTextInput(),
                       validators=[InputRequired("Enter your emergency contact's name"),
                                   Length(max=200, message="The name must be 200 characters or fewer")])
    relationship_kind = StringField("How they know you", widget=GovTextInput(),
                                    description="For example: partner, parent, friend",
                                    validators=[InputRequired("Enter how they know you"),
                                                Length(max=60, message="This must be 60 characters or fewer")])
    phone = StringField("Their phone number", widget=GovTextInput(),
                        validators=[InputRequired("Enter their phone number"),
                                    Length(max=20, message="The phone number must be 20 characters or fewer")])
    submit = submit("Save emergency contact")

    def validate_phone(self, field):
        if not PHONE.fullmatch(field.data or "") or sum(c.isdigit() for c in field.data) < 10:
            raise ValidationError("Enter a phone number, like 01632 960 001 or 07700 900 982")


class InductionForm(GovForm):
    held_on = GovDateField("Date of the induction meeting", what="The date of the meeting",
                           validators=[InputRequired("Enter the date of the induction meeting")])
    supervisor = SelectField("Supervisor", widget=GovSelect(), coerce=str, validate_choice=False,
                             validators=[InputRequired("Choose the volunteer's supervisor")])
    submit = submit("Record induction meeting")

    def __init__(self, *args, supervisors=(), today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or today_london()
        self.supervisor.choices = [("", "Choose a supervisor")] + [(str(u.id), u.display_name) for u in supervisors]

    def validate_held_on(self, field):
        if field.data and field.data > self.today:
            raise ValidationError("The date of the meeting must be today or in the past")
        if field.data and field.data.year < 2000:
            raise ValidationError("The date of the meeting must be after 2000")

    def validate_supervisor(self, field):
        if field.data not in {value for value, _ in self.supervisor.choices if value}:
            raise ValidationError("Choose the volunteer's supervisor")


class ConfirmForm(GovForm):
    """A button that changes a state: the CSRF token is all it carries."""

    submit = submit("Confirm")


STATES = [("", "Any state"), ("passed", "Done"), ("expiring", "Expiring soon"), ("pending", "Not done yet"),
          ("expired", "Expired"), ("failed", "Not passed"), ("ready", "Ready to release"),
          ("released", "Released")]


class ListFilterForm(GovForm):
    class Meta:
        csrf = False  # a GET filter

    area = SelectField("Area", widget=GovSelect(), validators=[Optional()])
    gate = SelectField("Gate", widget=GovSelect(), validators=[Optional()])
    state = SelectField("State", widget=GovSelect(), choices=STATES, validators=[Optional()])
    within = WholeNumberField("Expiring within (days)", widget=GovTextInput(),
                              message="Enter a number of days from 1 to 366, like 30",
                          validators=[Optional(), NumberRange(1, 366, "Enter a number of days from 1 to 366")])
    submit = submit("Filter")


# ---------------------------------------------------------------- clients and pairs

REFERENCE = re.compile(r"[A-Z0-9][A-Z0-9-]{2,19}")


class ClientForm(GovForm):
    reference = StringField("Client reference code", widget=GovTextInput(),
                            description="The referral's reference, like DUR-0042. Never a name.",
                            validators=[InputRequired("Enter the client's reference code"),
                                        Length(max=20, message="The reference must be 20 characters or fewer")])
    area = SelectField("Area", widget=GovSelect(), validators=[InputRequired("Choose the client's area")])
    needs = SelectMultipleField("Support needs", widget=GovCheckboxesInput(), validators=[Optional()])
    submit = submit("Add client")

    def __init__(self, *args, areas=(), needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = [("", "Choose an area")] + [(str(a.id), a.name) for a in areas]
        self.needs.choices = list(needs)

    def validate_reference(self, field):
        field.data = (field.data or "").upper()
        if not REFERENCE.fullmatch(field.data):
            raise ValidationError("Enter a reference of 3 to 20 letters, digits and hyphens, like DUR-0042")


class PairForm(GovForm):
    first = SelectField("First mentor", widget=GovSelect(), validate_choice=False,
                        validators=[InputRequired("Choose the first mentor")])
    second = SelectField("Second mentor", widget=GovSelect(), validate_choice=False,
                         validators=[InputRequired("Choose the second mentor")])
    submit = submit("Pair these mentors")

    def __init__(self, *args, volunteers=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "Choose a mentor")] + [(str(v.id), v.display_name) for v in volunteers]
        self.first.choices = self.second.choices = choices

    def validate_first(self, field):
        if field.data not in {v for v, _ in self.first.choices if v}:
            raise ValidationError("Choose the first mentor from the list")

    def validate_second(self, field):
        if field.data not in {v for v, _ in self.second.choices if v}:
            raise ValidationError("Choose the second mentor from the list")


class KnownForm(GovForm):
    volunteer = SelectField("Volunteer who knows this client", widget=GovSelect(), validate_choice=False,
                            validators=[InputRequired("Choose the volunteer")])
    submit = submit("Record that they know this client")

    def __init__(self, *args, volunteers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.volunteer.choices = [("", "Choose a volunteer")] + [(str(v.id), v.display_name) for v in volunteers]

    def validate_volunteer(self, field):
        if field.data not in {v for v, _ in self.volunteer.choices if v}:
            raise ValidationError("Choose the volunteer from the list")


class EndPairingForm(GovForm):
    reason = SelectField("Why is it ending?", widget=GovSelect(), validators=[InputRequired("Choose why it is ending")])
    submit = submit("End pairing")

    def __init__(self, *args, reasons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = [("", "Choose a reason")] + list(reasons)


class ContactForm(GovForm):
    contact_on = GovDateField("Date of the contact", what="The date of the contact",
                              validators=[InputRequired("Enter the date of the contact")])
    minutes = WholeNumberField("How long, in minutes", widget=GovTextInput(),
                               message="Enter how many minutes, like 45",
                           validators=[InputRequired("Enter how many minutes it took"),
                                       NumberRange(1, 600, "Enter a number of minutes from 1 to 600")])
    kind = RadioField("How", widget=GovRadioInput(),
                      choices=[("phone", "Phone call"), ("text", "Text message"), ("visit", "Visit")],
                      validators=[InputRequired("Choose how you were in touch")])
    submit = submit("Log contact")

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or today_london()

    def validate_contact_on(self, field):
        if field.data and field.data > self.today:
            raise ValidationError("The date of the contact must be today or in the past")
