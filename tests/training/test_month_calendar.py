"""The month calendar of upcoming sessions: a table by day, filtered by course and area, with seats left."""
import re
from datetime import time, timedelta

from app.extensions import db
from app.timefmt import london_to_utc, today_london
from app.training import rules, services
from tests.training.factories import make_session, make_volunteer


def _month_ahead(months=2):
    return rules.shift_month(today_london().replace(day=1), months)


def _at(day, hour=10):
    return london_to_utc(day, time(hour))


def _cell(page: str, label: str) -> str:
    """The calendar cell whose full date reads `label`, e.g. 'Tuesday 9 March'."""
    match = re.search(r'<td class="govuk-table__cell cpm-calendar__day[^"]*">((?:(?!</td>).)*?'
                      + re.escape(label) + r'.*?)</td>', page, re.S)
    assert match, f"no cell for {label}"
    return match.group(1)


def test_sessions_appear_on_their_day_with_seats_left(login_as):
    first = _month_ahead()
    day = first + timedelta(days=8)
    taster = make_session("taster-day", starts_at=_at(day, 9), capacity=2)
    grow = make_session("grow-model", starts_at=_at(day + timedelta(days=1), 18), capacity=1,
                        venue_name="Consett Civic Centre")
    make_session("taster-day", starts_at=_at(rules.shift_month(first, 1) + timedelta(days=3)))  # next month
    volunteer = make_volunteer("taster-day")
    services.book_session(grow, volunteer)
    db.session.commit()
    page = login_as(make_volunteer()).get(f"/training/sessions/calendar?month={first:%Y-%m}").text
    assert f"<title>Training calendar, {first:%B %Y}" in page
    assert f"{first:%B %Y}: 2 upcoming sessions</caption>" in page
    assert '<th scope="col" class="govuk-table__header"><span aria-hidden="true">Mon</span><span class="govuk-visually-hidden">Monday</span></th>' in page
    cell = _cell(page, f"{day:%A} {day.day} {day:%B}")
    assert f'href="/training/sessions/{taster.id}"' in cell and "Taster day" in cell and "2 seats left" in cell
    next_cell = _cell(page, f"{day + timedelta(days=1):%A} {day.day + 1} {day:%B}")
    assert "6pm" in next_cell and "Full: waiting list" in next_cell and "Derwent Valley" in next_cell
    # The booked volunteer sees their own status instead of the seats.
    mine = login_as(volunteer).get(f"/training/sessions/calendar?month={first:%Y-%m}").text
    assert "Booked" in _cell(mine, f"{day + timedelta(days=1):%A} {day.day + 1} {day:%B}")


def test_filters_by_course_and_area_and_keeps_them_across_months(login_as):
    first = _month_ahead()
    taster = make_session("taster-day", starts_at=_at(first + timedelta(days=2)))
    grow = make_session("grow-model", starts_at=_at(first + timedelta(days=3)), venue_name="Consett Civic Centre")
    client = login_as(make_volunteer())
    by_course = client.get(f"/training/sessions/calendar?month={first:%Y-%m}&course=grow-model").text
    assert f"/training/sessions/{grow.id}\"" in by_course and f"/training/sessions/{taster.id}\"" not in by_course
    assert f"month={rules.shift_month(first, 1):%Y-%m}&amp;course=grow-model" in by_course  # next month keeps it
    derwent = db.session.get(type(grow.venue), grow.venue.id).area_id
    by_area = client.get(f"/training/sessions/calendar?month={first:%Y-%m}&area={derwent}").text
    assert f"/training/sessions/{grow.id}\"" in by_area and f"/training/sessions/{taster.id}\"" not in by_area


def test_a_bad_month_shows_this_month_and_past_months_are_not_offered(login_as):
    client = login_as(make_volunteer())
    this_month = today_london().replace(day=1)
    for bad in ("2026-13", "banana", "99999-01", "2026-1"):
        response = client.get(f"/training/sessions/calendar?month={bad}")
        assert response.status_code == 200
        assert f"<title>Training calendar, {this_month:%B %Y}" in response.text
    page = client.get("/training/sessions/calendar").text
    assert "Previous month" not in page and "Next month" in page
    assert "No upcoming sessions in" in page or "upcoming session" in page
    later = client.get(f"/training/sessions/calendar?month={_month_ahead():%Y-%m}").text
    assert "Previous month" in later and "No upcoming sessions in" in later


def test_the_list_and_the_calendar_link_to_each_other(login_as):
    client = login_as(make_volunteer())
    assert "/training/sessions/calendar" in client.get("/training/sessions?course=taster-day").text
    assert "/training/sessions?month=" in client.get("/training/sessions/calendar").text


def test_calendar_query_count_is_fixed(login_as, count_queries):
    first = _month_ahead()
    volunteer = make_volunteer("taster-day")
    client = login_as(volunteer)

    def add(n, offset):
        for i in range(n):
            item = make_session(["grow-model", "hear-principles"][i % 2], starts_at=_at(first + timedelta(days=offset + i)))
            if i % 2 == 0:
                place_for(item, volunteer)  # one person on several days of a course: only staff can do that
        db.session.commit()

    url = f"/training/sessions/calendar?month={first:%Y-%m}"
    add(2, 0)
    client.get(url)
    with count_queries() as small:
        client.get(url)
    add(10, 5)
    with count_queries() as large:
        assert "12 upcoming sessions" in client.get(url).text
    assert len(small) == len(large)


def place_for(item, volunteer):
    """A place booked straight into the table (as staff might), so one person can hold several of a course."""
    from app.training.models import Booking, BookingStatus

    db.session.add(Booking(session=item, user=volunteer, status=BookingStatus.BOOKED))
    item.seats_taken += 1
    db.session.flush()
