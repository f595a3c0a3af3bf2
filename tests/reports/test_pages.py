"""The dashboard and report pages: who may open them, coordinators' scope, bad filters, and what they show."""
import re
from datetime import timedelta

import pytest

from app.auth.models import Role
from app.timefmt import today_london
from tests.factories import make_user
from tests.reports.scheme import TODAY, build


@pytest.fixture
def scheme_day(monkeypatch):
    """The pages as on the hand-built scheme's day (15 June 2026)."""
    import app.reports.views

    monkeypatch.setattr(app.reports.views, "today_london", lambda: TODAY)

PAGES = ["/dashboard", "/reports", "/reports/recruited.csv", "/dashboard/lapsing/dbs/30",
         "/dashboard/lapsing/agreement/0"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", list(Role))
def test_only_managers_and_coordinators_open_the_reports(login_as, role, path):
    response = login_as(make_user(role, areas=["Durham"])).get(path)
    assert response.status_code == (200 if role in (Role.MANAGER, Role.COORDINATOR) else 403)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def _lapsing_names(html: str) -> list[str]:
    return re.findall(r'href="/readiness/people/\d+">([^<]+)</a>', html)


def test_a_coordinator_of_durham_never_sees_weardale(login_as, scheme_day):
    scheme = build()
    durham = login_as(make_user(Role.COORDINATOR, areas=["Durham"]))
    page = durham.get("/dashboard").get_data(as_text=True)
    assert "Weardale" not in page  # not in the area choices, not in the volunteers by area
    # Asking for Weardale's numbers is refused by the form and the page stays on Durham's.
    asked = durham.get(f"/dashboard?area={scheme.weardale}").get_data(as_text=True)
    assert "Choose an area from the list" in asked
    for path in (f"/dashboard/lapsing/dbs/90?area={scheme.weardale}", "/dashboard/lapsing/dbs/90"):
        names = _lapsing_names(durham.get(path).get_data(as_text=True))
        assert names == ["Fay Tester"], path  # Gus's DBS lapses too, but he is in Weardale
    assert _lapsing_names(durham.get("/dashboard/lapsing/agreement/0").get_data(as_text=True)) == ["Cat Tester"]
    report = durham.get(f"/reports?period=2025-year&area={scheme.weardale}").get_data(as_text=True)
    assert "Weardale" not in report
    weardale = login_as(make_user(Role.COORDINATOR, areas=["Weardale"]))
    assert _lapsing_names(weardale.get("/dashboard/lapsing/dbs/90").get_data(as_text=True)) == ["Gus Tester"]
    manager = login_as("manager")
    assert _lapsing_names(manager.get("/dashboard/lapsing/dbs/90").get_data(as_text=True)) == ["Fay Tester",
                                                                                               "Gus Tester"]


def test_a_coordinator_with_no_areas_sees_nobody(login_as, scheme_day):
    build()
    nobody = login_as(make_user(Role.COORDINATOR))
    assert _lapsing_names(nobody.get("/dashboard/lapsing/dbs/90").get_data(as_text=True)) == []
    assert nobody.get("/dashboard").status_code == 200


@pytest.mark.parametrize("query, message", [
    ("start=31&start=2&start=2026", "The start date must be a real date"),
    ("start=1&start=&start=2026", "The start date must include a month"),
    ("end=1&end=1&end=26", "Year must include 4 numbers"),
    ("start=2026-13-01", "The start date must be a real date"),
    ("start=1&start=1&start=1800", "The start date must be in 1900 or later"),
    ("start=2026-06-01&end=2026-01-01", "The end date must be the same as or after the start date"),
    ("start=2020-01-01&end=2026-01-01", "The dates can be at most 36 months apart"),
    ("area=abc", "Choose an area from the list"),
    ("area=99999999999999999999", "Choose an area from the list"),
])
def test_bad_filters_give_a_message_by_the_field_never_a_500(login_as, query, message):
    response = login_as("manager").get(f"/dashboard?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page and "govuk-error-summary" in page and "<title>Error:" in page


@pytest.mark.parametrize("query", ["period=2026-q9", "period=%00", "period=" + "9" * 40, "area=-1", "area=%F0%9F"])
def test_bad_report_filters_never_give_a_500(login_as, query):
    manager = login_as("manager")
    assert manager.get(f"/reports?{query}").status_code == 200
    assert manager.get(f"/reports/expenses.csv?{query}").status_code == 200


@pytest.mark.parametrize("path", ["/dashboard/lapsing/dbs/31", "/dashboard/lapsing/nonsense/30",
                                  "/dashboard/lapsing/agreement/30", "/dashboard/lapsing/dbs/0",
                                  "/reports/nonsense.csv", "/dashboard/lapsing/dbs/99999999999999999999"])
def test_unknown_lists_and_tables_are_not_found(login_as, path):
    assert login_as("manager").get(path).status_code == 404


def test_the_dashboard_shows_each_chart_with_a_title_description_and_table(login_as, scheme_day):
    build()
    page = login_as("manager").get("/dashboard").get_data(as_text=True)
    charts = re.findall(r'<img class="cpm-chart__image" src="data:image/svg\+xml;base64,[^"]+" alt="([^"]+)"', page)
    assert len(charts) == 7 and all(alt for alt in charts)
    assert page.count('<table class="govuk-table') >= 8  # a table for each chart, and the months' table
    assert "<script" not in page.split("<main")[1].split("</main>")[0]
    for title in ("The pipeline", "Time spent in each stage", "What is holding volunteers back", "What lapses soon",
                  "Volunteers by area", "Volunteering hours with clients", "Training delivered"):
        assert f">{title}</h2>" in page


def test_the_dates_filter_the_numbers(login_as, scheme_day):
    build()
    manager = login_as("manager")
    page = manager.get("/dashboard?start=2026-02-01&end=2026-02-28").get_data(as_text=True)
    assert "February 2026" in page and "March 2026" not in page


def test_managers_and_coordinators_get_the_links(login_as):
    for role in (Role.MANAGER, Role.COORDINATOR):
        home = login_as(make_user(role, areas=["Durham"])).get("/").get_data(as_text=True)
        assert 'href="/dashboard"' in home and 'href="/reports"' in home
    home = login_as("volunteer").get("/").get_data(as_text=True)
    assert 'href="/dashboard"' not in home


def test_the_default_report_is_this_quarter(login_as):
    page = login_as("manager").get("/reports").get_data(as_text=True)
    from app.reports.rules import current_quarter

    assert current_quarter(today_london()).label in page
    assert today_london() - timedelta(days=1)  # the page states the period it covers


def test_the_page_shows_the_schemes_numbers(login_as, scheme_day):
    build()
    page = login_as("manager").get("/dashboard?start=2026-01-01&end=2026-06-30").get_data(as_text=True)
    assert "The gate holding the most people right now: Police vetting current (2 of 2)." in page
    assert re.search(r'href="/dashboard/lapsing/dbs/90\?area=">2</a>', page)
    assert re.search(r'href="/dashboard/lapsing/police/30\?area=">0</a>', page)
    assert "2 active volunteers have not signed the current volunteer agreement" in page
    applied = re.search(r'>Applied</th>\s*<td[^>]*>7</td>\s*<td[^>]*>5</td>', page)
    assert applied, "the pipeline's first row: 7 by today, 5 in the dates"


@pytest.mark.parametrize("query, words", [
    ("end=2026-02-28", "from 1 March 2025 to 28 February 2026"),
    ("start=2026-02-01", "from 1 February 2026 to 15 June 2026"),
    ("start=2026-09-01", "from 1 September 2026 to 1 September 2026"),
    ("", "from 1 July 2025 to 15 June 2026"),
])
def test_missing_dates_are_filled_in_sensibly(login_as, scheme_day, query, words):
    page = login_as("manager").get(f"/dashboard?{query}").get_data(as_text=True)
    assert words in " ".join(page.split())


def test_a_period_not_in_the_list_is_refused_by_the_field(login_as):
    page = login_as("manager").get("/reports?period=2026-q9").get_data(as_text=True)
    assert "Choose a period from the list" in page and "<title>Error:" in page
