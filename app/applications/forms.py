"""Forms for the application steps, the coordinator's actions and the referee's reference."""
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.applications.rules import Status, age_on, normalise_phone, normalise_postcode, policy
from app.forms import EmailAddress, GovDateField, GovForm, submit
from app.timefmt import today_london


def choices(kind: str):
    """Choices from the policy, read as each form is made, so an edited policy file needs no restart."""
    return lambda: [(c.value, c.label) for c in getattr(policy(), kind)]


def referee_relationships():
    """How a referee may know the applicant: the relationships a referee cannot have are not offered at all."""
    return [(c.value, c.label) for c in policy().relationship if not c.family]


def text(label, required: str | None, max_len: int, what: str, **kwargs) -> StringField:
    checks = [InputRequired(required)] if required else [Optional()]
    checks.append(Length(max=max_len, message=f"{what} must be {max_len} characters or fewer"))
    return StringField(label, widget=GovTextInput(), validators=checks, **kwargs)


def long_text(label, required: str | None, max_len: int, what: str, **kwargs) -> TextAreaField:
    checks = [InputRequired(required)] if required else [Optional()]
    checks.append(Length(max=max_len, message=f"{what} must be {max_len} characters or fewer"))
    return TextAreaField(label, widget=GovCharacterCount(), validators=checks, **kwargs)


class PhoneNumber:
    """A UK phone number, stored as digits."""

    def __init__(self, message="Enter a UK phone number, like 07700 900 982 or 01325 123 456"):
        self.message = message

    def __call__(self, form, field):
        if field.data and normalise_phone(field.data) is None:
            raise ValidationError(self.message)


class TidyWhenValid:
    """Store phone numbers and postcodes in one format, but only once the whole form is valid,
    so a page shown again with errors keeps exactly what the person typed."""

    phone_fields: tuple[str, ...] = ()
    postcode_fields: tuple[str, ...] = ()

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        for name in self.phone_fields:
            self[name].data = normalise_phone(self[name].data)
        for name in self.postcode_fields:
            self[name].data = normalise_postcode(self[name].data)
        return True


def email(label: str, required: str) -> StringField:
    return StringField(label, widget=GovTextInput(), validators=[
        InputRequired(required), Length(max=254, message="E-mail address must be 254 characters or fewer"),
        EmailAddress()], render_kw={"type": "email", "spellcheck": "false", "autocomplete": "off"})


def phone(label: str, required: str, **render) -> StringField:
    return StringField(label, widget=GovTextInput(), validators=[InputRequired(required), PhoneNumber()],
                       render_kw={"type": "tel", **render})


class AboutYouForm(TidyWhenValid, GovForm):
    phone_fields, postcode_fields = ("phone",), ("postcode",)

    full_name = text("Full name", "Enter your full name", 200, "Full name", render_kw={"autocomplete": "name", "spellcheck": "false"})
    preferred_name = text("Preferred name (optional)", None, 100, "Preferred name",
                          description="What you would like us to call you, if different.")
    date_of_birth = GovDateField("Date of birth", what="Date of birth", description="For example, 27 3 1985",
                                 validators=[InputRequired("Enter your date of birth")])
    phone = phone("Phone number", "Enter your phone number, like 07700 900 982", autocomplete="tel")
    email = email("E-mail address", "Enter your e-mail address")
    address = TextAreaField("Postal address", widget=GovTextArea(), validators=[
        InputRequired("Enter your postal address"), Length(max=500, message="Postal address must be 500 characters or fewer")],
        render_kw={"autocomplete": "street-address", "rows": 3})
    postcode = StringField("Postcode", widget=GovTextInput(), validators=[InputRequired("Enter your postcode")],
                           render_kw={"autocomplete": "postal-code", "spellcheck": "false"})
    submit = submit("Save and continue")

    def validate_date_of_birth(self, field):
        if field.data is None or field.errors:
            return
        today = today_london()
        if field.data >= today:
            raise ValidationError("Date of birth must be in the past")
        if age_on(field.data, today) > 120:
            raise ValidationError("Date of birth must be a real date, like 27 3 1985")
        if age_on(field.data, today) < policy().minimum_age:
            raise ValidationError(f"You must be {policy().minimum_age} or over to be a peer mentor")

    def validate_postcode(self, field):
        if normalise_postcode(field.data) is None:
            raise ValidationError("Enter a real UK postcode, like DH1 3LE")


