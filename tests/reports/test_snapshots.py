"""Dashboard snapshots: numbers worked out once and shared for `fresh_minutes`, then worked out again; kept per
scope, so a coordinator never reads a snapshot of someone else's areas; `flask reports refresh` warms them."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from app.auth.models import Role
from app.extensions import db
from app.reports.models import DashboardSnapshot
from tests.factories import make_user
from tests.reports.scheme import TODAY, build


@pytest.fixture
def scheme_day(monkeypatch):
    import app.reports.cli
    import app.reports.views

    monkeypatch.setattr(app.reports.views, "today_london", lambda: TODAY)
    monkeypatch.setattr("app.timefmt.today_london", lambda: TODAY)


def _pipeline_row(html: str) -> str:
    start = html.index('id="pipeline"')
    return html[start:start + 4000]


def test_a_second_look_reads_the_snapshot_and_shows_the_same_numbers(login_as, scheme_day, count_queries):
    build()
    manager = login_as(make_user(Role.MANAGER))
    with count_queries() as first:
        cold = manager.get("/dashboard").get_data(as_text=True)
    with count_queries() as second:
        warm = manager.get("/dashboard").get_data(as_text=True)
    assert len(second) < len(first) - 5  # the aggregates are not run again
    assert _pipeline_row(warm) == _pipeline_row(cold)
    assert "These numbers were worked out at" in warm
    assert db.session.scalar(select(func.count()).select_from(DashboardSnapshot)) == 1


# Each kept view and a part of the page that shows only when its numbers are there.
VIEWS = [pytest.param("/dashboard", 'id="pipeline"', id="dashboard"),
         pytest.param("/reports?period=2025-year", 'id="recruited"', id="funder")]


@pytest.mark.parametrize(("url", "part"), VIEWS)
def test_numbers_are_worked_out_again_once_the_snapshot_is_old(login_as, scheme_day, url, part):
    build()
    manager = login_as(make_user(Role.MANAGER))
    manager.get(url)
    db.session.execute(update(DashboardSnapshot).values(panels=[]))  # what a stale snapshot would show
    db.session.commit()
    assert part not in manager.get(url).get_data(as_text=True)  # still fresh: read as kept
    db.session.execute(update(DashboardSnapshot).values(computed_at=datetime.now(UTC) - timedelta(minutes=11)))
    db.session.commit()
    assert part in manager.get(url).get_data(as_text=True)  # over 10 minutes: worked out


def test_each_scope_has_its_own_snapshot(login_as, scheme_day):
    build()
    manager = login_as(make_user(Role.MANAGER))
    manager.get("/dashboard")
    durham = login_as(make_user(Role.COORDINATOR, areas=["Durham"]))
    page = durham.get("/dashboard").get_data(as_text=True)
    assert "Weardale" not in page  # the manager's every-area snapshot is not the coordinator's
    assert db.session.scalar(select(func.count()).select_from(DashboardSnapshot)) == 2
    manager.get("/dashboard?area=" + str(_area_id("Durham")))
    assert db.session.scalar(select(func.count()).select_from(DashboardSnapshot)) == 3


def _area_id(name: str) -> int:
    from app.core.models import Area

    return db.session.scalar(select(Area.id).where(Area.name == name))


def test_refresh_works_out_the_default_views_and_drops_old_ones(app, login_as, scheme_day, count_queries):
    build()
    make_user(Role.COORDINATOR, areas=["Durham"])
    db.session.add(DashboardSnapshot(key="x" * 64, computed_at=datetime.now(UTC) - timedelta(days=2), panels=[]))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["reports", "refresh"])
    assert result.exit_code == 0, result.output
    assert "2 dashboards and 2 funder reports worked out, 1 old snapshots removed" in result.output
    manager = login_as(make_user(Role.MANAGER))
    with count_queries() as opened:
        page = manager.get("/dashboard").get_data(as_text=True)
    assert 'id="pipeline"' in page and len(opened) < 8  # read from the refreshed snapshot


@pytest.mark.parametrize(("url", "part"), VIEWS)
def test_a_snapshot_from_another_release_is_worked_out_again_not_a_500(login_as, scheme_day, url, part):
    build()
    manager = login_as(make_user(Role.MANAGER))
    manager.get(url)
    db.session.execute(update(DashboardSnapshot).values(panels=[{"key": "pipeline", "no such field": 1}]))
    db.session.commit()
    response = manager.get(url)
    assert response.status_code == 200 and part in response.get_data(as_text=True)


def _tables(html: str) -> str:
    return html[html.index('id="recruited"'):html.index("</main>")]


def test_the_funder_report_and_its_downloads_read_one_snapshot(login_as, scheme_day, count_queries):
    build()
    manager = login_as(make_user(Role.MANAGER))
    with count_queries() as first:
        cold = manager.get("/reports?period=2025-year").get_data(as_text=True)
    with count_queries() as second:
        warm = manager.get("/reports?period=2025-year").get_data(as_text=True)
    assert len(second) < len(first) - 5  # the seven tables' aggregates are not run again
    assert _tables(warm) == _tables(cold)
    assert "These numbers were worked out at" in warm
    with count_queries() as download:
        csv = manager.get("/reports/training.csv?period=2025-year").get_data(as_text=True)
    assert len(download) == len(second)  # from the same snapshot
    assert "Training delivered and completed" in csv
    assert db.session.scalar(select(func.count()).select_from(DashboardSnapshot)) == 1


def test_each_scope_has_its_own_funder_report(login_as, scheme_day):
    build()
    login_as(make_user(Role.MANAGER)).get("/reports?period=2025-year")
    durham = login_as(make_user(Role.COORDINATOR, areas=["Durham"]))
    page = durham.get("/reports?period=2025-year").get_data(as_text=True)
    assert "Weardale" not in page and 'id="recruited"' in page  # not the manager's every-area snapshot
    assert db.session.scalar(select(func.count()).select_from(DashboardSnapshot)) == 2
