"""Demo training sessions for development, so `make run` shows a catalogue with something to book."""
from datetime import date, time, timedelta

from sqlalchemy import select

from app.auth.models import User
from app.db_types import utcnow
from app.extensions import db
from app.timefmt import london_to_utc, today_london
from app.training.models import Course, TrainingSession, Venue
from app.training.services import schedule_session

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
