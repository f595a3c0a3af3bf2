"""The applicant's journey through the test client: steps, drafts, validation, sending and withdrawing."""
from datetime import date

import pytest

from app import audit
from app.applications.models import Application, ApplicationNote
from app.applications.rules import Status
from app.applications.services import application_for
from app.auth.models import Role
from app.extensions import db
from app.timefmt import today_london
from tests.applications.factories import make_application
from tests.factories import area_named

ABOUT = {"full_name": "Alex Applicant", "preferred_name": "Al", "date_of_birth": ["27", "3", "1985"],
         "phone": "07700 900 982", "email": "alex@example.org", "address": "1 High Street\nDurham", "postcode": "dh1 3le"}
REFEREES = {"one_name": "Rita Ref", "one_relationship": "friend", "one_email": "rita@example.net", "one_phone": "07700900001",
            "two_name": "Sam Ref", "two_relationship": "employer", "two_email": "sam@example.net", "two_phone": "07700900002"}


def fill_all(c):
    durham = area_named("Durham").id
    assert c.post("/apply/about-you", data=ABOUT).status_code == 302
    assert c.post("/apply/where-and-when", data={"areas": [str(durham)], "availability": ["weekends"]}).status_code == 302
    assert c.post("/apply/experience", data={"motivation": "To help", "lived_experience": ["homelessness"]}).status_code == 302
    assert c.post("/apply/referees", data=REFEREES).status_code == 302
    assert c.post("/apply/consents", data={"consent_data": "y", "consent_checks": "y"}).status_code == 302


def test_become_page_is_public_and_leads_to_sign_up(client):
    page = client.get("/become-a-peer-mentor").get_data(as_text=True)
    assert "No experience is needed" in page and "pay your travel" in page and "criminal record does not stop you" in page
    assert "/sign-up?next=/apply" in page and "/sign-in?next=/apply" in page


def test_each_step_saves_a_draft_that_resumes_in_a_new_session(app, login_as):
    c = login_as("applicant")
    assert "0 of 5" in c.get("/apply").get_data(as_text=True)
    c.post("/apply/about-you", data=ABOUT)
    application = application_for(c.user)
    assert application.status == Status.DRAFT and application.postcode == "DH1 3LE" and application.phone == "07700900982"
    # A second device: a fresh signed-in client sees the saved answers and the progress.
    other_device = login_as(c.user)
    assert "1 of 5" in other_device.get("/apply").get_data(as_text=True)
    page = other_device.get("/apply/about-you").get_data(as_text=True)
    assert 'value="Alex Applicant"' in page and 'value="DH1 3LE"' in page and 'value="1985"' in page


def test_full_application_is_checked_and_sent(login_as, smtp):
    c = login_as("applicant")
    fill_all(c)
    page = c.get("/apply/check-answers").get_data(as_text=True)
    assert "Rita Ref<br>Friend<br>rita@example.net" in page and "Durham" in page and "Homelessness" in page
    assert "Send my application" in page and "1 High Street<br>Durham" in page
    response = c.post("/apply/check-answers")
    assert response.headers["Location"].endswith("/apply/sent")
    application = application_for(c.user)
    assert application.status == Status.SUBMITTED and application.submitted_at is not None
    mail = smtp.last("alex@example.org")
    assert mail["Subject"] == "We have received your application"
    assert "/apply" in smtp.body(mail)
    status_page = c.get("/apply").get_data(as_text=True)
    assert "Received" in status_page and "What happens next" in status_page


def test_a_sent_application_cannot_be_edited(login_as):
    c = login_as("applicant")
    make_application(c.user, status=Status.SUBMITTED)
    response = c.post("/apply/about-you", data=ABOUT | {"full_name": "Changed Name"})
    assert response.status_code == 302
    db.session.expire_all()
    assert application_for(c.user).full_name != "Changed Name"
    assert c.post("/apply/check-answers").status_code == 302
    assert application_for(c.user).status == Status.SUBMITTED


def test_cannot_send_until_every_section_is_done(login_as):
    c = login_as("applicant")
    c.post("/apply/about-you", data=ABOUT)
    page = c.post("/apply/check-answers").get_data(as_text=True)
    assert "Complete every section" in page or "not finished" in page
    assert application_for(c.user).status == Status.DRAFT


