"""Training models: courses and venues, sessions and bookings, completions and calendar feeds."""
from app.training.models.catalogue import Course, Venue
from app.training.models.records import CalendarFeed, Completion, CompletionSource, new_feed_token
from app.training.models.sessions import (
    Attendance,
    Booking,
    BookingStatus,
    SessionStatus,
    TrainingSession,
    session_trainers,
)

__all__ = [
    "Attendance", "Booking", "BookingStatus", "CalendarFeed", "Completion", "CompletionSource", "Course",
    "SessionStatus", "TrainingSession", "Venue", "new_feed_token", "session_trainers",
]
