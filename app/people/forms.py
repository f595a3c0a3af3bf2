"""The volunteers list's filter (a GET form): name, area, stage. Values not on offer get a message, never a 500."""
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextInput
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from app.forms import GovForm, submit
from app.pagination import query_id
from app.people.rules import PIPELINE, Stage


class PeopleFilterForm(GovForm):
    class Meta:
        csrf = False  # a GET filter

    q = StringField("Name or e-mail", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    area = SelectField("Area", widget=GovSelect(), validators=[Optional()], validate_choice=False)
    stage = SelectField("Stage", widget=GovSelect(), validators=[Optional()], validate_choice=False,
                        choices=[("", "Any stage")] + [(s.value, s.label) for s in [*PIPELINE, Stage.NONE]])
    submit = submit("Search")

    def __init__(self, *args, areas=(), all_label: str = "All areas", **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = [("", all_label)] + [(str(a.id), a.name) for a in areas]

    def validate_area(self, field):
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose an area from the list")

    def validate_stage(self, field):
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose a stage from the list")

    @property
    def area_id(self) -> int | None:
        return query_id(self.area.data) if self.area.data else None
