"""Expenses forms: journeys, costs with receipts, saved journeys, the driver's confirmation, decisions, payment."""
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.expenses import rules
from app.expenses.models import LineKind
from app.forms import GovDateField, GovForm, submit

MAX_MILES = Decimal("1000")
MAX_PENCE = 100_000  # £1,000: anything more is not a volunteer's out-of-pocket cost; ask the coordinator
VEHICLES = [(v.value, v.label) for v in rules.Vehicle]


class MilesField(StringField):
    """Miles to one decimal place, like 12.5, between 0.1 and 1,000 (or the bounds given)."""

    widget = GovTextInput()

    def __init__(self, *args, low: Decimal = Decimal("0.1"), high: Decimal = MAX_MILES, **kwargs):
        super().__init__(*args, **kwargs)
        self.low, self.high = low, high

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.miles = None
        text = (self.data or "").strip().replace(",", "")
        if not text:
            return
        try:
            miles = Decimal(text)
        except InvalidOperation:
            raise ValueError("Miles must be a number, like 12.5") from None
        if not miles.is_finite() or miles.as_tuple().exponent < -1:
            raise ValueError("Miles must be a number with at most one decimal place, like 12.5")
        if not self.low <= miles <= self.high:
            raise ValueError(f"Miles must be between {self.low:,} and {self.high:,}")
        self.miles = miles


class PoundsField(StringField):
    """An amount of money in pounds and pence, like 3.50."""

    widget = GovTextInput()

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.pence = None
        if not (self.data or "").strip():
            return
        pence = rules.parse_pounds(self.data)
        if pence is None:
            raise ValueError("Enter the amount in pounds and pence, like 3.50")
        if not 1 <= pence <= MAX_PENCE:
            raise ValueError("The amount must be between £0.01 and £1,000")
        self.pence = pence


def _not_future_nor_too_old(form, field):
    if field.data is None:
        return
    if field.data > form.today:
        raise ValidationError("The date must be today or in the past")
    earliest = rules.tax_year_bounds(rules.tax_year_of(form.today) - 1)[0]
    if field.data < earliest:
        raise ValidationError(f"The date must be on or after {earliest:%-d %B %Y}: ask your coordinator about older costs")


class PlaceField(StringField):
    widget = GovTextInput()

    def __init__(self, label, what, **kwargs):
        super().__init__(label, description="A place or a postcode, like Durham or DH1 3LE", validators=[
            InputRequired(f"Enter where you travelled {what}"),
            Length(max=120, message="Enter 120 characters or fewer")], **kwargs)


