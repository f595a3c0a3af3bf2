"""iCalendar round trips: invitations, updates and cancellations keep one UID and raise SEQUENCE."""
from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.timefmt import london_to_utc
from app.training import services
from app.training.calendar import session_uid
from app.training.models import CalendarFeed
from tests.factories import make_user
from tests.training.factories import make_session, make_volunteer


def _invite(msg) -> Calendar:
    parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "expected one calendar attachment"
    assert "method=" in parts[0]["Content-Type"].lower()
    return Calendar.from_ical(parts[0].get_payload(decode=True))


def _event(cal: Calendar):
    events = cal.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def _change(session, by, **changes):
    values = dict(starts_at=session.starts_at, ends_at=session.ends_at, venue=session.venue, online_link=None,
                  capacity=session.capacity, trainers=session.trainers, notes=session.notes) | changes
    return services.update_session(session, by=by, **values)


def test_invitation_update_and_cancellation_round_trip(smtp):
    start = london_to_utc(datetime(2027, 3, 30).date(), datetime.min.time().replace(hour=10))
    session = make_session(starts_at=start)
    volunteer = make_volunteer()
    coordinator = make_user("coordinator")
    before = utcnow().replace(microsecond=0)
    services.book_session(session, volunteer)
    db.session.commit()

    invite = _invite(smtp.last(volunteer.email))
    event = _event(invite)
    assert invite["METHOD"] == "REQUEST"
    assert str(event["UID"]) == session_uid(session)
    assert event["SEQUENCE"] == 0
    stamp = event.decoded("DTSTAMP")
    assert stamp.tzinfo is not None and stamp.utcoffset() == timedelta(0) and stamp >= before
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=1)  # BST by 30 March
    assert [str(tz["TZID"]) for tz in invite.walk("VTIMEZONE")] == ["Europe/London"]
    assert "mailto:" + volunteer.email in str(event["ATTENDEE"]).lower()
    assert event["ATTENDEE"].params["RSVP"] == "FALSE" and event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert str(event["ORGANIZER"]).startswith("mailto:")

    _change(session, coordinator, starts_at=start + timedelta(hours=1), ends_at=session.ends_at + timedelta(hours=1))
    db.session.commit()
    update = _invite(smtp.last(volunteer.email))
    updated = _event(update)
    assert update["METHOD"] == "REQUEST"
    assert str(updated["UID"]) == session_uid(session)
    assert updated["SEQUENCE"] == 1
    assert updated.decoded("DTSTART") == start + timedelta(hours=1)

    services.cancel_session(session, "The venue is closed for repairs", coordinator)
    db.session.commit()
    cancel = _invite(smtp.last(volunteer.email))
    cancelled = _event(cancel)
    assert cancel["METHOD"] == "CANCEL"
    assert str(cancelled["UID"]) == session_uid(session)
    assert cancelled["SEQUENCE"] == 2
    assert cancelled["STATUS"] == "CANCELLED"
    assert "The venue is closed for repairs" in smtp.body(smtp.last(volunteer.email))


def test_a_change_that_does_not_move_the_session_sends_no_update(smtp):
    session = make_session(capacity=5)
    volunteer = make_volunteer()
    services.book_session(session, volunteer)
    db.session.commit()
    count = len(smtp.to(volunteer.email))
    _change(session, make_user("coordinator"), capacity=6)
    db.session.commit()
    assert len(smtp.to(volunteer.email)) == count


def test_own_cancellation_sends_cancel_with_higher_sequence(smtp):
    session = make_session()
    volunteer = make_volunteer()
    booking = services.book_session(session, volunteer)
    db.session.commit()
    services.cancel_booking(booking, volunteer)
    db.session.commit()
    cancel = _invite(smtp.last(volunteer.email))
    assert cancel["METHOD"] == "CANCEL" and _event(cancel)["SEQUENCE"] == 1


