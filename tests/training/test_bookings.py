"""Booking, the waiting list, cancellations, and capacity under concurrency."""
import threading
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from app.applications.rules import Status
from app.audit import AuditEvent
from app.db_types import utcnow
from app.extensions import db
from app.training import services
from app.training.models import Booking, BookingStatus, TrainingSession
from app.training.services import TrainingError
from tests.applications.factories import make_application
from tests.factories import make_user
from tests.training.factories import make_session, make_volunteer


def _invite(msg):
    """The text/calendar attachment of an e-mail, parsed."""
    for part in msg.walk():
        if part.get_content_type() == "text/calendar":
            return Calendar.from_ical(part.get_payload(decode=True))
    return None


def test_volunteer_books_and_gets_an_invitation(login_as, smtp):
    session = make_session(capacity=2)
    client = login_as(make_volunteer())
    response = client.post(f"/training/sessions/{session.id}/book", follow_redirects=True)
    assert "You are booked" in response.text
    booking = db.session.scalar(select(Booking))
    assert booking.status is BookingStatus.BOOKED
    db.session.refresh(session)
    assert session.seats_taken == 1
    msg = smtp.last(client.user.email)
    assert "You are booked" in msg["Subject"]
    assert _invite(msg)["METHOD"] == "REQUEST"
    assert "declining it in your calendar does not cancel your place" in smtp.body(msg)
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.subject_id == client.user.id)) == "training.booked"


def test_full_session_waitlists_in_arrival_order_and_promotes_on_cancel(smtp):
    session = make_session(capacity=1)
    first, second, third = make_volunteer(), make_volunteer(), make_volunteer()
    now = utcnow()
    seat = services.book_session(session, first, now)
    wait2 = services.book_session(session, second, now + timedelta(seconds=1))
    wait3 = services.book_session(session, third, now + timedelta(seconds=2))
    db.session.commit()
    assert [seat.status, wait2.status, wait3.status] == [BookingStatus.BOOKED, BookingStatus.WAITLISTED,
                                                         BookingStatus.WAITLISTED]
    assert "waiting list" in smtp.last(second.email)["Subject"]
    assert _invite(smtp.last(second.email)) is None  # no invitation until there is a place
    services.cancel_booking(seat, first, now + timedelta(minutes=5))
    db.session.commit()
    assert wait2.status is BookingStatus.BOOKED and wait3.status is BookingStatus.WAITLISTED
    db.session.refresh(session)
    assert session.seats_taken == 1
    promoted = smtp.last(second.email)
    assert promoted["Subject"] == f"You now have a place: {session.course.title}"
    assert "the place is yours and you are now booked. You do not need to do anything" in smtp.body(promoted)
    invite = _invite(promoted)
    assert invite["METHOD"] == "REQUEST"
    event = invite.walk("VEVENT")[0]
    assert str(event["UID"]) == f"training-session-{session.id}@community-peer-mentors"
    assert str(event["ATTENDEE"]) == f"mailto:{second.email}" and event["STATUS"] == "CONFIRMED"
    assert len([m for m in smtp.to(second.email) if _invite(m)]) == 1  # the first invitation is the promotion's
    cancelled = smtp.last(first.email)
    assert _invite(cancelled)["METHOD"] == "CANCEL"


def test_no_promotion_once_the_session_has_started():
    session = make_session(capacity=1, starts_at=utcnow() + timedelta(hours=1))
    first, second = make_volunteer(), make_volunteer()
    seat = services.book_session(session, first)
    waiting = services.book_session(session, second)
    db.session.commit()
    with pytest.raises(TrainingError, match="has started"):
        services.cancel_booking(seat, first, now=session.starts_at + timedelta(minutes=1))
    assert services.promote_waitlist(session, now=session.starts_at) == []
    assert waiting.status is BookingStatus.WAITLISTED


def test_raising_capacity_promotes_the_waiting_list():
    session = make_session(capacity=1)
    coordinator = make_user("coordinator")
    services.book_session(session, make_volunteer())
    waiting = services.book_session(session, make_volunteer())
    services.update_session(session, starts_at=session.starts_at, ends_at=session.ends_at, venue=session.venue,
                            online_link=None, capacity=2, trainers=session.trainers, notes="", by=coordinator)
    assert waiting.status is BookingStatus.BOOKED


def test_capacity_cannot_drop_below_those_booked():
    session = make_session(capacity=2)
    services.book_session(session, make_volunteer())
    services.book_session(session, make_volunteer())
    with pytest.raises(TrainingError, match="2 people already booked"):
        services.update_session(session, starts_at=session.starts_at, ends_at=session.ends_at, venue=session.venue,
                                online_link=None, capacity=1, trainers=session.trainers, notes="",
                                by=make_user("coordinator"))


def test_prerequisites_are_needed():
    grow = make_session("grow-model")
    newcomer = make_user("volunteer")
    with pytest.raises(TrainingError, match="You need to complete Taster day"):
        services.book_session(grow, newcomer)
    ready = make_volunteer("taster-day")
    assert services.book_session(grow, ready).status is BookingStatus.BOOKED


def test_applicants_cannot_book_top_up_courses_and_the_page_says_why(login_as):
    grow = make_session("grow-model")
    applicant = make_application(status=Status.SUBMITTED).user
    with pytest.raises(TrainingError, match="This course is for volunteers"):
        services.book_session(grow, applicant)
    client = login_as(applicant)
    assert "This course is for volunteers" in client.get(f"/training/sessions/{grow.id}").text
    client.post(f"/training/sessions/{grow.id}/book")
    assert db.session.scalar(select(func.count(Booking.id))) == 0


