"""The training lists at two sizes that both fill a page: the same queries and rows loaded.

The growth guard (tests/test_growth_guard.py) builds its small world with fewer coming sessions than a page, so
these lists load more rows in its large world until their first page is full. Here both sizes are past a full
page (and past CALENDAR_DAY_SHOWN sessions on every day of the month), counted as the guard counts."""
from datetime import time, timedelta

import pytest

from app.extensions import db
from app.timefmt import london_to_utc, today_london
from app.training import rules
from app.training.queries import CALENDAR_DAY_SHOWN
from tests.factories import make_user
from tests.test_growth_guard import World, measure_fresh
from tests.training.factories import make_session


def _month_ahead():
    return rules.shift_month(today_london().replace(day=1), 2)


def _fill(trainer, per_day: int) -> None:
    """per_day more sessions on every day of the month after next, all taught by `trainer`."""
    trainer = db.session.merge(trainer)
    first = _month_ahead()
    day = first
    while day.month == first.month:
        for n in range(per_day):
            make_session(["taster-day", "grow-model"][n % 2], starts_at=london_to_utc(day, time(8 + n % 12, n % 60)),
                         trainers=[trainer], commit=False)
        day += timedelta(days=1)
    db.session.commit()


@pytest.mark.parametrize("role, url", [
    ("coordinator", "/training/manage"),
    ("coordinator", "/training/sessions"),
    ("volunteer", "/training/sessions"),
    ("coordinator", "/training/sessions/calendar?month={month}"),
    ("trainer", "/training/teaching"),
])
def test_a_full_page_loads_the_same_rows_however_many_sessions_there_are(app, login_as, role, url):
    trainer = make_user("trainer")
    clients = {"coordinator": login_as("coordinator"), "volunteer": login_as("volunteer"), "trainer": login_as(trainer)}
    world = World(app, clients, {})
    url = url.format(month=f"{_month_ahead():%Y-%m}")
    _fill(trainer, CALENDAR_DAY_SHOWN + 1)  # over 100 coming sessions: every list is past its first page
    small = measure_fresh(world, role, url)
    _fill(trainer, 8)
    large = measure_fresh(world, role, url)
    assert small.status == large.status == 200
    assert (large.queries, large.rows) == (small.queries, small.rows), (small, large)
