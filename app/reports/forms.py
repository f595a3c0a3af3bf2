"""Report filters: the dashboard's area and dates, the funder report's period and area (GET forms)."""
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from app.forms import GovDateField, GovForm, submit


class ChoiceField(SelectField):
    """A choice from the list, with our own words for anything else (an area outside the person's own)."""

    def __init__(self, label=None, validators=None, message: str = "Choose from the list", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message

    def pre_validate(self, form):
        if self.data and self.data not in {str(value) for value, _ in self.choices}:
            raise ValidationError(self.message)


class DashboardForm(GovForm):
    class Meta:
        csrf = False  # a GET filter

    area = ChoiceField("Area", widget=GovSelect(), validators=[Optional()], message="Choose an area from the list")
    start = GovDateField("From", what="The start date", validators=[Optional()], description="For example, 1 4 2026")
    end = GovDateField("To", what="The end date", validators=[Optional()], description="For example, 31 3 2027")
    submit = submit("Show")

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The end date must be the same as or after the start date")


class ReportForm(GovForm):
    class Meta:
        csrf = False  # a GET filter

    period = ChoiceField("Period", widget=GovSelect(), validators=[Optional()], message="Choose a period from the list",
                         description="Quarters and years run from April to March (the financial year)")
    area = ChoiceField("Area", widget=GovSelect(), validators=[Optional()], message="Choose an area from the list")
    submit = submit("Show")
