"""Bad input gets a specific message by the field, on the pages where it used to give a 500 or slip through:
spaces in required fields and dates, NUL and line breaks, far-off dates in filters, names that differ only in
case (non-ASCII too), and names with line breaks reaching an e-mail header."""
import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired

from app.core.models import Area
from app.email import send_email
from app.extensions import db
from app.forms import GovDateField, GovForm, name_key, text_problem
from app.training.models import Venue
from tests.applications.test_apply import ABOUT, REFEREES
from tests.factories import area_named
from tests.training.factories import venue
from tests.vetting.factories import make_dbs


class _Form(GovForm):
    class Meta:
        csrf = False

    name = StringField("Full name", validators=[InputRequired("Enter your full name")])
    story = TextAreaField("Your story (optional)")
    born = GovDateField("Date of birth", what="Date of birth", validators=[InputRequired("Enter your date of birth")])


def _form(**values):
    data = MultiDict([("name", "Ann"), ("born", "27"), ("born", "3"), ("born", "1985")])
    for key, value in values.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    form = _Form(formdata=data)
    form.validate()
    return form


def test_a_required_field_of_only_spaces_is_refused_as_empty(app):
    with app.test_request_context():
        assert _form(name="   ").errors["name"] == ["Enter your full name"]
        assert _form(name="\t \u00a0 ").errors["name"] == ["Enter your full name"]
        assert _form(born=["  ", " ", "   "]).errors["born"] == ["Enter your date of birth"]
        assert _form(name="  Ann  ").name.data == "Ann"


@pytest.mark.parametrize(("value", "message"), [
    ("Ann\x00", "Full name must not include hidden control characters"),
    ("Ann\rBcc: x@example.org", "Full name must be on one line"),
    ("Ann\nSmith", "Full name must be on one line"),
    ("Ann\u2028Smith", "Full name must be on one line"),
    ("Ann\x1b[31m", "Full name must not include hidden control characters"),
    ("x" * 501, "Full name must be 500 characters or fewer"),
])
def test_single_line_text_refuses_control_characters_and_line_breaks(app, value, message):
    with app.test_request_context():
        errors = _form(name=value).errors["name"]
        assert len(errors) == 1 and errors[0].startswith(message)


def test_text_areas_keep_line_breaks_and_tabs_but_refuse_nul(app):
    with app.test_request_context():
        assert not _form(story="Line one\r\nLine two\n\tindented").errors
        assert _form(story="Line\x00").errors["story"][0].startswith("Your story must not include hidden control")
        assert _form(story="x" * 10_001).errors["story"] == ["Your story must be 10,000 characters or fewer"]


@pytest.mark.parametrize("value", ["Zoë O’Brien-Šimić", "李小龙", "Ann 🙂", "María\u200dJosé"])
def test_ordinary_names_in_any_script_pass(value):
    assert text_problem(value) is None


@pytest.mark.parametrize(("parts", "message"), [
    (["31", "12", "9999"], "Date of birth must be in 2100 or earlier"),
    (["1", "1", "1899"], "Date of birth must be in 1900 or later"),
    (["1", "1", "0001"], "Date of birth must be in 1900 or later"),
    (["²", "1", "1985"], "Date of birth must be a real date"),
    (["1", "1", "١٩٨٥"], "Date of birth must be a real date"),
])
def test_dates_are_bounded_to_real_years(app, parts, message):
    with app.test_request_context():
        assert _form(born=parts).errors["born"] == [message]


def test_an_applicant_typing_spaces_nul_or_a_line_break_gets_a_message_not_a_500(login_as):
    c = login_as("applicant")
    cases = [({"full_name": "   "}, "Enter your full name"),
             ({"date_of_birth": [" ", " ", " "]}, "Enter your date of birth"),
             ({"full_name": "Alex\x00Applicant"}, "Full name must not include hidden control characters"),
             ({"full_name": "Alex\r\nApplicant"}, "Full name must be on one line"),
             ({"phone": "07700\n900982"}, "Phone number must be on one line"),
             ({"postcode": "x" * 5000}, "Postcode must be 500 characters or fewer")]
    for change, message in cases:
        response = c.post("/apply/about-you", data=ABOUT | change)
        assert response.status_code == 200 and message in response.get_data(as_text=True), change
    assert c.post("/apply/about-you", data=ABOUT).status_code == 302  # a postal address keeps its line breaks