class JourneyForm(GovForm):
    """One mileage journey."""

    spent_on = GovDateField("Date of the journey", what="The date", description="For example, 27 3 2026",
                            validators=[InputRequired("Enter the date of the journey"), _not_future_nor_too_old])
    from_place = PlaceField("From", "from")
    to_place = PlaceField("To", "to")
    miles = MilesField("Miles", description="Business miles, to one decimal place, like 12.5",
                       validators=[InputRequired("Enter the miles")])
    vehicle = RadioField("How did you travel?", widget=GovRadioInput(), choices=VEHICLES,
                         validators=[InputRequired("Choose how you travelled")])
    passengers = SelectMultipleField("Fellow volunteers you drove (optional)", widget=GovCheckboxesInput(), coerce=int,
                                     description="Only for a car or van, on this same trip")
    session = SelectField("Training session (optional)", widget=GovSelect(), coerce=int, default=0,
                          description="If the journey was to a session you attended or taught")
    stream = RadioField("What was the journey for?", widget=GovRadioInput(),
                        validators=[InputRequired("Choose what the journey was for")])
    description = StringField("Anything the approver should know (optional)", widget=GovTextInput(),
                              validators=[Optional(), Length(max=200, message="Enter 200 characters or fewer")])
    save_as = StringField("Save it as a regular journey (optional)", widget=GovTextInput(),
                          description="A name, like Home to Durham Community Centre",
                          validators=[Optional(), Length(max=80, message="Enter 80 characters or fewer")])
    submit = submit("Add journey")

    def __init__(self, *args, today: date, passengers=(), sessions=(), streams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.passengers.choices = [(p.id, p.display_name) for p in passengers]
        self.session.choices = [(0, "Not for a training session")] + [
            (s.id, f"{s.course.title}, {s.starts_at:%-d %b %Y}") for s in sessions]
        self.stream.choices = [(s.key, s.label) for s in streams]

    def validate_passengers(self, field):
        if field.data and self.vehicle.data not in ("car", "van"):
            raise ValidationError("Passengers can only be claimed for in a car or van")


class CostForm(GovForm):
    """A public transport, parking or other out-of-pocket cost, with its receipt."""

    kind = RadioField("What was it?", widget=GovRadioInput(), choices=[
        (LineKind.PUBLIC_TRANSPORT.value, "Public transport (bus, train, Metro)"), (LineKind.PARKING.value, "Parking"),
        (LineKind.OTHER.value, "Something else")], validators=[InputRequired("Choose what the cost was")])
    spent_on = GovDateField("Date", what="The date", description="For example, 27 3 2026",
                            validators=[InputRequired("Enter the date"), _not_future_nor_too_old])
    description = StringField("What it was for", widget=GovTextInput(), description="Like: parking at Durham Community Centre",
                              validators=[InputRequired("Say what the cost was for"),
                                          Length(max=200, message="Enter 200 characters or fewer")])
    amount = PoundsField("Amount on the receipt", description="In pounds, like 3.50. We pay what the receipt shows, no more.",
                         validators=[InputRequired("Enter the amount on the receipt")])
    stream = RadioField("What was it for?", widget=GovRadioInput(),
                        validators=[InputRequired("Choose what the cost was for")])
    receipt = FileField("Receipt", widget=GovFileInput(),
                        description="A photo (JPG, PNG or HEIC) or a PDF. Location data is removed from photos.")
    submit = submit("Add cost")

    def __init__(self, *args, today: date, streams=(), max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.today, self.max_bytes, self.receipt_data = today, max_bytes, b""
        self.stream.choices = [(s.key, s.label) for s in streams]

    def validate_receipt(self, field):
        upload = field.data
        if upload is None or not getattr(upload, "filename", None):
            raise ValidationError("Choose a photo or PDF of the receipt")
        data = upload.stream.read(self.max_bytes + 1)
        problem = rules.receipt_problem(data[:8192], len(data), self.max_bytes)
        if problem:
            raise ValidationError(problem)
        self.receipt_data = data


class SavedJourneyForm(GovForm):
    name = StringField("Name", widget=GovTextInput(), description="Like: Home to Durham Community Centre",
                       validators=[InputRequired("Enter a name for the journey"),
                                   Length(max=80, message="Enter 80 characters or fewer")])
    from_place = PlaceField("From", "from")
    to_place = PlaceField("To", "to")
    miles = MilesField("Miles", description="One way, to one decimal place, like 12.5",
                       validators=[InputRequired("Enter the miles")])
    vehicle = RadioField("How do you travel?", widget=GovRadioInput(), choices=VEHICLES,
                         validators=[InputRequired("Choose how you travel")])
    submit = submit("Save journey")


class DriverForm(GovForm):
    licence = BooleanField("My driving licence is valid for the vehicle I use", widget=GovCheckboxInput(),
                           validators=[InputRequired("Confirm your driving licence is valid")])
    insurance = BooleanField("My insurer knows I drive as a volunteer (business use is not needed for volunteering, "
                             "but the insurer must be told)", widget=GovCheckboxInput(),
                             validators=[InputRequired("Confirm your insurer knows you drive as a volunteer")])
    other_miles = MilesField("Car or van miles you have driven for other organisations this tax year (optional)",
                             description="They count toward the 10,000 miles paid at the higher rate",
                             low=Decimal(0), high=Decimal(100_000))
    submit = submit("Confirm")


class DecisionForm(GovForm):
    decision = RadioField("Decision", widget=GovRadioInput(), choices=[
        ("approve", "Approve"), ("query", "Send back to the volunteer with a question"), ("reject", "Reject")],
        validators=[InputRequired("Choose a decision")])
    comment = TextAreaField("Comment for the volunteer", widget=GovTextArea(),
                            description="Needed when you send it back or reject it",
                            validators=[Length(max=1000, message="Enter 1000 characters or fewer")])
    submit = submit("Record decision")

    def validate_comment(self, field):
        if self.decision.data in ("query", "reject") and not (field.data or "").strip():
            raise ValidationError("Say what the volunteer needs to know")


class PaidForm(GovForm):
    paid_on = GovDateField("Date paid", what="The date paid", description="For example, 27 3 2026",
                           validators=[InputRequired("Enter the date the batch was paid")])
    reference = StringField("Payment reference", widget=GovTextInput(), description="From the bank or finance system",
                            validators=[InputRequired("Enter the payment reference"),
                                        Length(max=60, message="Enter 60 characters or fewer")])
    submit = submit("Mark as paid")

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def validate_paid_on(self, field):
        if field.data and not date(self.today.year - 1, 1, 1) <= field.data <= self.today:
            raise ValidationError("The date paid must be today or in the past year")


