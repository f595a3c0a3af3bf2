"""Admin forms: roles, areas, deactivation, audit filters."""
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.auth.models import Role
from app.core.models import Area
from app.forms import EmailAddress, GovDateField, GovForm, UniqueName, submit


class RolesForm(GovForm):
    roles = SelectMultipleField(
        "Roles", widget=GovCheckboxesInput(), choices=[(r.value, r.label) for r in Role],
        description="A person may hold several roles. Changes take effect on their next page.",
    )
    submit = submit("Save roles")


class AreasForm(GovForm):
    areas = SelectMultipleField("Areas they work in", widget=GovCheckboxesInput(), coerce=int,
                                description="Coordinators: the areas they cover. Volunteers: where they mentor.")
    submit = submit("Save areas")


class DeactivateForm(GovForm):
    reason = TextAreaField("Why are you deactivating this account?", widget=GovTextArea(),
                           validators=[InputRequired("Enter why you are deactivating this account"),
                                       Length(max=500, message="Reason must be 500 characters or fewer")])
    submit = submit("Deactivate account")


class ReactivateForm(GovForm):
    submit = submit("Reactivate account")


class AreaForm(GovForm):
    name = StringField("Area name", widget=GovTextInput(),
                       validators=[InputRequired("Enter the area's name"), Length(max=100, message="Area name must be 100 characters or fewer")])
    places = StringField("Main places", widget=GovTextInput(), description="For example: Peterlee, Seaham",
                         validators=[Optional(), Length(max=300, message="Main places must be 300 characters or fewer")])
    active = SelectField("Offered to applicants", widget=GovSelect(), choices=[("yes", "Yes"), ("no", "No")])
    submit = submit("Save area")

    def __init__(self, *args, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing

    def validate_name(self, field):
        UniqueName(Area.name, "There is already an area with that name")(self, field)


class UserSearchForm(GovForm):
    class Meta:
        csrf = False

    q = StringField("Name or e-mail", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    role = SelectField("Role", widget=GovSelect(), choices=[("", "Any role")] + [(r.value, r.label) for r in Role],
                       validators=[Optional()])
    submit = submit("Search")


class AuditFilterForm(GovForm):
    class Meta:
        csrf = False

    action = SelectField("Kind of action", widget=GovSelect(), validators=[Optional()], validate_choice=False)
    person = StringField("Person (name or e-mail of who did it or who it was about)", widget=GovTextInput(),
                         validators=[Optional(), Length(max=254)])
    date_from = GovDateField("From", validators=[Optional()], what="The 'from' date")
    date_to = GovDateField("To", validators=[Optional()], what="The 'to' date")
    sessions = BooleanField("Show sign-ins and sign-outs", widget=GovCheckboxInput(), validators=[Optional()])
    submit = submit("Filter")

    def __init__(self, *args, kinds: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [("", "Any kind of action")] + list((kinds or {}).items())

    def validate_action(self, field):
        if field.data and field.data not in dict(field.choices):
            raise ValidationError("Choose a kind of action from the list")

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The 'to' date must be the same as or after the 'from' date")


class InviteForm(GovForm):
    """Invite a member of staff (or a volunteer) by e-mail, with their roles and areas."""

    full_name = StringField("Full name", widget=GovTextInput(), render_kw={"autocomplete": "off", "spellcheck": "false"},
                            validators=[InputRequired("Enter their full name"),
                                        Length(max=200, message="Full name must be 200 characters or fewer")])
    email = StringField("E-mail address", widget=GovTextInput(), render_kw={"type": "email", "spellcheck": "false"},
                        validators=[InputRequired("Enter their e-mail address"),
                                    Length(max=254, message="E-mail address must be 254 characters or fewer"),
                                    EmailAddress()])
    roles = SelectMultipleField("Roles", widget=GovCheckboxesInput(),
                                choices=[(r.value, r.label) for r in Role if r is not Role.APPLICANT],
                                validators=[InputRequired("Choose at least one role")])
    areas = SelectMultipleField("Areas they work in", widget=GovCheckboxesInput(), coerce=int,
                                description="Coordinators: the areas they cover. Volunteers: where they mentor.")
    submit = submit("Send the invitation")