def test_must_be_18_on_the_day_of_submission(login_as):
    c = login_as("applicant")
    application = make_application(c.user)
    today = today_london()
    application.date_of_birth = date(today.year - 18, today.month, today.day) if (today.month, today.day) != (2, 29) else date(today.year - 18, 3, 1)
    db.session.commit()
    # 18 today: allowed. (One day younger is refused: see the next assertion on a fresh application.)
    assert c.post("/apply/check-answers").status_code == 302
    other = login_as("applicant")
    young = make_application(other.user)
    young.date_of_birth = date(today.year - 17, 1, 1)
    db.session.commit()
    page = other.post("/apply/check-answers").get_data(as_text=True)
    assert "You must be 18 or over on the day you send your application" in page
    assert application_for(other.user).status == Status.DRAFT


@pytest.mark.parametrize(("field", "value", "message"), [
    ("full_name", "", "Enter your full name"),
    ("full_name", "x" * 201, "Full name must be 200 characters or fewer"),
    ("preferred_name", "x" * 101, "Preferred name must be 100 characters or fewer"),
    ("date_of_birth", ["", "", ""], "Enter your date of birth"),
    ("date_of_birth", ["31", "2", "1990"], "Date of birth must be a real date"),
    ("date_of_birth", ["1", "", "1990"], "Date of birth must include a month"),
    ("date_of_birth", ["1", "1", "3000"], "Date of birth must be in the past"),
    ("date_of_birth", ["1", "1", str(today_london().year - 10)], "You must be 18 or over"),
    ("phone", "", "Enter your phone number"),
    ("phone", "12345", "Enter a UK phone number, like 07700 900 982"),
    ("email", "", "Enter your e-mail address"),
    ("email", "not-an-email", "Enter an e-mail address in the correct format"),
    ("address", "", "Enter your postal address"),
    ("address", "x" * 501, "Postal address must be 500 characters or fewer"),
    ("postcode", "", "Enter your postcode"),
    ("postcode", "DH1", "Enter a real UK postcode, like DH1 3LE"),
])
def test_about_you_validation_keeps_what_was_typed(login_as, field, value, message):
    c = login_as("applicant")
    response = c.post("/apply/about-you", data=ABOUT | {field: value})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert "govuk-error-summary" in page and "govuk-error-message" in page
    kept = "Alex Applicant" if field != "full_name" else "1 High Street"
    assert kept in page
    assert application_for(c.user) is None


@pytest.mark.parametrize(("data", "message"), [
    ({"areas": [], "availability": ["weekends"]}, "Choose at least one area"),
    ({"areas": ["AREA"], "availability": []}, "Choose when you are usually free"),
    ({"areas": ["AREA"], "availability": ["weekends"], "availability_note": "x" * 501}, "This note must be 500 characters or fewer"),
])
def test_where_and_when_validation(login_as, data, message):
    c = login_as("applicant")
    data = dict(data, areas=[str(area_named("Durham").id) if a == "AREA" else a for a in data["areas"]])
    assert message in c.post("/apply/where-and-when", data=data).get_data(as_text=True)


def test_where_and_when_refuses_an_unknown_area(login_as):
    c = login_as("applicant")
    page = c.post("/apply/where-and-when", data={"areas": ["999999"], "availability": ["weekends"]}).get_data(as_text=True)
    assert "govuk-error-message" in page and application_for(c.user) is None


@pytest.mark.parametrize(("data", "message"), [
    ({"motivation": ""}, "Tell us why you would like to be a peer mentor"),
    ({"motivation": "x" * 2001}, "Your answer must be 2000 characters or fewer"),
])
def test_experience_validation(login_as, data, message):
    assert message in login_as("applicant").post("/apply/experience", data=data).get_data(as_text=True)


def test_lived_experience_is_optional_and_explained(login_as):
    c = login_as("applicant")
    page = c.get("/apply/experience").get_data(as_text=True)
    assert "You do not have to answer" in page and "coordinators and managers" in page and "Trainers" in page
    assert c.post("/apply/experience", data={"motivation": "To help"}).status_code == 302