def test_session_download_is_a_calendar_file(login_as):
    session = make_session()
    response = login_as(make_volunteer()).get(f"/training/sessions/{session.id}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    event = _event(cal)
    assert cal["METHOD"] == "PUBLISH"
    assert str(event["UID"]) == session_uid(session)
    assert event.decoded("DTEND") == session.ends_at
    assert str(event["LOCATION"]) == "Darlington Community Hub, 12 Skinnergate, Darlington, DL3 7NN"


def test_private_feed_lists_booked_and_taught_sessions_only(login_as, client):
    trainer = make_user("trainer")
    booked = make_session(trainers=[trainer])
    waiting = make_session("mediation", capacity=1, starts_at=utcnow() + timedelta(days=20))  # another course
    other = make_session(starts_at=utcnow() + timedelta(days=30))
    volunteer = make_volunteer("grow-model")
    services.book_session(booked, volunteer)
    services.book_session(waiting, make_volunteer("grow-model"))
    services.book_session(waiting, volunteer)  # waitlisted: not in the feed
    db.session.commit()

    volunteer_client = login_as(volunteer)
    volunteer_client.post("/training/calendar-feed")
    token = db.session.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == volunteer.id))
    page = volunteer_client.get("/training/record").text
    assert f"/training/calendar/{token}.ics" in page

    response = client.get(f"/training/calendar/{token}.ics")  # no sign-in: the token is the key
    assert response.status_code == 200
    cal = Calendar.from_ical(response.data)
    uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
    assert uids == {session_uid(booked)}
    assert other.id != booked.id
    for event in cal.walk("VEVENT"):
        assert "ATTENDEE" not in event and "ORGANIZER" not in event  # session details only
    assert volunteer.email not in response.text

    login_as(trainer).post("/training/calendar-feed")
    trainer_token = db.session.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == trainer.id))
    taught = Calendar.from_ical(client.get(f"/training/calendar/{trainer_token}.ics").data)
    assert {str(e["UID"]) for e in taught.walk("VEVENT")} == {session_uid(booked)}


def test_regenerating_the_feed_retires_the_old_address(login_as, client):
    volunteer = make_volunteer()
    volunteer_client = login_as(volunteer)
    volunteer_client.post("/training/calendar-feed")
    old = db.session.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == volunteer.id))
    response = volunteer_client.post("/training/calendar-feed", follow_redirects=True)
    assert "new address" in response.text
    db.session.expire_all()
    new = db.session.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == volunteer.id))
    assert new != old and len(new) >= 40
    assert client.get(f"/training/calendar/{old}.ics").status_code == 404
    assert client.get(f"/training/calendar/{new}.ics").status_code == 200
    assert client.get("/training/calendar/not-a-real-token.ics").status_code == 404


def test_times_across_the_october_clock_change():
    """A session running through the night the clocks go back keeps its real length in the invitation."""
    starts = london_to_utc(datetime(2027, 10, 31).date(), datetime.min.time().replace(minute=30))  # 00:30 BST
    ends = london_to_utc(datetime(2027, 10, 31).date(), datetime.min.time().replace(hour=3))       # 03:00 GMT
    assert starts == datetime(2027, 10, 30, 23, 30, tzinfo=UTC)
    assert ends == datetime(2027, 10, 31, 3, 0, tzinfo=UTC)
    session = make_session(starts_at=starts, hours=3.5)
    from app.training.calendar import session_file

    event = _event(Calendar.from_ical(session_file(session)))
    # Same-zone subtraction in Python is wall-clock time, so compare in UTC.
    assert event.decoded("DTEND").astimezone(UTC) - event.decoded("DTSTART").astimezone(UTC) == timedelta(hours=3.5)
    assert event.decoded("DTSTART") == starts and event.decoded("DTEND") == ends
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=1)
    assert event.decoded("DTEND").utcoffset() == timedelta(0)


def test_the_joining_link_is_only_in_downloads_for_people_booked(login_as):
    session = make_session(venue_name=None, online_link="https://meet.example.org/peer-mentors")
    booked = make_volunteer()
    services.book_session(session, booked)
    db.session.commit()
    url = f"/training/sessions/{session.id}/calendar.ics"
    mine = _event(Calendar.from_ical(login_as(booked).get(url).data))
    assert "https://meet.example.org/peer-mentors" in str(mine["DESCRIPTION"])
    other = _event(Calendar.from_ical(login_as(make_volunteer()).get(url).data))
    assert "meet.example.org" not in str(other["DESCRIPTION"])
    assert "Shown here once you are booked" in login_as(make_volunteer()).get(f"/training/sessions/{session.id}").text


def test_a_deactivated_persons_feed_stops(login_as, client):
    volunteer = make_volunteer()
    login_as(volunteer).post("/training/calendar-feed")
    token = db.session.scalar(select(CalendarFeed.token).where(CalendarFeed.user_id == volunteer.id))
    volunteer.deactivated_at = utcnow()
    db.session.commit()
    assert client.get(f"/training/calendar/{token}.ics").status_code == 404
