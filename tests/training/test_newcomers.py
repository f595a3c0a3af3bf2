"""Someone at a taster day without an account: the trainer adds them from the register; they get an account
(applicant), a walk-in place marked present, and an e-mailed invitation to choose a password."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit import AuditEvent
from app.auth.models import Role, User
from app.db_types import utcnow
from app.extensions import db
from app.training import services
from app.training import services_registers as registers
from app.training.models import Attendance, Booking, BookingStatus, Completion
from app.training.services import TrainingError
from tests.factories import area_named, make_user
from tests.training.factories import make_session, make_volunteer

NEW_PASSWORD = "lantern meadow quietly"


def _session(code="taster-day", started_hours_ago=1, hours=6, **kwargs):
    """A session under way (by default): its register is open."""
    item = make_session(code, starts_at=utcnow().replace(microsecond=0) + timedelta(days=1), hours=hours, **kwargs)
    item.starts_at = utcnow().replace(microsecond=0) - timedelta(hours=started_hours_ago)
    item.ends_at = item.starts_at + timedelta(hours=hours)
    db.session.commit()
    return item


def _form(**overrides):
    return {"full_name": "Nadia Newcomer", "email": "nadia@example.org", "phone": "07700 900 123",
            "area": str(area_named("Durham").id)} | overrides


def _people(email):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(User).where(User.email == email))


def test_a_newcomer_gets_an_account_a_place_marked_present_and_an_invitation(login_as, client, smtp):
    item = _session()
    trainer = item.trainers[0]
    response = login_as(trainer).post(f"/training/sessions/{item.id}/register/new-person", data=_form(
        email=" Nadia@Example.org "), follow_redirects=True)
    assert "Nadia Newcomer is added to the register and marked present" in response.text
    person = db.session.scalar(select(User).where(User.email == "nadia@example.org"))
    assert person.roles == {Role.APPLICANT} and [a.name for a in person.areas] == ["Durham"]
    assert person.phone == "07700900123" and person.email_verified_at is None
    booking = db.session.scalar(select(Booking).where(Booking.user_id == person.id))
    assert booking.session_id == item.id and booking.walk_in and booking.status is BookingStatus.BOOKED
    assert booking.attendance is Attendance.PRESENT and booking.marked_by_id == trainer.id
    assert "Nadia Newcomer (walk-in)" in response.text
    actions = {e.action: e for e in db.session.scalars(select(AuditEvent).where(AuditEvent.subject_id == person.id))}
    assert {"account.invited", "training.walk_in_added", "training.attendance_marked"} <= set(actions)
    invited = actions["account.invited"]
    assert invited.actor_id == trainer.id and invited.details["roles"] == ["applicant"]
    assert invited.details["walk_in_session"] == item.id and "07700" not in str(invited.details)
    db.session.refresh(item)
    assert item.seats_taken == 1
    mail = smtp.last("nadia@example.org")
    assert "Taster day" in mail.get_payload() or "Taster day" in str(mail)
    link = next(url for url in smtp.links(mail) if "/admin/invitation/" in url)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert "Choose a password" in client.get(path).text
    assert client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert client.post("/sign-in", data={"email": "nadia@example.org", "password": NEW_PASSWORD}).status_code == 302
    record = client.get("/training/record")
    assert record.status_code == 200 and "Taster day" in record.text  # booked today: on their record
    assert "Apply to become a Community Peer Mentor" in record.text
    assert client.get(path).status_code == 400, "the link works once"


def test_when_the_session_has_ended_the_newcomer_record_shows_it_completed(login_as, client, smtp):
    item = _session(started_hours_ago=7)
    outcome = registers.add_newcomer(item, "Olu Late", "olu@example.org", None, None, item.trainers[0])
    db.session.commit()
    completion = db.session.scalar(select(Completion).where(Completion.user_id == outcome.user_id))
    assert completion is not None and completion.booking_id == outcome.id
    link = next(url for url in smtp.links(smtp.last("olu@example.org")) if "/admin/invitation/" in url)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    client.post("/sign-in", data={"email": "olu@example.org", "password": NEW_PASSWORD})
    page = client.get("/training/record").text
    assert "No courses completed yet" not in page and "Taster day" in page


def test_a_coordinator_for_the_area_sees_the_phone_number_on_their_record(login_as):
    item = _session()
    booking = registers.add_newcomer(item, "Ria Ring", "ria@example.org", "07700900555", area_named("Durham"),
                                     item.trainers[0])
    db.session.commit()
    page = login_as(make_user(Role.COORDINATOR, areas=["Durham"])).get(f"/training/people/{booking.user_id}").text
    assert 'href="tel:07700900555"' in page
    assert login_as(make_user(Role.COORDINATOR, areas=["Weardale"])).get(
        f"/training/people/{booking.user_id}").status_code == 404


def test_the_register_offers_the_form_when_nobody_is_found(login_as):
    item = _session()
    page = login_as(item.trainers[0]).get(f"/training/sessions/{item.id}/register?find=Zed+Nobody").text
    assert "Add someone without an account" in page
    assert f'action="/training/sessions/{item.id}/register/new-person"' in page
    assert 'value="Zed Nobody"' in page  # the name searched for, ready to send


def test_an_address_with_an_account_is_refused_and_the_person_offered_only_if_they_could_join(login_as, smtp):
    item = _session()
    wendy = make_volunteer(email="wendy@example.org", name="Wendy Walker")
    secret = make_user(Role.COORDINATOR, email="boss@example.org", name="Barbara Secretname", areas=["Weardale"])
    client = login_as(item.trainers[0])
    smtp.clear()
    page = client.post(f"/training/sessions/{item.id}/register/new-person",
                       data=_form(email="WENDY@example.org", full_name="Wendy W")).text
    assert "wendy@example.org already has an account, so we cannot make another one." in page
    assert "govuk-error-summary" in page and 'value="Wendy W"' in page  # what was typed is kept
    assert "Add Wendy Walker to the register" in page and f'value="{wendy.id}"' in page
    page = client.post(f"/training/sessions/{item.id}/register/new-person",
                       data=_form(email="boss@example.org")).text
    assert "boss@example.org already has an account" in page
    assert "Barbara" not in page and "Secretname" not in page and "Add Barbara" not in page  # nothing about them
    assert "cannot be added to this session from here" in page
    assert _people("wendy@example.org") == 1 and _people("boss@example.org") == 1
    assert smtp.messages == []
    assert secret.roles == {Role.COORDINATOR}
    # and the offered button works
    response = client.post(f"/training/sessions/{item.id}/register/walk-in", data={"volunteer": wendy.id},
                           follow_redirects=True)
    assert "Wendy Walker is added to the register and marked present" in response.text


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"full_name": ""}, "full_name", "Enter their full name"),
    ({"email": ""}, "email", "Enter their e-mail address"),
    ({"email": "not an address"}, "email", "Enter an e-mail address in the correct format"),
    ({"phone": "12345"}, "phone", "Enter a UK phone number"),
    ({"area": "0"}, "area", "Choose the area they live in"),
    ({"full_name": "x" * 201}, "full_name", "Full name must be 200 characters or fewer"),
])
def test_bad_input_is_shown_next_to_its_field_with_what_was_typed_kept(login_as, overrides, field, message):
    item = _session()
    data = _form(**overrides)
    page = login_as(item.trainers[0]).post(f"/training/sessions/{item.id}/register/new-person", data=data).text
    error = page.split(f'id="{field}-error"', 1)
    assert len(error) == 2 and message in error[1][:300], f"no message by {field}"
    assert "govuk-error-summary" in page and f'href="#{field}"' in page
    for name in ("full_name", "email", "phone"):
        if data[name]:
            assert f'value="{data[name]}"' in page, f"{name} was not kept"
    assert _people(data["email"]) == 0 if data["email"] else True
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0


def test_only_a_course_open_to_newcomers_takes_them(login_as):
    item = _session("grow-model")
    client = login_as(item.trainers[0])
    page = client.get(f"/training/sessions/{item.id}/register/new-person").text
    assert "Only people with an account can join" in page and 'name="email"' not in page
    assert "Only people with an account can join" in client.get(
        f"/training/sessions/{item.id}/register?find=Zed+Nobody").text
    client.post(f"/training/sessions/{item.id}/register/new-person", data=_form())
    assert _people("nadia@example.org") == 0
    with pytest.raises(TrainingError, match="Only people with an account"):
        registers.add_newcomer(item, "Nadia", "nadia@example.org", None, None, item.trainers[0])


def test_not_before_the_register_opens_nor_by_a_trainer_after_it_closes(login_as):
    upcoming = make_session("taster-day")
    client = login_as(upcoming.trainers[0])
    page = client.get(f"/training/sessions/{upcoming.id}/register/new-person").text
    assert "The register opens on " in page and "30 minutes before the session starts. You can add people then." in page
    client.post(f"/training/sessions/{upcoming.id}/register/new-person", data=_form())
    assert _people("nadia@example.org") == 0
    closed = _session(started_hours_ago=24 * 5)
    with pytest.raises(TrainingError, match="closed"):
        registers.add_newcomer(closed, "Nadia", "nadia@example.org", None, None, closed.trainers[0])


def test_only_the_sessions_trainers_and_coordinators_may_add_newcomers(login_as):
    item = _session()
    url = f"/training/sessions/{item.id}/register/new-person"
    assert login_as(make_user(Role.TRAINER)).get(url).status_code == 403  # not their session
    assert login_as(make_user(Role.TRAINER)).post(url, data=_form()).status_code == 403
    for role in (Role.VOLUNTEER, Role.APPLICANT, Role.MANAGER, Role.ADMIN):
        assert login_as(make_user(role)).post(url, data=_form()).status_code == 403, role
    assert login_as(make_user(Role.COORDINATOR)).post(url, data=_form()).status_code == 302
    assert _people("nadia@example.org") == 1
    assert login_as(make_user(Role.COORDINATOR)).get(
        "/training/sessions/987654/register/new-person").status_code == 404


def test_the_service_refuses_an_address_with_an_account(smtp):
    item = _session()
    make_user(Role.VOLUNTEER, email="taken@example.org")
    with pytest.raises(TrainingError, match="taken@example.org already has an account"):
        registers.add_newcomer(item, "Tom", "Taken@Example.org", None, None, item.trainers[0])
    assert _people("taken@example.org") == 1


def test_a_newcomer_cannot_book_volunteer_courses_until_they_apply(login_as):
    item = _session()
    booking = registers.add_newcomer(item, "Pat Newcomer", "pat@example.org", None, None, item.trainers[0])
    db.session.commit()
    grow = make_session("grow-model")
    verdict = services.eligibility(grow, booking.user)
    assert not verdict.ok and "for volunteers" in verdict.reason
