"""Training forms: sessions, venues, registers, walk-ins, knowledge checks and catalogue filters."""
import re
from datetime import UTC, date, datetime, time, timedelta

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import IntegerField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from app.applications.forms import PhoneNumber
from app.forms import EmailAddress, GovDateField, GovForm, UniqueName, submit
from app.timefmt import london_to_utc, to_london, today_london
from app.training.models import Attendance

TIME_PATTERN = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


def parse_time(text: str) -> time | None:
    """'10:00', '14:30', '9am', '2.30pm' -> a time; None if it is not a real time."""
    match = TIME_PATTERN.match((text or "").strip().replace("midday", "12pm").replace("noon", "12pm"))
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def exists_in_london(day: date, at: time) -> bool:
    """False for wall-clock times skipped when the clocks go forward (01:00 to 01:59 on the last Sunday of March)."""
    return to_london(london_to_utc(day, at)).time() == at


class WholeNumberField(IntegerField):
    """A whole number, with a GOV.UK-style message when it is not one."""

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0].strip():
            try:
                self.data = int(valuelist[0].strip())
            except ValueError:
                self.data = None
                raise ValueError(f"{self.label.text} must be a whole number, like 16") from None
        else:
            self.data = None


class SessionForm(GovForm):
    course = SelectField("Course", widget=GovSelect(), coerce=int,
                         validators=[InputRequired("Choose the course")])
    part = SelectField("Part", widget=GovSelect(), coerce=int, default=1,
                       description="Only for a course in several parts, like the two days of recovery coach",
                       choices=[(1, "Part 1, or the whole course")] + [(n, f"Part {n}") for n in range(2, 11)],
                       validators=[Optional()])
    day = GovDateField("Date", what="The session date", description="For example, 27 3 2027",
                       validators=[InputRequired("Enter the session date")])
    start = StringField("Start time", widget=GovTextInput(), description="UK time, for example 10am or 14:30",
                        validators=[InputRequired("Enter the start time, like 10am or 14:30")])
    end = StringField("End time", widget=GovTextInput(), description="UK time, for example 4pm or 16:00",
                      validators=[InputRequired("Enter the end time, like 4pm or 16:00")])
    end_day = GovDateField("Last day (only if it runs over more than one day)", what="The last day",
                           description="Leave empty for a one-day session")
    venue = SelectField("Venue", widget=GovSelect(), coerce=int, description="Choose 'Online' for a remote session")
    online_link = StringField("Online joining link", widget=GovTextInput(),
                              description="For remote sessions, the video call link, starting https://",
                              validators=[Optional(), Length(max=500, message="The link must be 500 characters or fewer")])
    capacity = WholeNumberField("Seats", widget=GovTextInput(), description="Leave empty to use the course's usual number",
                            validators=[Optional(), NumberRange(1, 200, "Seats must be between 1 and 200")])
    trainers = SelectMultipleField("Trainers", widget=GovCheckboxesInput(), coerce=int)
    notes = TextAreaField("Notes for people booked (optional)", widget=GovTextArea(),
                          validators=[Optional(), Length(max=1000, message="Notes must be 1000 characters or fewer")])
    submit = submit("Save session")

    def __init__(self, *args, existing=None, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing, self.today = existing, today or date.today()

    def validate_day(self, field):
        if field.data and field.data < self.today:
            raise ValidationError("The session date must be today or in the future")

    def validate_start(self, field):
        at = parse_time(field.data)
        if at is None:
            raise ValidationError("Enter a real start time, like 10am or 14:30")
        if self.day.data and not exists_in_london(self.day.data, at):
            raise ValidationError("That time does not exist on this date because the clocks go forward an hour")
        if self.day.data == today_london() and at <= to_london(datetime.now(UTC)).time():
            raise ValidationError("That start time has already passed. Choose a later time, or another day")

    def validate_end(self, field):
        at, start = parse_time(field.data), parse_time(self.start.data)
        if at is None:
            raise ValidationError("Enter a real end time, like 4pm or 16:00")
        last = self.end_day.data or self.day.data
        if last and not exists_in_london(last, at):
            raise ValidationError("That time does not exist on this date because the clocks go forward an hour")
        if start is not None and at <= start and (self.end_day.data is None or self.end_day.data == self.day.data):
            raise ValidationError("The end time must be after the start time")

    def validate_end_day(self, field):
        if field.data and self.day.data and not 0 <= (field.data - self.day.data).days <= 14:  # no overflow in 9999
            raise ValidationError("The last day must be on or after the first day, and within 2 weeks of it")

    def validate_online_link(self, field):
        if field.data and not field.data.startswith("https://"):
            raise ValidationError("Enter a joining link that starts with https://")

    def validate_venue(self, field):
        if not field.data and not self.online_link.data:
            raise ValidationError("Choose a venue, or enter an online joining link for a remote session")

    def validate_trainers(self, field):
        if not field.data:
            raise ValidationError("Choose at least one trainer")

    def validate_capacity(self, field):
        booked = self.existing.seats_taken if self.existing is not None else 0
        if field.data is not None and field.data < booked:
            raise ValidationError(f"Seats cannot be fewer than the {booked} people already booked")

    @property
    def starts_at(self) -> datetime:
        return london_to_utc(self.day.data, parse_time(self.start.data))

    @property
    def ends_at(self) -> datetime:
        return london_to_utc(self.end_day.data or self.day.data, parse_time(self.end.data))

    def fill_from(self, session) -> None:
        """Show an existing session's values, in UK time."""
        start, end = to_london(session.starts_at), to_london(session.ends_at)
        self.course.data, self.day.data, self.part.data = session.course_id, start.date(), session.part
        self.start.data, self.end.data = f"{start:%H:%M}", f"{end:%H:%M}"
        self.end_day.data = end.date() if end.date() != start.date() else None
        self.venue.data, self.online_link.data = session.venue_id or 0, session.online_link or ""
        self.capacity.data, self.notes.data = session.capacity, session.notes
        self.trainers.data = [t.id for t in session.trainers]


class ExternalCompletionForm(GovForm):
    """Learning done elsewhere (another organisation's accredited course), recorded from evidence seen."""

    course = SelectField("Course it counts as", widget=GovSelect(), coerce=int,
                         validators=[InputRequired("Choose the course it counts as")])
    provider = StringField("Who ran it", widget=GovTextInput(), description="The organisation, for example Durham County Council",
                           validators=[InputRequired("Enter who ran the course"),
                                       Length(max=200, message="Who ran it must be 200 characters or fewer")])
    completed_on = GovDateField("Date completed", what="The date completed", description="For example, 27 3 2026",
                                validators=[InputRequired("Enter the date completed")])
    evidence = StringField("Evidence you saw", widget=GovTextInput(),
                           description="For example: the original certificate, number 12345. Do not upload a copy.",
                           validators=[InputRequired("Enter the evidence you saw"),
                                       Length(max=300, message="The evidence must be 300 characters or fewer")])
    submit = submit("Record training")

    def validate_completed_on(self, field):
        from app.timefmt import today_london

        if field.data and field.data > today_london():
            raise ValidationError("The date completed must be today or in the past")
        if field.data and field.data.year < 1990:
            raise ValidationError("The date completed must be 1990 or later")


class CancelSessionForm(GovForm):
    reason = TextAreaField("Why is the session cancelled?", widget=GovTextArea(),
                           description="Everyone booked is told, so say it plainly",
                           validators=[InputRequired("Enter why the session is cancelled"),
                                       Length(max=500, message="The reason must be 500 characters or fewer")])
    submit = submit("Cancel session")


class VenueForm(GovForm):
    name = StringField("Venue name", widget=GovTextInput(),
                       validators=[InputRequired("Enter the venue's name"),
                                   Length(max=200, message="The name must be 200 characters or fewer")])
    address = TextAreaField("Address", widget=GovTextArea(), description="Include the postcode",
                            validators=[InputRequired("Enter the venue's address"),
                                        Length(max=500, message="The address must be 500 characters or fewer")])
    area = SelectField("Area", widget=GovSelect(), coerce=int, validators=[InputRequired("Choose the area")])
    access_notes = TextAreaField("Access notes", widget=GovTextArea(),
                                 description="Step-free access, parking, hearing loops, buses",
                                 validators=[Optional(), Length(max=1000, message="Access notes must be 1000 characters or fewer")])
    submit = submit("Save venue")

    def __init__(self, *args, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing

    def validate_name(self, field):
        from app.training.models import Venue

        UniqueName(Venue.name, "There is already a venue with this name")(self, field)



class WalkInForm(GovForm):
    volunteer = SelectField("Volunteer", widget=GovSelect(), coerce=int,
                            validators=[InputRequired("Choose the volunteer who has joined")])
    submit = submit("Add to the register")


class NewcomerForm(GovForm):
    """Someone at the session without an account: enough to make them one and e-mail them an invitation."""

    full_name = StringField("Full name", widget=GovTextInput(), render_kw={"autocomplete": "off", "spellcheck": "false"},
                            validators=[InputRequired("Enter their full name"),
                                        Length(max=200, message="Full name must be 200 characters or fewer")])
    email = StringField("E-mail address", widget=GovTextInput(),
                        description="We e-mail them a link to make their account and see their training record",
                        render_kw={"type": "email", "spellcheck": "false", "autocomplete": "off"},
                        validators=[InputRequired("Enter their e-mail address"),
                                    Length(max=254, message="E-mail address must be 254 characters or fewer"),
                                    EmailAddress()])
    phone = StringField("Phone number (optional)", widget=GovTextInput(), render_kw={"type": "tel", "autocomplete": "off"},
                        description="So a coordinator can call them about volunteering",
                        validators=[Optional(), Length(max=20, message="Phone number must be 20 characters or fewer"),
                                    PhoneNumber()])
    area = SelectField("Area they live in", widget=GovSelect(), coerce=int,
                       description="The coordinators for this area can then see their training record",
                       validators=[InputRequired("Choose the area they live in")])
    submit = submit("Add to the register and invite")

    def validate_area(self, field):
        if not field.data:
            raise ValidationError("Choose the area they live in")


ATTENDANCE_CHOICES = [(a.value, a.label) for a in Attendance if a is not Attendance.UNMARKED]


def register_form(bookings, formdata=None):
    """A form with one present / late / excused / absent choice per person booked."""

    class RegisterForm(GovForm):
        submit = submit("Save register")

    for booking in bookings:
        default = None if booking.attendance is Attendance.UNMARKED else booking.attendance.value
        setattr(RegisterForm, f"b{booking.id}", RadioField(
            booking.user.display_name, widget=GovRadioInput(), choices=ATTENDANCE_CHOICES, default=default,
            validators=[Optional()]))
        setattr(RegisterForm, f"m{booking.id}", IntegerField(
            f"Minutes {booking.user.display_name} missed", widget=GovTextInput(), default=booking.minutes_missed,
            description="Only if late or leaving early: the minutes missed in all",
            validators=[Optional(), NumberRange(min=0, max=24 * 60, message="Minutes missed must be between 0 and 1440")]))

    def validate(self, extra_validators=None):
        ok = GovForm.validate(self, extra_validators)
        for booking, field, minutes in self.rows:
            if field.data in ("late", "left_early") and minutes.data is None and not minutes.errors:
                minutes.errors = [f"Enter how many minutes {booking.user.display_name} missed"]
                ok = False
        return ok

    RegisterForm.validate = validate
    form = RegisterForm(formdata=formdata)
    form.rows = [(booking, form[f"b{booking.id}"], form[f"m{booking.id}"]) for booking in bookings]
    return form


def knowledge_check_form(questions, formdata=None):
    """One radio question per knowledge-check question."""

    class CheckForm(GovForm):
        submit = submit("Submit answers")

    for n, question in enumerate(questions):
        setattr(CheckForm, f"q{n}", RadioField(
            question["question"], widget=GovRadioInput(), coerce=int,
            choices=list(enumerate(question["options"])),
            validators=[InputRequired(f"Answer question {n + 1}")]))
    form = CheckForm(formdata=formdata)
    form.questions = [form[f"q{n}"] for n in range(len(questions))]
    return form


class CatalogueFilterForm(GovForm):
    class Meta:
        csrf = False

    course = SelectField("Course", widget=GovSelect(), validators=[Optional()])
    area = SelectField("Area", widget=GovSelect(), validators=[Optional()])
    month = SelectField("Month", widget=GovSelect(), validators=[Optional()])
    submit = submit("Show sessions")


def month_choices(today: date, months: int = 12) -> list[tuple[str, str]]:
    """('2026-11', 'November 2026') for this month and the next eleven."""
    choices, first = [], today.replace(day=1)
    for _ in range(months):
        choices.append((f"{first:%Y-%m}", f"{first:%B %Y}"))
        first = (first + timedelta(days=32)).replace(day=1)
    return choices


