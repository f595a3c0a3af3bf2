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


def test_a_busy_day_shows_its_first_sessions_and_links_to_the_list_of_all_of_them(login_as):
    first = _month_ahead()
    day = first + timedelta(days=9)
    trainer = make_volunteer()
    busy = [make_session("taster-day", starts_at=_at(day, 9 + i), trainers=[trainer]) for i in range(5)]
    other = make_session("taster-day", starts_at=_at(day + timedelta(days=1)), trainers=[trainer])
    client = login_as(make_volunteer())
    page = client.get(f"/training/sessions/calendar?month={first:%Y-%m}").text
    assert f"{first:%B %Y}: 6 upcoming sessions</caption>" in page  # the count is every session, not those shown
    cell = _cell(page, f"{day:%A} {day.day} {day:%B}")
    assert [f'href="/training/sessions/{s.id}"' in cell for s in busy] == [True, True, True, False, False]
    label = f"{day:%A} {day.day} {day:%B}"
    assert (f'<a class="govuk-link" href="/training/sessions?day={day.isoformat()}">See all 5 sessions'
            f'<span class="govuk-visually-hidden"> on {label}</span></a>') in cell
    assert "See all" not in _cell(page, f"{day + timedelta(days=1):%A} {day.day + 1} {day:%B}")  # one session: no link
    listed = client.get(f"/training/sessions?day={day.isoformat()}").text
    assert f"5 sessions on {label} {day:%Y}." in listed and "Show sessions on every day" in listed
    assert all(f'href="/training/sessions/{s.id}"' in listed for s in busy)
    assert f'href="/training/sessions/{other.id}"' not in listed


def test_the_days_list_keeps_the_course_and_area_and_is_paged(login_as):
    first = _month_ahead()
    day = first + timedelta(days=4)
    trainer = make_volunteer()
    for i in range(30):
        make_session("taster-day", starts_at=_at(day, 8) + timedelta(minutes=20 * i), trainers=[trainer], commit=False)
    grow = make_session("grow-model", starts_at=_at(day, 20), trainers=[trainer])
    client = login_as(make_volunteer())
    cell = _cell(client.get(f"/training/sessions/calendar?month={first:%Y-%m}&course=taster-day").text,
                 f"{day:%A} {day.day} {day:%B}")
    assert f"/training/sessions?day={day.isoformat()}&amp;course=taster-day" in cell and "See all 30 sessions" in cell
    listed = client.get(f"/training/sessions?day={day.isoformat()}&course=taster-day").text
    assert "30 sessions on" in listed and f'href="/training/sessions/{grow.id}"' not in listed
    assert listed.count('<div class="cpm-card">') == 25 and f"?page=2&amp;day={day.isoformat()}&amp;course=taster-day" in listed


def test_days_are_uk_days_in_summer_time(login_as):
    """Half past midnight in July is the evening before in UTC: the calendar and the day's list still put it on
    its UK day."""
    first = today_london().replace(year=today_london().year + 1, month=7, day=1)
    day = first + timedelta(days=13)
    trainer = make_volunteer()
    early = make_session("taster-day", starts_at=london_to_utc(day, time(0, 30)), trainers=[trainer])
    for i in range(3):
        make_session("taster-day", starts_at=_at(day, 10 + i), trainers=[trainer])
    late = make_session("taster-day", starts_at=london_to_utc(day - timedelta(days=1), time(23, 30)), trainers=[trainer])
    client = login_as(make_volunteer())
    page = client.get(f"/training/sessions/calendar?month={first:%Y-%m}").text
    cell = _cell(page, f"{day:%A} {day.day} {day:%B}")
    assert f'href="/training/sessions/{early.id}"' in cell and "See all 4 sessions" in cell
    assert f'href="/training/sessions/{late.id}"' in _cell(page, f"{day - timedelta(days=1):%A} {day.day - 1} {day:%B}")
    listed = client.get(f"/training/sessions?day={day.isoformat()}").text
    assert f'href="/training/sessions/{early.id}"' in listed and f'href="/training/sessions/{late.id}"' not in listed


def test_a_bad_day_shows_every_day(login_as):
    make_session("taster-day")
    client = login_as(make_volunteer())
    for bad in ("2026-13-01", "banana", "12026-01-01", "2026-1-1"):
        response = client.get(f"/training/sessions?day={bad}")
        assert response.status_code == 200 and "Show sessions on every day" not in response.text


def test_a_month_of_busy_days_loads_a_few_sessions_a_day(login_as, count_queries):
    """However many sessions a day holds, the calendar loads at most CALENDAR_DAY_SHOWN of them."""
    from app.training.queries import CALENDAR_DAY_SHOWN

    first = _month_ahead()
    trainer = make_volunteer()
    client = login_as(make_volunteer())
    url = f"/training/sessions/calendar?month={first:%Y-%m}"

    def add(per_day):
        for offset in range(3):
            for i in range(per_day):
                make_session("taster-day", starts_at=_at(first + timedelta(days=offset), 8) + timedelta(minutes=i),
                             trainers=[trainer], commit=False)
        db.session.commit()

    add(CALENDAR_DAY_SHOWN)
    client.get(url)
    with count_queries() as small:
        small_page = client.get(url).text
    add(7)
    with count_queries() as large:
        large_page = client.get(url).text
    assert len(small) == len(large)
    shown = re.compile(r'href="/training/sessions/\d+"')
    assert len(shown.findall(small_page)) == len(shown.findall(large_page)) == 3 * CALENDAR_DAY_SHOWN
    assert small_page.count("See all") == 0 and large_page.count("See all") == 3
    assert f"{first:%B %Y}: {3 * (CALENDAR_DAY_SHOWN + 7)} upcoming sessions" in large_page