def test_a_referee_name_with_a_line_break_is_refused(login_as):
    """The name goes into the referee's e-mail: a CR/LF used to stop the e-mail silently."""
    c = login_as("applicant")
    c.post("/apply/about-you", data=ABOUT)
    response = c.post("/apply/referees", data=REFEREES | {"one_name": "Rita\r\nBcc: everyone@example.org"})
    assert "Full name must be on one line" in response.get_data(as_text=True)
    assert c.post("/apply/referees", data=REFEREES).status_code == 302


def test_a_vetting_date_of_spaces_is_required_not_empty(login_as):
    coordinator = login_as("coordinator", areas=("Durham",))  # vetting is need to know: the volunteer's area
    check = make_dbs(login_as("volunteer", areas=("Durham",)).user, submitted_on=None)
    response = coordinator.post(f"/vetting/dbs/{check.id}/submitted", data={"submitted_on": [" ", " ", " "]})
    assert response.status_code == 400  # the vetting forms answer a refused form with 400
    assert "Enter the date the application was submitted" in response.get_data(as_text=True)


@pytest.mark.parametrize(("url", "field"), [("/audit", "date_to"), ("/applications", "submitted_to")])
def test_far_future_dates_in_filters_get_a_message(login_as, url, field):
    client = login_as("manager")
    response = client.get(url, query_string=MultiDict([(field, "31"), (field, "12"), (field, "9999")]))
    assert response.status_code == 200
    assert "must be in 2100 or earlier" in response.get_data(as_text=True)
    assert client.get(url, query_string={field: "9999-12-31"}).status_code == 200


def test_name_key_folds_case_in_every_script():
    assert name_key("Ärztehaus  Süd") == name_key("ÄRZTEHAUS SÜD") == name_key("ärztehaus süd")
    assert name_key("Straße") == name_key("STRASSE")
    assert name_key("Café") == name_key("Cafe\u0301".upper())


def test_a_venue_renamed_to_an_existing_non_ascii_name_in_other_case_is_refused(login_as):
    client = login_as("coordinator")
    data = {"address": "Front Street\nStanley", "area": area_named("Stanley").id, "access_notes": ""}
    assert client.post("/training/venues/new", data=data | {"name": "Ärztehaus Süd"}).status_code == 302
    other = venue()
    response = client.post(f"/training/venues/{other.id}", data=data | {"name": "ÄRZTEHAUS SÜD"})
    assert "There is already a venue with this name" in response.get_data(as_text=True)
    assert db.session.scalar(select(Venue.name).where(Venue.id == other.id)) != "ÄRZTEHAUS SÜD"
    same = db.session.scalar(select(Venue).where(Venue.name == "Ärztehaus Süd"))
    assert client.post(f"/training/venues/{same.id}", data=data | {"name": "Ärztehaus süd"}).status_code == 302


def test_area_names_are_unique_whatever_their_case(login_as):
    admin = login_as("admin")
    assert "There is already an area with that name" in admin.post(
        "/admin/areas", data={"name": "dURHAM", "places": "", "active": "yes"}).get_data(as_text=True)
    assert admin.post("/admin/areas", data={"name": "Ōtautahi", "places": "", "active": "yes"}).status_code == 302
    durham = area_named("Durham")
    response = admin.post(f"/admin/areas/{durham.id}", data={"name": "ŌTAUTAHI", "places": "", "active": "yes"})
    assert "There is already an area with that name" in response.get_data(as_text=True)
    assert admin.post(f"/admin/areas/{durham.id}", data={"name": "DURHAM", "places": "", "active": "yes"}).status_code == 302
    assert db.session.get(Area, durham.id).name == "DURHAM"


def test_an_e_mail_subject_is_one_line_whatever_went_into_it(app, smtp):
    """A name stored before line breaks were refused still cannot stop an e-mail (or add a header)."""
    with app.test_request_context():
        send_email("rita@example.net", "Reference for Ann\r\nBcc: everyone@example.org Smith", "auth/password_changed",
                   user=type("U", (), {"display_name": "Ann", "full_name": "Ann"})())
        db.session.commit()
    message = smtp.last("rita@example.net")
    assert message["Subject"] == "Reference for Ann Bcc: everyone@example.org Smith"
    assert message["Bcc"] is None


def test_dates_of_birth_far_off_still_get_the_form_s_own_message(login_as):
    response = login_as("applicant").post("/apply/about-you", data=ABOUT | {"date_of_birth": ["1", "1", "9999"]})
    assert "Date of birth must be in the past" in response.get_data(as_text=True)