@pytest.mark.parametrize(("changes", "message"), [
    ({"one_relationship": "family"}, "A referee cannot be a family member or partner"),
    ({"two_relationship": "family"}, "A referee cannot be a family member or partner"),
    ({"one_relationship": ""}, "Choose how the first referee knows you"),
    ({"one_email": "ME"}, "The first referee&#39;s e-mail address must not be your own"),
    ({"two_name": "ME"}, "The second referee must be someone other than you"),
    ({"two_email": "rita@example.net"}, "Your two referees must have different e-mail addresses"),
    ({"two_name": "rita ref"}, "Your two referees must be different people"),
    ({"two_phone": "07700900001"}, "Your two referees must have different phone numbers"),
    ({"one_phone": "999"}, "Enter a UK phone number"),
    ({"two_email": "nope"}, "Enter an e-mail address in the correct format"),
    ({"one_name": ""}, "Enter the first referee&#39;s full name"),
])
def test_referee_rules(login_as, changes, message):
    c = login_as("applicant")
    me = {"ME": c.user.email if "email" in next(iter(changes)) else c.user.full_name}
    data = REFEREES | {k: me.get(v, v) for k, v in changes.items()}
    response = c.post("/apply/referees", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


DATA_MESSAGE = "Tick to agree to us using your information"
CHECKS_MESSAGE = "Tick to show you understand the checks we will make"


def test_consents_are_required(login_as):
    page = login_as("applicant").post("/apply/consents", data={}).get_data(as_text=True)
    assert DATA_MESSAGE in page and CHECKS_MESSAGE in page


@pytest.mark.parametrize("data, message, not_shown", [
    ({"consent_checks": "y"}, DATA_MESSAGE, CHECKS_MESSAGE),
    ({"consent_data": "y"}, CHECKS_MESSAGE, DATA_MESSAGE),
    ({"consent_data": "false", "consent_checks": "y"}, DATA_MESSAGE, CHECKS_MESSAGE),
    ({"consent_data": "y", "consent_checks": "false"}, CHECKS_MESSAGE, DATA_MESSAGE),
])
def test_each_consent_is_required_on_its_own(login_as, data, message, not_shown):
    c = login_as("applicant")
    response = c.post("/apply/consents", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page and not_shown not in page
    assert application_for(c.user) is None  # nothing saved


def test_both_consents_ticked_are_saved(login_as):
    c = login_as("applicant")
    c.post("/apply/consents", data={"consent_data": "y", "consent_checks": "y"})
    application = application_for(c.user)
    assert application.consent_data and application.consent_checks and "consents" in application.steps_done


@pytest.mark.parametrize("missing", ["consent_data", "consent_checks"])
def test_an_application_without_both_consents_cannot_be_sent(login_as, missing):
    c = login_as("applicant")
    application = make_application(c.user, **{missing: False})
    page = c.post("/apply/check-answers", data={}).get_data(as_text=True)
    assert "Tick both agreements before you send your application" in page
    db.session.refresh(application)
    assert application.status == Status.DRAFT


def test_unknown_step_is_404(login_as):
    assert login_as("applicant").get("/apply/not-a-step").status_code == 404


def test_withdraw_before_acceptance(login_as, smtp):
    c = login_as("applicant")
    application = make_application(c.user, status=Status.IN_REVIEW)
    assert "Are you sure" in c.get("/apply/withdraw").get_data(as_text=True)
    c.post("/apply/withdraw", data={"reason": "Moving away"})
    db.session.refresh(application)
    assert application.status == Status.WITHDRAWN
    assert "withdrawn" in smtp.last(application.email)["Subject"]
    event = db.session.scalar(db.select(audit.AuditEvent).where(audit.AuditEvent.action == "application.withdraw"))
    assert event.actor_id == c.user.id and "Moving away" not in str(event.details)  # free text stays off the log
    assert db.session.scalar(db.select(ApplicationNote.text).where(ApplicationNote.audit_event_id == event.id)) == \
        "Moving away"


def test_cannot_withdraw_after_acceptance(login_as):
    c = login_as("applicant")
    application = make_application(c.user, status=Status.ACCEPTED)
    c.post("/apply/withdraw", data={})
    db.session.refresh(application)
    assert application.status == Status.ACCEPTED


def test_applicants_see_only_their_own_application(login_as):
    owner = login_as("applicant")
    make_application(owner.user, status=Status.SUBMITTED, full_name="Private Person")
    stranger = login_as("applicant")
    assert "Private Person" not in stranger.get("/apply").get_data(as_text=True)
    assert "Private Person" not in stranger.get("/apply/about-you").get_data(as_text=True)
    assert stranger.get("/apply/check-answers").status_code == 404
    application = db.session.scalar(db.select(Application))
    assert stranger.get(f"/applications/{application.id}").status_code == 403


@pytest.mark.parametrize("role", [Role.TRAINER, Role.VOLUNTEER, Role.ADMIN, Role.APPLICANT])
def test_only_coordinators_and_managers_reach_applications(login_as, role):
    application = make_application(status=Status.SUBMITTED)
    c = login_as(role.value)
    assert c.get("/applications").status_code == 403
    assert c.get(f"/applications/{application.id}").status_code == 403


def test_home_card_follows_the_application(login_as):
    c = login_as("applicant")
    assert "Start your application" in c.get("/").get_data(as_text=True)
    c.post("/apply/about-you", data=ABOUT)
    assert "Continue your application" in c.get("/").get_data(as_text=True)


@pytest.mark.parametrize("status", [Status.DECLINED, Status.WITHDRAWN])
def test_apply_again_after_a_decline_or_withdrawal(login_as, smtp, status):
    c = login_as("applicant")
    first = make_application(c.user, status=status, preferred_name="Al", areas=("Durham", "Weardale"))
    page = c.get("/apply").get_data(as_text=True)
    assert "Apply again" in page and "Start a new application" in page
    response = c.post("/apply/again", follow_redirects=True)
    assert "We have started a new application with your earlier answers" in response.get_data(as_text=True)
    again = application_for(c.user)
    assert again.id != first.id and again.status == Status.DRAFT and again.steps_done == []
    assert (again.full_name, again.preferred_name, again.postcode, again.motivation) == (
        first.full_name, "Al", first.postcode, first.motivation)
    assert [a.name for a in again.areas] == ["Durham", "Weardale"]
    assert again.referees == [] and not again.consent_data and not again.consent_checks
    assert 'value="Al"' in c.get("/apply/about-you").get_data(as_text=True)  # filled in to check
    db.session.refresh(first)
    assert first.status == status  # the earlier application stays on record
    started = db.session.scalars(db.select(audit.AuditEvent).where(
        audit.AuditEvent.action == "application.started", audit.AuditEvent.object_id == again.id)).one()
    assert started.details["previous"] == first.id and started.actor_id == c.user.id
    fill_all(c)
    c.post("/apply/check-answers", data={})
    db.session.refresh(again)
    assert again.status == Status.SUBMITTED and again.possible_duplicate  # the coordinator sees the earlier one


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED, Status.CHAT_HELD, Status.ACCEPTED])
def test_no_second_application_while_one_is_open_or_accepted(login_as, status):
    c = login_as("applicant")
    first = make_application(c.user, status=status)
    assert "Start a new application" not in c.get("/apply").get_data(as_text=True)
    response = c.post("/apply/again", follow_redirects=True)
    assert "You already have an application" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Application.id))) == 1
    assert application_for(c.user).id == first.id


