"""The catalogue and register pages run the same number of queries whatever the data size."""
from datetime import timedelta

from app.db_types import utcnow
from app.extensions import db
from app.training import services
from app.training import services_registers as attendance
from app.training.models import Attendance
from tests.factories import make_user
from tests.training.factories import make_session, make_volunteer, venue


def _catalogue_data(n, volunteer, first_day=1):
    names = ["Darlington Community Hub", "Consett Civic Centre", "Peterlee Community Centre"]
    for i in range(n):
        item = make_session(["grow-model", "hear-principles", "mental-health-awareness"][i % 3], starts_at=utcnow() + timedelta(days=i + first_day),
                            trainers=[make_user("trainer"), make_user("trainer")], venue_name=names[i % 3])
        if i % 2 == 0:
            place_for(item, volunteer)  # one person on several days of a course: only staff can do that
    db.session.commit()


def _count_page(client, url, count_queries):
    client.get(url)  # warm up (first request loads templates)
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_catalogue_query_count_is_fixed(login_as, count_queries):
    venue()
    volunteer = make_volunteer("taster-day")
    client = login_as(volunteer)
    _catalogue_data(3, volunteer)
    small = _count_page(client, "/training/sessions", count_queries)
    _catalogue_data(15, volunteer, first_day=10)
    large = _count_page(client, "/training/sessions", count_queries)
    assert small == large, f"catalogue ran {small} queries with 3 sessions but {large} with 18"
    filtered = _count_page(client, "/training/sessions?course=grow-model&month=", count_queries)
    assert filtered == large


def _register_data(people):
    start = utcnow() + timedelta(days=1)
    item = make_session("grow-model", starts_at=start, capacity=people, trainers=[make_user("trainer")])
    bookings = [services.book_session(item, make_volunteer("taster-day")) for _ in range(people)]
    for _ in range(people):
        make_volunteer("taster-day")  # walk-in candidates
    item.starts_at = utcnow() - timedelta(hours=1)
    item.ends_at = item.starts_at + timedelta(hours=3)
    coordinator = make_user("coordinator")
    for booking in bookings[: people // 2]:
        attendance.mark_attendance(booking, Attendance.PRESENT, coordinator)
    db.session.commit()
    return item


def test_register_query_count_is_fixed(login_as, count_queries):
    small_session = _register_data(2)
    large_session = _register_data(12)
    small = _count_page(login_as(small_session.trainers[0]), f"/training/sessions/{small_session.id}/register",
                        count_queries)
    large = _count_page(login_as(large_session.trainers[0]), f"/training/sessions/{large_session.id}/register",
                        count_queries)
    assert small == large, f"register ran {small} queries with 2 people but {large} with 12"
    print(f"register page: {large} queries; ", end="")


def test_record_and_home_query_counts_are_fixed(login_as, count_queries):
    volunteer = make_volunteer("taster-day")
    client = login_as(volunteer)
    _catalogue_data(2, volunteer)
    small = (_count_page(client, "/training/record", count_queries), _count_page(client, "/", count_queries))
    _catalogue_data(10, volunteer, first_day=10)
    large = (_count_page(client, "/training/record", count_queries), _count_page(client, "/", count_queries))
    assert small == large


def place_for(item, volunteer):
    """A place booked straight into the table (as staff might), so one person can hold several of a course."""
    from app.training.models import Booking, BookingStatus

    db.session.add(Booking(session=item, user=volunteer, status=BookingStatus.BOOKED))
    item.seats_taken += 1
    db.session.flush()