class WhereWhenForm(GovForm):
    areas = SelectMultipleField("Where would you like to volunteer?", widget=GovCheckboxesInput(), coerce=int,
                                description="Choose all the areas that suit you.",
                                validators=[InputRequired("Choose at least one area where you would like to volunteer")])
    availability = SelectMultipleField("When are you usually free?", widget=GovCheckboxesInput(),
                                       choices=choices("availability"), description="Choose all that apply.",
                                       validators=[InputRequired("Choose when you are usually free")])
    availability_note = text("Anything else about when you are free (optional)", None, 500, "This note")
    submit = submit("Save and continue")


class ExperienceForm(GovForm):
    motivation = long_text("Why would you like to be a peer mentor?", "Tell us why you would like to be a peer mentor",
                           2000, "Your answer", description="A few sentences is fine. There are no wrong answers.")
    lived_experience = SelectMultipleField("Do you have lived experience of any of these? (optional)",
                                           widget=GovCheckboxesInput(), choices=choices("lived_experience"),
                                           validators=[Optional()])
    submit = submit("Save and continue")


class RefereesForm(TidyWhenValid, GovForm):
    """Two referees: not family, not the applicant, not the same person twice."""

    phone_fields = ("one_phone", "two_phone")

    one_name = text("Full name", "Enter the first referee's full name", 200, "Name")
    one_relationship = RadioField("How do they know you?", widget=GovRadioInput(), choices=referee_relationships, validate_choice=False,
                                  validators=[InputRequired("Choose how the first referee knows you")])
    one_email = email("E-mail address", "Enter the first referee's e-mail address")
    one_phone = phone("Phone number", "Enter the first referee's phone number, like 07700 900 982")
    two_name = text("Full name", "Enter the second referee's full name", 200, "Name")
    two_relationship = RadioField("How do they know you?", widget=GovRadioInput(), choices=referee_relationships, validate_choice=False,
                                  validators=[InputRequired("Choose how the second referee knows you")])
    two_email = email("E-mail address", "Enter the second referee's e-mail address")
    two_phone = phone("Phone number", "Enter the second referee's phone number, like 07700 900 982")
    submit = submit("Save and continue")

    def __init__(self, *args, applicant_names=(), applicant_emails=(), applicant_phones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.applicant_names = {n.casefold() for n in applicant_names if n}
        self.applicant_emails = {e.lower() for e in applicant_emails if e}
        self.applicant_phones = {normalise_phone(p) for p in applicant_phones if p} - {None}

    def _not_family(self, field):
        if field.data and field.data not in {c.value for c in policy().relationship}:
            raise ValidationError("Choose how they know you from the list")
        if field.data and any(c.family for c in policy().relationship if c.value == field.data):
            raise ValidationError("A referee cannot be a family member or partner. Choose someone who knows you "
                                  "another way, like a friend, employer or support worker")

    validate_one_relationship = _not_family
    validate_two_relationship = _not_family

    def _not_applicant(self, field, which: str):
        if field.data and field.data.lower() in self.applicant_emails:
            raise ValidationError(f"The {which} referee's e-mail address must not be your own")

    def validate_one_email(self, field):
        self._not_applicant(field, "first")

    def validate_two_email(self, field):
        self._not_applicant(field, "second")
        if field.data and field.data.lower() == (self.one_email.data or "").lower():
            raise ValidationError("Your two referees must have different e-mail addresses")

    def _not_self_named(self, field, which: str):
        if field.data and field.data.casefold() in self.applicant_names:
            raise ValidationError(f"The {which} referee must be someone other than you")

    def validate_one_name(self, field):
        self._not_self_named(field, "first")

    def validate_two_name(self, field):
        self._not_self_named(field, "second")
        if field.data and field.data.casefold() == (self.one_name.data or "").casefold():
            raise ValidationError("Your two referees must be different people")

    def _not_own_phone(self, field, which: str):
        if field.data and normalise_phone(field.data) in self.applicant_phones:
            raise ValidationError(f"The {which} referee's phone number must not be your own")

    def validate_one_phone(self, field):
        self._not_own_phone(field, "first")

    def validate_two_phone(self, field):
        self._not_own_phone(field, "second")
        if field.data and normalise_phone(field.data) == normalise_phone(self.one_phone.data):
            raise ValidationError("Your two referees must have different phone numbers")


class ConsentsForm(GovForm):
    consent_data = BooleanField("I agree that the scheme may keep and use the information in this application "
                                "to consider me as a volunteer", widget=GovCheckboxInput(),
                                validators=[DataRequired("Tick to agree to us using your information")])
    consent_checks = BooleanField("I understand that a DBS check and police vetting will be made before I can "
                                  "work with a client", widget=GovCheckboxInput(),
                                  validators=[DataRequired("Tick to show you understand the checks we will make")])
    submit = submit("Save and continue")


class SubmitForm(GovForm):
    submit = submit("Send my application")


class WithdrawForm(GovForm):
    reason = text("Would you like to tell us why? (optional)", None, 500, "Your reason")
    submit = submit("Withdraw my application")


# ------------------------------------------------------------------ coordinators

class WholeDaysField(IntegerField):
    """A whole number of days, with a plain message when it is not one."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Days waiting must be a whole number, like 14") from None


class QueueFilterForm(GovForm):
    class Meta:
        csrf = False

    status = SelectField("Status", widget=GovSelect(), validators=[Optional()],
                         choices=[("", "Any open status"), ("all", "Any status")] +
                         [(s.value, s.label) for s in Status if s != Status.DRAFT])
    area = SelectField("Area", widget=GovSelect(), validators=[Optional()])
    submitted_from = GovDateField("Submitted from", what="The from date", validators=[Optional()])
    submitted_to = GovDateField("Submitted to", what="The to date", validators=[Optional()])
    waiting = WholeDaysField("Waiting at least (days)", widget=GovTextInput(), validators=[
        Optional(), NumberRange(min=0, max=3650, message="Days waiting must be a number from 0 to 3650")],
        render_kw={"inputmode": "numeric"})
    submit = submit("Filter")

    def validate_submitted_to(self, field):
        if field.data and self.submitted_from.data and field.data < self.submitted_from.data:
            raise ValidationError("The to date must be the same as or after the from date")


class ActionForm(GovForm):
    """A step with an optional note for the record (why), kept in the audit log."""

    note = text("Note for the record (optional)", None, 500, "Your note")
    submit = submit("Continue")


class ReferenceOutcomeForm(GovForm):
    satisfactory = RadioField("Is this reference satisfactory?", widget=GovRadioInput(),
                              choices=[("yes", "Yes, satisfactory"), ("no", "No, not satisfactory")],
                              validators=[InputRequired("Choose whether the reference is satisfactory")])
    note = text("Why (optional)", None, 500, "Your note")
    submit = submit("Record")


class BookChatForm(GovForm):
    day = GovDateField("Date of the chat", what="Date of the chat", validators=[InputRequired("Enter the date of the chat")])
    note = text("How and when", "Enter how and when, like 'Phone call at 2pm'", 500, "How and when",
                description="For example: phone call at 2pm, or coffee at the library.")
    submit = submit("Book the chat")

    def validate_day(self, field):
        if field.data and field.data < today_london():
            raise ValidationError("Date of the chat must be today or in the future")


class RecordChatForm(GovForm):
    held_on = GovDateField("Date the chat was held", what="Date the chat was held",
                           validators=[InputRequired("Enter the date the chat was held")])
    outcome = RadioField("How did it go?", widget=GovRadioInput(), choices=choices("chat_outcome"),
                         validators=[InputRequired("Choose how the chat went")])
    notes = long_text("Notes", "Enter a few notes about the chat", 2000, "Notes")
    submit = submit("Record the chat")

    def validate_held_on(self, field):
        if field.data and field.data > today_london():
            raise ValidationError("Date the chat was held must be today or in the past")


class DeclineForm(GovForm):
    reason = RadioField("Reason", widget=GovRadioInput(), choices=choices("decline_reason"),
                        validators=[InputRequired("Choose a reason")])
    note = long_text("Note for the record", "Enter a note explaining the decision", 2000, "Note",
                     description="The applicant does not see this note; they get a kind e-mail.")
    submit = submit("Decline application")


class AcceptForm(GovForm):
    note = text("Note (optional)", None, 500, "Note")
    submit = submit("Accept as a volunteer")


class ReferenceForm(GovForm):
    """The referee's short reference (no account needed)."""

    known_for = text("How long have you known them?", "Enter how long you have known them", 100, "Your answer",
                     description="For example, 3 years")
    strengths = long_text("What makes them suited to supporting other people?",
                          "Tell us what makes them suited to supporting other people", 2000, "Your answer")
    concerns = long_text("Do you have any concerns about them working with vulnerable adults? (optional)",
                         None, 2000, "Your answer")
    not_family = BooleanField("I am not related to them or their partner", widget=GovCheckboxInput(),
                              validators=[DataRequired("Tick to confirm you are not related to them")])
    submit = submit("Send reference")