def test_applicant_who_has_applied_books_a_taster_day(login_as, smtp):
    """The taster day comes before acceptance: it helps people decide whether the role is for them."""
    taster = make_session("taster-day")
    client = login_as(make_application(status=Status.IN_REVIEW).user)
    assert "Training" in client.get("/").text
    page = client.get(f"/training/sessions/{taster.id}").text
    assert "Book a place" in page
    response = client.post(f"/training/sessions/{taster.id}/book", follow_redirects=True)
    assert "You are booked" in response.text
    assert db.session.scalar(select(Booking.status)) is BookingStatus.BOOKED
    assert _invite(smtp.last(client.user.email))["METHOD"] == "REQUEST"


@pytest.mark.parametrize("status", [Status.DRAFT, Status.DECLINED, Status.WITHDRAWN])
def test_applicant_without_an_open_application_cannot_book_a_taster_day(status):
    taster = make_session("taster-day")
    applicant = make_application(status=status).user
    with pytest.raises(TrainingError, match="Send your application first"):
        services.book_session(taster, applicant)


def test_trainer_cannot_book_a_session_they_teach(login_as):
    trainer = make_user("trainer", "volunteer")
    session = make_session("taster-day", trainers=[trainer])
    with pytest.raises(TrainingError, match="You are a trainer on this session"):
        services.book_session(session, trainer)
    page = login_as(trainer).get(f"/training/sessions/{session.id}").text
    assert "You are a trainer on this session" in page and "Book a place" not in page
    assert services.book_session(make_session("taster-day"), trainer).status is BookingStatus.BOOKED


def test_completed_non_expiring_course_cannot_be_booked_again():
    session = make_session("taster-day")
    with pytest.raises(TrainingError, match="already completed"):
        services.book_session(session, make_volunteer("taster-day"))


def test_expiring_course_can_be_refreshed_near_expiry_only():
    start = utcnow() + timedelta(days=7)
    session = make_session("adult-safeguarding-level-1", starts_at=start)
    recent = make_volunteer("taster-day", "adult-safeguarding-level-1", on=date.today() - timedelta(days=30))
    with pytest.raises(TrainingError, match="refresher"):
        services.book_session(session, recent)
    due = make_volunteer("taster-day")
    from tests.training.factories import make_completion

    make_completion(due, "adult-safeguarding-level-1", date.today() - timedelta(days=36 * 30))
    assert services.book_session(session, due).status is BookingStatus.BOOKED


def test_overlapping_bookings_are_refused():
    start = utcnow() + timedelta(days=3)
    volunteer = make_volunteer("taster-day")
    trainer = make_user("trainer")
    services.book_session(make_session("grow-model", starts_at=start, hours=3, trainers=[trainer]), volunteer)
    clash = make_session("hear-principles", starts_at=start + timedelta(hours=2), hours=3, trainers=[trainer])
    with pytest.raises(TrainingError, match="same time"):
        services.book_session(clash, volunteer)
    later = make_session("hear-principles", starts_at=start + timedelta(hours=3), hours=3, trainers=[trainer])
    assert services.book_session(later, volunteer).status is BookingStatus.BOOKED


def test_booking_twice_is_refused_but_rebooking_after_cancel_works():
    session = make_session()
    volunteer = make_volunteer()
    booking = services.book_session(session, volunteer)
    with pytest.raises(TrainingError, match="already booked"):
        services.book_session(session, volunteer)
    services.cancel_booking(booking, volunteer)
    again = services.book_session(session, volunteer)
    assert again.id == booking.id and again.status is BookingStatus.BOOKED
    assert again.ical_sequence > 0


def test_someone_else_cannot_cancel_your_booking(login_as):
    session = make_session()
    booking = services.book_session(session, make_volunteer())
    db.session.commit()
    other = login_as(make_volunteer())
    assert other.post(f"/training/bookings/{booking.id}/cancel").status_code == 404
    assert booking.status is BookingStatus.BOOKED


def test_cancelled_session_cannot_be_booked(login_as):
    session = make_session()
    services.cancel_session(session, "Trainer unwell", make_user("coordinator"))
    db.session.commit()
    client = login_as(make_volunteer())
    response = client.post(f"/training/sessions/{session.id}/book", follow_redirects=True)
    assert "This session has been cancelled." in response.text


@pytest.mark.real_commits  # each thread books on its own connection, racing the others
@pytest.mark.parametrize("capacity, people", [(3, 12), (1, 6)])
def test_concurrent_bookings_never_overfill(app, capacity, people):
    """Many people book the last seats at once: exactly `capacity` get seats; the rest wait, in order."""
    session_id = make_session(capacity=capacity).id
    volunteer_ids = [make_volunteer().id for _ in range(people)]
    barrier = threading.Barrier(people)
    errors = []

    def book(user_id):
        from app.auth.models import User

        with app.app_context():
            try:
                item = db.session.get(TrainingSession, session_id)
                user = db.session.get(User, user_id)
                barrier.wait(timeout=10)
                services.book_session(item, user)
                db.session.commit()
            except Exception as exc:  # surfaced below
                errors.append(repr(exc))
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=book, args=(uid,)) for uid in volunteer_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    db.session.expire_all()
    statuses = db.session.scalars(select(Booking.status).where(Booking.session_id == session_id)).all()
    assert statuses.count(BookingStatus.BOOKED) == capacity
    assert statuses.count(BookingStatus.WAITLISTED) == people - capacity
    assert db.session.get(TrainingSession, session_id).seats_taken == capacity
    assert db.session.scalar(select(func.count(Booking.id))) == people
