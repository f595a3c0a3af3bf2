"""Training factories: courses from the real course files, venues, sessions, bookings, completions."""
import itertools
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.training.models import Completion, CompletionSource, Course, TrainingSession, Venue
from app.training.rules import expiry_date
from app.training.services_catalogue import sync_courses, sync_venues
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
_seq = itertools.count(1)


def load_catalogue() -> None:
    """The nine shipped courses and the seeded venues."""
    sync_courses(ROOT / "courses")
    sync_venues(ROOT / "policy" / "venues.toml")
    db.session.commit()


def course(code: str) -> Course:
    found = db.session.scalar(select(Course).where(Course.code == code))
    if found is None:
        load_catalogue()
        found = db.session.scalar(select(Course).where(Course.code == code))
    return found


def venue(name: str = "Darlington Community Hub") -> Venue:
    course("taster-day")  # makes sure the catalogue and venues are loaded
    return db.session.scalar(select(Venue).where(Venue.name == name))


def make_session(code: str = "taster-day", *, starts_at: datetime | None = None, hours: float = 6,
                 capacity: int = 10, trainers=(), venue_name: str | None = "Darlington Community Hub",
                 online_link: str | None = None, commit: bool = True) -> TrainingSession:
    """A scheduled session, by default a week from now, with a trainer."""
    starts_at = starts_at or (utcnow().replace(microsecond=0, second=0) + timedelta(days=7))
    trainers = list(trainers) or [make_user("trainer")]
    item = TrainingSession(course=course(code), starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours),
                           venue=venue(venue_name) if venue_name else None, online_link=online_link,
                           capacity=capacity, seats_taken=0, sequence=0, trainers=trainers, notes="")
    db.session.add(item)
    if commit:
        db.session.commit()
    return item


def make_completion(user, code: str, on: date, commit: bool = True) -> Completion:
    """Record that `user` completed course `code` on `on`."""
    c = course(code)
    completion = Completion(user_id=user.id, course=c, completed_on=on, expires_on=expiry_date(on, c.validity_months),
                            source=CompletionSource.ATTENDANCE)
    db.session.add(completion)
    if commit:
        db.session.commit()
    return completion


def make_volunteer(*codes: str, on: date | None = None, **kwargs):
    """A volunteer who has completed the given courses (default: the taster day, a month ago)."""
    user = make_user("volunteer", **kwargs)
    for code in codes:
        make_completion(user, code, on or (date.today() - timedelta(days=30)))
    return user
