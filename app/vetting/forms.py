"""Vetting forms. Context (today's date, the record) goes in as keywords; every message says what to fix."""
from dataclasses import replace
from datetime import date

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.forms import GovDateField, GovForm, submit
from app.timefmt import format_date, today_london
from app.vetting import rules, rules_identity, rules_update_service
from app.vetting.enums import (
    ChangeKind,
    DbsLevel,
    DbsOutcome,
    Decision,
    IdDocument,
    IdRoute,
    JoinRoute,
    NppvLevel,
    NppvOutcome,
    ReviewOutcome,
    StatusOutcome,
    Workforce,
)


def _choices(enum_cls, only=None):
    return [(m.value, m.label) for m in enum_cls if only is None or m in only]


class VettingForm(GovForm):
    """A form that knows today's date, so no date can be in the future."""

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or today_london()

    def check_date(self, field, what: str, earliest: date | None = None, earliest_what: str = "") -> None:
        if field.data is None:
            return
        if field.data > self.today:
            raise ValidationError(f"{what} must be today or in the past")
        if earliest is not None and field.data < earliest:
            raise ValidationError(f"{what} must be on or after {earliest_what} ({format_date(earliest)})")


class DbsRequestForm(VettingForm):
    level = RadioField("Level of check", widget=GovRadioInput(), choices=_choices(DbsLevel),
                       validators=[InputRequired("Select the level of check")])
    workforce = RadioField("Workforce", widget=GovRadioInput(), choices=_choices(Workforce),
                           validators=[InputRequired("Select the workforce the check is for")])
    volunteer_check = RadioField("Is this a free volunteer check?", widget=GovRadioInput(),
                                 choices=[("yes", "Yes"), ("no", "No")],
                                 validators=[InputRequired("Select yes if this is a free volunteer check")])
    requested_on = GovDateField("Date requested", what="Date requested",
                                validators=[InputRequired("Enter the date the check was requested")])
    submit = submit("Save DBS check")

    def __init__(self, *args, policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy
        # Never offer a level above what the role is eligible for, nor another workforce.
        self.level.choices = _choices(DbsLevel, [lvl for lvl in DbsLevel if lvl.rank <= policy.dbs_level.rank])
        self.workforce.choices = _choices(Workforce, [policy.dbs_workforce])

    def validate_level(self, field):
        if field.data not in {level.value for level in DbsLevel}:
            return  # not a choice: the field's own check has said so
        problems = rules_update_service.request_problems(DbsLevel(field.data), self.policy.dbs_workforce, self.policy)
        if problems:
            raise ValidationError(problems[0])

    def validate_requested_on(self, field):
        self.check_date(field, "Date requested")


class DbsSubmittedForm(VettingForm):
    submitted_on = GovDateField("Date submitted to the DBS", what="Date submitted",
                                validators=[InputRequired("Enter the date the application was submitted")])
    submit = submit("Save date submitted")

    def __init__(self, *args, check, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = check

    def validate_submitted_on(self, field):
        self.check_date(field, "Date submitted", self.record.requested_on, "the date requested")


class DbsResultForm(VettingForm):
    certificate_number = StringField(
        "Certificate number", widget=GovTextInput(), description="12 digits, printed at the top of the certificate",
        validators=[InputRequired("Enter the certificate number")])
    issued_on = GovDateField("Date of issue", what="Date of issue",
                             validators=[InputRequired("Enter the date of issue shown on the certificate")])
    outcome = RadioField("What does the certificate show?", widget=GovRadioInput(), choices=_choices(DbsOutcome),
                         validators=[InputRequired("Select whether the certificate is clear or shows information")])
    submit = submit("Save certificate")

    def __init__(self, *args, check, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = check

    def validate_certificate_number(self, field):
        if rules.normalise_certificate_number(field.data) is None:
            raise ValidationError("Certificate number must be 12 digits, like 001234567890")

    def validate_issued_on(self, field):
        self.check_date(field, "Date of issue", self.record.submitted_on, "the date submitted")


class DecisionForm(VettingForm):
    decision = RadioField("Decision", widget=GovRadioInput(), choices=_choices(Decision),
                          validators=[InputRequired("Select approve or decline")])
    rationale = TextAreaField(
        "Reasons for the decision", widget=GovCharacterCount(),
        description="Explain the risk assessment in a few sentences. Do not copy what the certificate says.",
        validators=[InputRequired("Enter the reasons for the decision"),
                    Length(max=2000, message="Reasons must be 2000 characters or fewer")])
    submit = submit("Save decision")

    conditions = SelectMultipleField(
        "Conditions on an approval (optional)", widget=GovCheckboxesInput(), validators=[Optional()],
        description="Choose any that apply. Coordinators see them when pairing; they are kept after the reasons "
                    "are deleted, so they say nothing about what was disclosed.")

    def __init__(self, *args, policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.rationale.description += f" This note is deleted {policy.note_retention_months} months after the decision."
        self.conditions.choices = list(policy.conditions)
        if not policy.conditions:
            del self.conditions

    def validate_conditions(self, field):
        if field.data and self.decision.data != Decision.APPROVED.value:
            raise ValidationError("Conditions can only go with an approval: clear them, or choose approve")


class UpdateServiceForm(VettingForm):
    join_route = RadioField("How did they join the Update Service?", widget=GovRadioInput(),
                            choices=_choices(JoinRoute), validators=[Optional()])
    subscribed_on = GovDateField("Date they joined the Update Service", what="Date joined", validators=[Optional()],
                                 description="Leave blank if they have not joined")
    renews_on = GovDateField("Date the subscription is next due to renew", what="Renewal date",
                             validators=[Optional()],
                             description="Subscriptions renew every year. Leave blank for a year after joining; "
                                         "change it when they renew.")
    consent_on = GovDateField("Date they agreed to status checks", what="Date of consent", validators=[Optional()],
                              description="Leave blank until they have agreed")
    consent_withdrawn_on = GovDateField("Date they withdrew consent to status checks", what="Date consent was withdrawn",
                                        validators=[Optional()], description="No status check may be made after it")
    original_seen_on = GovDateField("Date you saw the original certificate in person", what="Date seen",
                                    validators=[Optional()], description="You will be recorded as the person who saw it")
    submit = submit("Save Update Service details")

    def __init__(self, *args, check, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = check

    def validate(self, extra_validators=None):
        """Field by field first; then the Update Service rules on the details as typed, by the field they concern."""
        if not super().validate(extra_validators):
            return False
        typed = {name: getattr(self, name).data or None for name in
                 ("join_route", "subscribed_on", "renews_on", "consent_on", "consent_withdrawn_on", "original_seen_on")}
        typed["join_route"] = JoinRoute(typed["join_route"]) if typed["join_route"] else None
        facts = self.record.facts()
        problems = rules_update_service.update_service_problems(replace(facts, **typed))
        for name, message in problems.items():
            getattr(self, name).errors = [*getattr(self, name).errors, message]
        return not problems

    def validate_subscribed_on(self, field):
        self.check_date(field, "Date joined")

    def validate_consent_on(self, field):
        self.check_date(field, "Date of consent")

    def validate_consent_withdrawn_on(self, field):
        self.check_date(field, "Date consent was withdrawn")

    def validate_original_seen_on(self, field):
        self.check_date(field, "Date seen")


class StatusCheckForm(VettingForm):
    checked_on = GovDateField("Date of the status check", what="Date of the status check",
                              validators=[InputRequired("Enter the date of the status check")])
    outcome = RadioField("Result", widget=GovRadioInput(), choices=_choices(StatusOutcome),
                         validators=[InputRequired("Select the result of the status check")])
    name_matches = RadioField("Does the name on the certificate match the identity check?", widget=GovRadioInput(),
                              choices=[("yes", "Yes"), ("no", "No")],
                              validators=[InputRequired("Select yes if the name matches the identity check")])
    submit = submit("Save status check")

    def __init__(self, *args, check, policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.record, self.policy = check, policy

    def validate_checked_on(self, field):
        self.check_date(field, "Date of the status check", self.record.issued_on, "the date of issue")
        problems = rules_update_service.status_check_problems(self.record.facts(), self.policy, field.data)
        if problems:
            raise ValidationError(problems[0])

    def validate_name_matches(self, field):
        if field.data == "no":
            raise ValidationError("Do not make a status check when the name does not match: talk to the volunteer "
                                  "and check their identity again")


class IdentityCheckForm(VettingForm):
    route = RadioField("Route", widget=GovRadioInput(), choices=_choices(IdRoute),
                       description="By the documents seen, as the DBS ID checking guidelines set out",
                       validators=[InputRequired("Select the route")])
    documents = SelectMultipleField("Documents examined (originals only)", widget=GovCheckboxesInput(),
                                    choices=_choices(IdDocument),
                                    description="Choose each type you examined: group 1 first, then 2a, then 2b. "
                                                "Do not copy or scan them.",
                                    validators=[InputRequired("Choose the documents you examined")])
    names_confirmed = RadioField("Have you confirmed every name they have used?", widget=GovRadioInput(),
                                 choices=[("yes", "Yes"), ("no", "No")],
                                 validators=[InputRequired("Select yes if every name has been confirmed")])
    addresses_confirmed = RadioField("Have you confirmed every address of the last five years?",
                                     widget=GovRadioInput(), choices=[("yes", "Yes"), ("no", "No")],
                                     validators=[InputRequired("Select yes if five years of addresses are confirmed")])
    checked_on = GovDateField("Date you examined the originals", what="Date examined",
                              description="You will be recorded as the person who examined them",
                              validators=[InputRequired("Enter the date you examined the originals")])
    submit = submit("Save identity check")

    def validate_documents(self, field):
        offered = {d.value for d in IdDocument}
        if self.route.data not in {r.value for r in IdRoute} or not set(field.data or []) <= offered:
            return  # not a choice: the field's own check has said so
        problems = rules_identity.identity_problems(IdRoute(self.route.data), field.data, True, True)
        if problems:
            raise ValidationError(problems[0])

    def validate_names_confirmed(self, field):
        if field.data == "no":
            raise ValidationError("Confirm every name they have used before recording the check")

    def validate_addresses_confirmed(self, field):
        if field.data == "no":
            raise ValidationError("Confirm every address of the last five years before recording the check")

    def validate_checked_on(self, field):
        self.check_date(field, "Date examined")


class SelfDeclarationForm(GovForm):
    has_something = RadioField(
        "Do you have anything to declare?", widget=GovRadioInput(), choices=[("yes", "Yes"), ("no", "No")],
        validators=[InputRequired("Select yes if you have anything to declare")])
    details = TextAreaField(
        "What are you declaring?", widget=GovCharacterCount(),
        description="What it was for, and when. A few words is fine: we will talk to you about it.",
        validators=[Length(max=2000, message="Your answer must be 2000 characters or fewer")])
    submit = submit("Send my declaration")

    def validate_details(self, field):
        if self.has_something.data == "yes" and not field.data:
            raise ValidationError("Tell us what you are declaring, or choose no")


class ConfirmForm(GovForm):
    submit = submit("Confirm this approval")


class PoliceVettingForm(VettingForm):
    level = RadioField("Level", widget=GovRadioInput(), choices=_choices(NppvLevel),
                       validators=[InputRequired("Select the level of police vetting")])
    force_reference = StringField("Force reference", widget=GovTextInput(),
                                  validators=[InputRequired("Enter the force's reference"),
                                              Length(max=40, message="Force reference must be 40 characters or fewer")])
    submitted_on = GovDateField("Date submitted to the force", what="Date submitted",
                                validators=[InputRequired("Enter the date the form was submitted")])
    submit = submit("Save police vetting")

    def validate_submitted_on(self, field):
        self.check_date(field, "Date submitted")


class PoliceOutcomeForm(VettingForm):
    outcome = RadioField("Result", widget=GovRadioInput(), validators=[InputRequired("Select the result")])
    outcome_on = GovDateField("Date", what="Date", description="The date granted, refused or withdrawn",
                              validators=[InputRequired("Enter the date of the result")])
    expires_on = GovDateField("Expiry date on the clearance letter", what="Expiry date", validators=[Optional()],
                              description="Only when granted. Leave blank to use the force's usual period for "
                                          "this level")
    submit = submit("Save result")

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        self.outcome.choices = _choices(NppvOutcome, record.next_outcomes)

    def validate_outcome_on(self, field):
        earliest, what = ((self.record.granted_on, "the date granted") if self.record.granted_on
                          else (self.record.submitted_on, "the date submitted"))
        self.check_date(field, "Date", earliest, what)

    def validate_expires_on(self, field):
        if field.data is None:
            return
        if self.outcome.data != NppvOutcome.GRANTED.value:
            raise ValidationError("Leave the expiry date blank unless the clearance was granted")
        if self.outcome_on.data and field.data <= self.outcome_on.data:
            raise ValidationError("Expiry date must be after the date granted")
        if field.data.year > self.today.year + 20:
            raise ValidationError("Expiry date must be within 20 years")


class NppvChangeForm(VettingForm):
    kind = RadioField("What has changed?", widget=GovRadioInput(), choices=_choices(ChangeKind),
                      description="Record only the kind of change, never the details",
                      validators=[InputRequired("Select what has changed")])
    reported_on = GovDateField("Date the volunteer reported it", what="Date reported",
                               validators=[InputRequired("Enter the date the change was reported")])
    submit = submit("Save change of circumstances")

    def __init__(self, *args, record, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record

    def validate_reported_on(self, field):
        self.check_date(field, "Date reported", self.record.granted_on, "the date granted")


class NppvReviewForm(VettingForm):
    outcome = RadioField("The force's review", widget=GovRadioInput(), choices=_choices(ReviewOutcome),
                         validators=[InputRequired("Select the result of the force's review")])
    reviewed_on = GovDateField("Date of the force's answer", what="Date of the answer",
                               validators=[InputRequired("Enter the date of the force's answer")])
    submit = submit("Save review")

    def __init__(self, *args, change, **kwargs):
        super().__init__(*args, **kwargs)
        self.change = change

    def validate_reviewed_on(self, field):
        self.check_date(field, "Date of the answer", self.change.reported_on, "the date reported")


class WorkListFilterForm(GovForm):
    class Meta:
        csrf = False

    show = SelectField("Show", widget=GovSelect(), validators=[Optional()])
    area = SelectField("Area", widget=GovSelect(), validators=[Optional()])
    submit = submit("Filter")