def test_a_new_application_is_the_one_shown(login_as):
    c = login_as("applicant")
    make_application(c.user, status=Status.WITHDRAWN)
    c.post("/apply/again")
    assert "Apply to be a peer mentor" in c.get("/apply").get_data(as_text=True)  # the task list again
    assert "Continue your application" in c.get("/").get_data(as_text=True)


@pytest.mark.parametrize("field, which", [("one_phone", "first"), ("two_phone", "second")])
def test_a_referee_cannot_have_the_applicants_phone_number(login_as, field, which):
    c = login_as("applicant")
    make_application(c.user, phone="07700900982")
    page = c.post("/apply/referees", data=REFEREES | {field: "07700 900 982"}).get_data(as_text=True)
    assert f"The {which} referee&#39;s phone number must not be your own" in page
    assert 'value="07700 900 982"' in page  # what was typed is kept


@pytest.mark.parametrize("status", [Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN])
def test_a_closed_application_offers_no_withdraw_page(login_as, status):
    c = login_as("applicant")
    make_application(c.user, status=status)
    response = c.get("/apply/withdraw", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Are you sure" not in page and "so it cannot be withdrawn" in page


def test_withdrawing_a_draft_shows_a_sensible_status_page(login_as, smtp):
    c = login_as("applicant")
    make_application(c.user, status=Status.DRAFT)
    c.post("/apply/withdraw", data={})
    page = c.get("/apply").get_data(as_text=True)
    assert "Withdrawn" in page and "Sent on" not in page and "See your answers" in page
    assert "Start a new application" in page
