"""Report filters: the dashboard's area and dates, the funder report's period and area (GET forms)."""
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from app.forms import GovDateField, GovForm, submit


class DashboardForm(GovForm):
    class Meta:
        csrf = False  # a GET filter

    area = SelectField("Area", widget=GovSelect(), validators=[Optional()])
    start = GovDateField("From", what="The start date", validators=[Optional()], description="For example, 1 4 2026")
    end = GovDateField("To", what="The end date", validators=[Optional()], description="For example, 31 3 2027")
    submit = submit("Show")

    def validate_end(self, field):
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The end date must be the same as or after the start date")


class ReportForm(GovForm):
    class Meta:
        csrf = False  # a GET filter

    period = SelectField("Period", widget=GovSelect(), validators=[Optional()],
                         description="Quarters and years run from April to March (the financial year)")
    area = SelectField("Area", widget=GovSelect(), validators=[Optional()])
    submit = submit("Show")
