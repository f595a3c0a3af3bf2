"""iCalendar: invitations (REQUEST / CANCEL) in e-mails, one session's .ics, and a person's private feed.

A session keeps one UID for life; every change raises SEQUENCE so calendar programs replace the old copy.
Times carry TZID=Europe/London with a VTIMEZONE, so they stay right across the clock changes.
"""
from datetime import datetime

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText

from app.db_types import utcnow
from app.timefmt import to_london
from app.urls import external_url

PRODID = "-//Community Peer Mentors//Volunteer portal//EN"


def session_uid(session) -> str:
    """The session's stable UID, the same in every invitation, download and feed."""
    return f"training-session-{session.id}@community-peer-mentors"


def _calendar(method: str | None = None, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _event(session, sequence: int, now: datetime, cancelled: bool = False, with_link: bool = True) -> Event:
    """The VEVENT for a session: session details only, never who else is booked."""
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", now)
    event.add("dtstart", to_london(session.starts_at))
    event.add("dtend", to_london(session.ends_at))
    event.add("sequence", sequence)
    event.add("summary", f"{session.title} ({current_app.config['SCHEME_NAME']} training)")
    event.add("status", "CANCELLED" if cancelled or session.cancelled else "CONFIRMED")
    if session.venue:
        event.add("location", session.venue.one_line)
    else:
        event.add("location", "Online")
    description = [session.course.summary.split("\n\n")[0].replace("\n", " ")]
    if session.online_link and with_link:
        description.append(f"Join online: {session.online_link}")
    if session.venue and session.venue.access_notes:
        description.append(f"Getting there: {session.venue.access_notes}")
    if session.notes:
        description.append(session.notes)
    event.add("description", "\n\n".join(description))
    event.add("url", external_url("training.session", session_id=session.id))
    return event


def invitation(session, email: str, name: str, sequence: int, method: str = "REQUEST",
               now: datetime | None = None) -> bytes:
    """A METHOD:REQUEST invitation (or METHOD:CANCEL) for one person booked on a session."""
    now = now or utcnow()
    cal = _calendar(method)
    event = _event(session, sequence, now, cancelled=method == "CANCEL")
    organizer = vCalAddress(f"mailto:{current_app.config['SCHEME_CONTACT_EMAIL']}")
    organizer.params["cn"] = vText(current_app.config["SCHEME_NAME"])
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{email}")
    attendee.params["cn"] = vText(name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED")
    # The place is already booked in the portal: no reply is wanted (declining in a calendar would not cancel it).
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def session_file(session, now: datetime | None = None, with_link: bool = False) -> bytes:
    """A one-event .ics download for a session (METHOD:PUBLISH); the joining link only for those booked."""
    cal = _calendar("PUBLISH")
    cal.add_component(_event(session, session.sequence, now or utcnow(), with_link=with_link))
    cal.add_missing_timezones()
    return cal.to_ical()


def feed(sessions, name: str, now: datetime | None = None) -> bytes:
    """A subscription feed of sessions."""
    now = now or utcnow()
    cal = _calendar("PUBLISH", name)
    cal.add("refresh-interval;value=duration", "PT6H")
    for session in sessions:
        cal.add_component(_event(session, session.sequence, now))
    cal.add_missing_timezones()
    return cal.to_ical()
