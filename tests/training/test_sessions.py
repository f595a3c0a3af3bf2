"""Scheduling, changing and cancelling sessions through the pages, including across the clock changes."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.audit import AuditEvent
from app.extensions import db
from app.training import services
from app.training.models import SessionStatus, TrainingSession
from tests.factories import make_user
from tests.training.factories import course, make_session, make_volunteer, venue


def _form(trainer, day="28 3 2027", start="10am", end="4pm", **overrides):
    data = {"course": course("taster-day").id, "day": day.split() if isinstance(day, str) else day, "start": start, "end": end,
            "venue": venue().id, "online_link": "", "capacity": "12", "trainers": [trainer.id], "notes": ""}
    return data | overrides


@pytest.mark.parametrize("day, start, expected_utc", [
    ("27 3 2027", "10am", datetime(2027, 3, 27, 10, 0, tzinfo=UTC)),   # Saturday before: GMT
    ("28 3 2027", "10am", datetime(2027, 3, 28, 9, 0, tzinfo=UTC)),    # last Sunday of March: BST from 1am
    ("30 10 2027", "10am", datetime(2027, 10, 30, 9, 0, tzinfo=UTC)),  # Saturday before: BST
    ("31 10 2027", "10am", datetime(2027, 10, 31, 10, 0, tzinfo=UTC)),  # last Sunday of October: GMT from 2am
])
def test_times_are_entered_in_uk_time_and_stored_in_utc(login_as, day, start, expected_utc):
    client = login_as("coordinator")
    trainer = make_user("trainer")
    response = client.post("/training/sessions/new", data=_form(trainer, day=day, start=start))
    assert response.status_code == 302, response.text
    item = db.session.scalar(select(TrainingSession))
    assert item.starts_at == expected_utc
    assert item.ends_at - item.starts_at == timedelta(hours=6)
    page = client.get(f"/training/sessions/{item.id}").text
    assert "10am to 4pm" in page  # shown back in UK time


def test_a_time_skipped_by_the_clocks_is_refused(login_as):
    client = login_as("coordinator")
    response = client.post("/training/sessions/new", data=_form(make_user("trainer"), day="28 3 2027", start="1:30am",
                                                                end="4am"))
    assert response.status_code == 200
    assert "That time does not exist on this date because the clocks go forward" in response.text
    assert db.session.scalar(select(TrainingSession)) is None


@pytest.mark.parametrize("overrides, message", [
    ({"start": ""}, "Enter the start time, like 10am or 14:30"),
    ({"start": "25:00"}, "Enter a real start time, like 10am or 14:30"),
    ({"end": "9am"}, "The end time must be after the start time"),
    ({"day": ["", "", ""]}, "Enter the session date"),
    ({"day": ["31", "2", "2027"]}, "The session date must be a real date"),
    ({"day": ["1", "1", "2020"]}, "The session date must be today or in the future"),
    ({"capacity": "0"}, "Seats must be between 1 and 200"),
    ({"capacity": "lots"}, "Seats must be a whole number, like 16"),
    ({"end_day": ["27", "3", "2027"]}, "The last day must be on or after the first day"),
    ({"end_day": ["", "4", "2027"]}, "The last day must include a day"),
    ({"trainers": []}, "Choose at least one trainer"),
    ({"venue": "0"}, "Choose a venue, or enter an online joining link for a remote session"),
    ({"venue": "0", "online_link": "zoom.example/123"}, "Enter a joining link that starts with https://"),
])
def test_bad_input_gets_a_specific_message_and_keeps_what_was_typed(login_as, overrides, message):
    client = login_as("coordinator")
    response = client.post("/training/sessions/new", data=_form(make_user("trainer"), notes="Bring lunch", **overrides))
    assert response.status_code == 200
    assert message in response.text
    assert "Bring lunch" in response.text
    assert db.session.scalar(select(TrainingSession)) is None


def test_a_two_day_course_and_the_usual_number_of_seats(login_as):
    client = login_as("coordinator")
    data = _form(make_user("trainer"), day="30 3 2027", start="9:30am", end="4pm", capacity="",
                 end_day=["31", "3", "2027"], course=course("recovery-coach").id)
    assert client.post("/training/sessions/new", data=data).status_code == 302
    item = db.session.scalar(select(TrainingSession))
    assert item.starts_at == datetime(2027, 3, 30, 8, 30, tzinfo=UTC)
    assert item.ends_at == datetime(2027, 3, 31, 15, 0, tzinfo=UTC)
    assert item.capacity == 12  # from recovery-coach.toml


def test_a_remote_session_needs_no_venue(login_as):
    client = login_as("coordinator")
    data = _form(make_user("trainer"), venue="0", online_link="https://meet.example.org/abc")
    assert client.post("/training/sessions/new", data=data).status_code == 302
    item = db.session.scalar(select(TrainingSession))
    assert item.venue is None and item.online_link == "https://meet.example.org/abc"


def test_trainers_schedule_and_change_only_their_own_sessions(login_as):
    trainer = make_user("trainer")
    client = login_as(trainer)
    assert client.post("/training/sessions/new", data=_form(trainer)).status_code == 302
    mine = db.session.scalar(select(TrainingSession))
    assert client.get(f"/training/sessions/{mine.id}/edit").status_code == 200
    theirs = make_session()
    assert client.get(f"/training/sessions/{theirs.id}/edit").status_code == 403
    assert client.post(f"/training/sessions/{theirs.id}/cancel", data={"reason": "x"}).status_code == 403
    assert client.get(f"/training/sessions/{theirs.id}/register").status_code == 403


def test_editing_notifies_everyone_booked(login_as, smtp):
    session = make_session()
    volunteer = make_volunteer()
    services.book_session(session, volunteer)
    db.session.commit()
    coordinator = login_as("coordinator")
    from app.timefmt import to_london

    # A day later, 10am to noon: a time of day taken from the clock would end after midnight if run after 10pm.
    day = to_london(session.starts_at.astimezone(UTC) + timedelta(days=1))
    data = _form(session.trainers[0], day=f"{day.day} {day.month} {day.year}", start="10:00", end="12:00")
    response = coordinator.post(f"/training/sessions/{session.id}/edit", data=data, follow_redirects=True)
    assert "Everyone booked has been sent the new details" in response.text
    assert "Changed: Taster day" in smtp.last(volunteer.email)["Subject"]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "training.session_changed")) is not None


def test_cancelling_notifies_booked_and_waiting(login_as, smtp):
    session = make_session(capacity=1)
    booked, waiting = make_volunteer(), make_volunteer()
    services.book_session(session, booked)
    services.book_session(session, waiting)
    db.session.commit()
    client = login_as("coordinator")
    response = client.post(f"/training/sessions/{session.id}/cancel", data={"reason": ""})
    assert "Enter why the session is cancelled" in response.text
    client.post(f"/training/sessions/{session.id}/cancel", data={"reason": "The trainer is unwell"})
    db.session.expire_all()
    assert session.status is SessionStatus.CANCELLED
    assert {b.status for b in services.active_bookings(session)} == set()
    for person in (booked, waiting):
        msg = smtp.last(person.email)
        assert "Cancelled: Taster day" in msg["Subject"] and "The trainer is unwell" in smtp.body(msg)
    again = client.post(f"/training/sessions/{session.id}/cancel", data={"reason": "Again"}, follow_redirects=True)
    assert "already cancelled" in again.text


def test_coordinators_add_and_change_venues(login_as):
    client = login_as("coordinator")
    from tests.factories import area_named

    data = {"name": "Stanley Civic Hall", "address": "Front Street\nStanley\nDH9 0NA",
            "area": area_named("Stanley").id, "access_notes": "Lift to the first floor"}
    assert client.post("/training/venues/new", data=data).status_code == 302
    page = client.get("/training/venues").text
    assert "Stanley Civic Hall" in page
    missing = client.post("/training/venues/new", data=data | {"name": "", "address": ""})
    assert "Enter the venue&#39;s name" in missing.text and "Enter the venue&#39;s address" in missing.text
    assert login_as("trainer").get("/training/venues").status_code == 403


def test_venue_names_are_unique(login_as):
    client = login_as("coordinator")
    from tests.factories import area_named

    venue()
    data = {"name": "darlington community hub", "address": "1 Road", "area": area_named("Darlington").id}
    response = client.post("/training/venues/new", data=data)
    assert response.status_code == 200 and "There is already a venue with this name" in response.text
    hub = venue()
    same = client.post(f"/training/venues/{hub.id}", data=data | {"name": hub.name})
    assert same.status_code == 302


def test_waiting_list_is_told_of_changes_without_an_invitation(smtp):
    session = make_session(capacity=1)
    services.book_session(session, make_volunteer())
    waiting = make_volunteer()
    services.book_session(session, waiting)
    db.session.commit()
    services.update_session(session, starts_at=session.starts_at + timedelta(hours=1),
                            ends_at=session.ends_at + timedelta(hours=1), venue=session.venue, online_link=None,
                            capacity=1, trainers=session.trainers, notes="", by=make_user("coordinator"))
    db.session.commit()
    msg = smtp.last(waiting.email)
    assert "Changed: Taster day" in msg["Subject"] and "still on the waiting list" in smtp.body(msg)
    assert not [p for p in msg.walk() if p.get_content_type() == "text/calendar"]


def test_a_session_that_has_started_cannot_be_changed(login_as):
    session = make_session(starts_at=datetime.now(UTC) - timedelta(hours=1))
    client = login_as("coordinator")
    response = client.get(f"/training/sessions/{session.id}/edit", follow_redirects=True)
    assert "can no longer be changed" in response.text
    assert "Change the session" not in response.text
    with pytest.raises(services.TrainingError, match="has started"):
        services.update_session(session, starts_at=session.starts_at, ends_at=session.ends_at, venue=session.venue,
                                online_link=None, capacity=3, trainers=session.trainers, notes="", by=client.user)


def test_pages_show_links_and_addresses_as_html_not_text(login_as):
    session = make_session()
    coordinator = login_as("coordinator")
    page = coordinator.get(f"/training/sessions/{session.id}").text
    assert "Darlington Community Hub<br>12 Skinnergate<br>Darlington<br>DL3 7NN" in page
    assert "&lt;br&gt;" not in page and "&lt;a" not in page
    manage = coordinator.get("/training/manage").text
    assert f'<a class="govuk-link" href="/training/sessions/{session.id}">Taster day</a>' in manage
    assert "&lt;a" not in coordinator.get("/training/venues").text
