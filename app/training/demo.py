"""Demo training sessions for development, so `make run` shows a catalogue with something to book."""
from datetime import date, time, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.db_types import utcnow
from app.extensions import db
from app.timefmt import london_to_utc, today_london
from app.training.models import Attendance, Booking, BookingStatus, Completion, Course, TrainingSession, Venue
from app.training.services import schedule_session
from app.training.services_registers import close_register

# (course code, days from today, start, end, venue name or None for remote)
DEMO_SESSIONS = [
    ("taster-day", 6, time(9, 30), time(16, 0), "Darlington Community Hub"),
    ("taster-day", 20, time(9, 30), time(16, 0), "Durham Clayport Library meeting room"),
    ("grow-model", 9, time(10, 0), time(13, 0), "Consett Civic Centre"),
    ("hear-principles", 13, time(18, 0), time(21, 0), None),
    ("adult-safeguarding-level-1", 16, time(9, 30), time(15, 30), "Peterlee Community Centre"),
    ("mental-health-awareness", 27, time(9, 30), time(15, 30), "Bishop Auckland Town Hall studio"),
]


def seed_demo_sessions(trainer_email: str = "trainer@example.org", today: date | None = None) -> int:
    """Schedule the demo sessions, taught by the demo trainer, unless future sessions exist. Returns how many."""
    trainer = db.session.scalar(select(User).where(User.email == trainer_email))
    if trainer is None or db.session.scalar(select(TrainingSession.id).where(TrainingSession.starts_at > utcnow())):
        return 0
    today = today or today_london()
    courses = {c.code: c for c in db.session.scalars(select(Course))}
    venues = {v.name: v for v in db.session.scalars(select(Venue))}
    made = 0
    for code, days, start, end, venue_name in DEMO_SESSIONS:
        if code not in courses or (venue_name and venue_name not in venues):
            continue
        day = today + timedelta(days=days)
        schedule_session(courses[code], london_to_utc(day, start), london_to_utc(day, end),
                         venue=venues.get(venue_name) if venue_name else None,
                         online_link=None if venue_name else "https://meet.example.org/peer-mentors-hear",
                         capacity=courses[code].default_capacity, trainers=[trainer], notes="", by=trainer)
        made += 1
    return made


# (course code, days ago, start, end, venue name): past sessions volunteer@example.org attended
DEMO_ATTENDED = [
    ("taster-day", 70, time(9, 30), time(16, 0), "Darlington Community Hub"),
    ("adult-safeguarding-level-1", 35, time(9, 30), time(15, 30), "Peterlee Community Centre"),
]


def seed_demo_attendance(volunteer_email: str = "volunteer@example.org", trainer_email: str = "trainer@example.org",
                         today: date | None = None) -> int:
    """Past sessions the demo volunteer attended, registers marked and closed, so they hold a certificate to
    download, scan and see verified. Nothing is done if they already have completions. Returns sessions made."""
    volunteer = db.session.scalar(select(User).where(User.email == volunteer_email))
    trainer = db.session.scalar(select(User).where(User.email == trainer_email))
    if volunteer is None or trainer is None or db.session.scalar(
            select(Completion.id).where(Completion.user_id == volunteer.id)):
        return 0
    today = today or today_london()
    courses = {c.code: c for c in db.session.scalars(select(Course))}
    venues = {v.name: v for v in db.session.scalars(select(Venue))}
    made = 0
    for code, days, start, end, venue_name in DEMO_ATTENDED:
        if code not in courses or venue_name not in venues:
            continue
        day = today - timedelta(days=days)
        session = TrainingSession(course=courses[code], starts_at=london_to_utc(day, start),
                                  ends_at=london_to_utc(day, end), venue=venues[venue_name], capacity=12,
                                  seats_taken=1, trainers=[trainer], notes="", created_by_id=trainer.id)
        db.session.add(session)
        db.session.add(Booking(session=session, user=volunteer, status=BookingStatus.BOOKED,
                               queued_at=session.starts_at - timedelta(days=7), attendance=Attendance.PRESENT,
                               marked_by_id=trainer.id, marked_at=session.ends_at))
        db.session.flush()
        close_register(session, trainer, now=utcnow())  # records the completion and issues the certificate
        made += 1
    return made
