"""The volunteer's path, the agreement, the emergency contact, the induction meeting and the staff pages."""
from datetime import timedelta

from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from app.readiness.models import AgreementSignature, EmergencyContact, Induction
from app.timefmt import today_london
from tests.factories import make_user
from tests.readiness.factories import make_ready_volunteer, make_released


def test_the_path_is_the_volunteers_home_page_until_released_with_each_gate_in_plain_words(login_as):
    volunteer = make_ready_volunteer(skip={"agreement", "emergency-contact", "taster-day"})
    client = login_as(volunteer)
    home = client.get("/").get_data(as_text=True)
    assert 'id="home-path"' in home and "Your path to mentoring" in home
    assert "Sign the volunteer agreement" in home and "Waiting on you" in home
    assert 'href="/readiness/agreement"' in home and 'href="/readiness/emergency-contact"' in home
    assert 'href="/training/courses/taster-day"' in home
    assert "You have done 12 of 15 steps" in home
    make_released(volunteer)
    home = client.get("/").get_data(as_text=True)
    assert 'id="home-path"' not in home and "You are released to mentor clients" in home


def test_signing_the_agreement_with_a_typed_name(login_as):
    volunteer = make_ready_volunteer(skip={"agreement"})
    client = login_as(volunteer)
    page = client.get("/readiness/agreement").get_data(as_text=True)
    assert "Volunteer agreement" in page and "peer mentors always work in pairs" in page
    missing = client.post("/readiness/agreement", data={"typed_name": ""})
    assert missing.status_code == 400 and "Type your full name to sign the agreement" in missing.get_data(as_text=True)
    unticked = client.post("/readiness/agreement", data={"typed_name": "Alex Example"})
    assert unticked.status_code == 400 and "Confirm that you have read" in unticked.get_data(as_text=True)
    assert 'value="Alex Example"' in unticked.get_data(as_text=True)  # what was typed is kept
    too_long = client.post("/readiness/agreement", data={"typed_name": "x" * 201, "confirm": "y"})
    assert too_long.status_code == 400
    done = client.post("/readiness/agreement", data={"typed_name": "Alex Example", "confirm": "y"}, follow_redirects=True)
    assert "You have signed the volunteer agreement" in done.get_data(as_text=True)
    signature = db.session.scalar(select(AgreementSignature).where(AgreementSignature.volunteer_id == volunteer.id))
    assert signature.typed_name == "Alex Example" and signature.version == 1 and signature.signed_on == today_london()
    again = client.post("/readiness/agreement", data={"typed_name": "Alex Example", "confirm": "y"}, follow_redirects=True)
    assert "already signed this version" in again.get_data(as_text=True)


def test_the_volunteer_adds_and_changes_their_emergency_contact(login_as):
    volunteer = make_ready_volunteer(skip={"emergency-contact"})
    client = login_as(volunteer)
    bad = client.post("/readiness/emergency-contact", data={"name": "Pat", "relationship_kind": "partner", "phone": "12"})
    assert bad.status_code == 400 and "Enter a phone number" in bad.get_data(as_text=True)
    client.post("/readiness/emergency-contact", data={"name": "Pat", "relationship_kind": "partner", "phone": "07700 900123"})
    client.post("/readiness/emergency-contact", data={"name": "Sam", "relationship_kind": "friend", "phone": "07700 900124"})
    (contact,) = db.session.scalars(select(EmergencyContact).where(EmergencyContact.volunteer_id == volunteer.id)).all()
    assert (contact.name, contact.phone) == ("Sam", "07700 900124")
    assert 'value="Sam"' in client.get("/readiness/emergency-contact").get_data(as_text=True)


def test_a_coordinator_records_the_induction_meeting_and_names_the_supervisor(login_as):
    volunteer = make_ready_volunteer(skip={"induction"}, areas=("Durham",))
    client = login_as("coordinator", areas=["Durham"])
    supervisor = make_user(Role.COORDINATOR, name="Sue Pervisor", areas=["Durham"])
    future = today_london() + timedelta(days=1)
    bad = client.post(f"/readiness/people/{volunteer.id}/induction",
                      data={"held_on": [str(future.day), str(future.month), str(future.year)], "supervisor": str(supervisor.id)})
    assert bad.status_code == 400 and "must be today or in the past" in bad.get_data(as_text=True)
    unknown = client.post(f"/readiness/people/{volunteer.id}/induction",
                          data={"held_on": ["1", "11", "2026"], "supervisor": "987654"})
    assert unknown.status_code == 400 and "Choose the volunteer" in unknown.get_data(as_text=True)
    done = client.post(f"/readiness/people/{volunteer.id}/induction",
                       data={"held_on": ["1", "11", "2026"], "supervisor": str(supervisor.id)}, follow_redirects=True)
    assert "Induction meeting recorded" in done.get_data(as_text=True)
    induction = db.session.scalar(select(Induction).where(Induction.volunteer_id == volunteer.id))
    assert induction.supervisor_id == supervisor.id and induction.recorded_by_id == client.user.id
    assert "supervisor Sue Pervisor" in client.get(f"/readiness/people/{volunteer.id}").get_data(as_text=True)


def test_the_person_page_shows_each_gate_and_links_to_vetting_and_training(login_as):
    volunteer = make_ready_volunteer(skip={"gdpr"}, areas=("Durham",))
    client = login_as("coordinator", areas=["Durham"])
    page = client.get(f"/readiness/people/{volunteer.id}").get_data(as_text=True)
    assert "GDPR induction completed" in page and "Not done yet" in page and "Release to client work" in page
    assert f"/vetting/people/{volunteer.id}" in page and f"/training/people/{volunteer.id}" in page
    assert f"/readiness/people/{volunteer.id}" in client.get(f"/vetting/people/{volunteer.id}").get_data(as_text=True)
    assert f"/readiness/people/{volunteer.id}" in client.get(f"/training/people/{volunteer.id}").get_data(as_text=True)


def test_the_list_shows_only_the_coordinators_areas_and_filters(login_as):
    durham = make_ready_volunteer(areas=("Durham",), name="Dee Durham")
    make_ready_volunteer(skip={"hear"}, areas=("Durham",), name="Hal Hear")
    make_ready_volunteer(areas=("Weardale",), name="Wes Weardale")
    make_released(durham)
    client = login_as("coordinator", areas=["Durham"])
    page = client.get("/readiness/staff").get_data(as_text=True)
    assert "Dee Durham" in page and "Hal Hear" in page and "Wes Weardale" not in page
    page = client.get("/readiness/staff?gate=hear&state=pending").get_data(as_text=True)
    assert "Hal Hear" in page and "Dee Durham" not in page
    page = client.get("/readiness/staff?state=released").get_data(as_text=True)
    assert "Dee Durham" in page and "Hal Hear" not in page
    page = client.get("/readiness/staff?within=4000").get_data(as_text=True)
    assert "Dee Durham" in page and "Hal Hear" in page
    bad = client.get("/readiness/staff?within=9999")
    assert bad.status_code == 200 and "from 1 to 366" in bad.get_data(as_text=True)
    words = client.get("/readiness/staff?within=soon")
    assert words.status_code == 200 and "like 30" in words.get_data(as_text=True)
    assert "Wes Weardale" in login_as("manager").get("/readiness/staff").get_data(as_text=True)


def test_accepting_an_application_leads_to_the_next_steps(login_as):
    from tests.applications.factories import ready_to_accept

    application = ready_to_accept(areas=("Durham",))
    client = login_as("coordinator", areas=["Durham"])
    page = client.post(f"/applications/{application.id}/accept", data={"note": ""}, follow_redirects=True)
    assert f"/readiness/people/{application.user_id}" in page.get_data(as_text=True)
