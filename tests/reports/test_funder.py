"""The funder reports against the hand-built scheme, the small-number rule, financial quarters, and the CSV."""
import csv
import io
import shutil
from datetime import date
from pathlib import Path

import pytest

from app.reports import rules
from app.reports.policy import policy
from app.reports.queries_panels import report_table
from tests.reports.scheme import build

Q1 = rules.quarter(2026, 1)          # April to June 2026
YEAR = rules.financial_year(2025)    # April 2025 to March 2026


@pytest.fixture
def scheme():
    return build()


def shown(key, period, areas=None) -> dict:
    table = report_table(key, areas, period)
    return {row[0]: row[1:] for row in table.shown_rows(policy())}


def test_financial_quarters_and_years_are_labelled_clearly():
    assert Q1.label == "Q1 2026 to 2027 (April to June 2026)"
    assert (Q1.start, Q1.end) == (date(2026, 4, 1), date(2026, 6, 30))
    q4 = rules.quarter(2026, 4)
    assert (q4.start, q4.end, q4.label) == (date(2027, 1, 1), date(2027, 3, 31), "Q4 2026 to 2027 (January to March 2027)")
    assert rules.quarter(2026, 3).end == date(2026, 12, 31)
    assert YEAR.label == "The year 2025 to 2026 (April 2025 to March 2026)"
    assert rules.parse_period("2026-q1") == Q1 and rules.parse_period("2025-year") == YEAR
    for nonsense in ("", "2026-q5", "2026", "abcd-q1", "99999-q1", "2026-Q1x", "1800-year"):
        assert rules.parse_period(nonsense) is None
    assert rules.current_quarter(date(2026, 3, 31)).key == "2025-q4"
    assert rules.current_quarter(date(2026, 4, 1)).key == "2026-q1"


def test_the_small_number_rule():
    assert [rules.shown(n, 5) for n in (0, 1, 4, 5, 1234)] == ["0", "fewer than 5", "fewer than 5", "5", "1,234"]
    assert rules.shown(0, 5, suppress_zero=True) == "fewer than 5"
    assert rules.shown(9, 10) == "fewer than 10"  # the threshold comes from the policy


def test_percentile_ranks_are_nearest_rank():
    assert [rules.nearest_rank(50, n) for n in (1, 2, 3, 4, 5)] == [1, 1, 2, 2, 3]
    assert [rules.nearest_rank(90, n) for n in (1, 2, 4, 10, 11)] == [1, 2, 4, 9, 10]


def test_recruited_and_lived_experience_follow_the_small_number_rule(scheme):
    # Accepted April 2025 to March 2026: Ann, Ben, Cat, Fay (Durham) and Gus (Weardale): five people.
    year = shown("recruited", YEAR)
    assert year["Total (each person once)"] == ["5"]
    assert year["Durham"] == ["fewer than 5"] and year["Weardale"] == ["fewer than 5"] and year["Teesdale"] == ["0"]
    lived = shown("lived-experience", YEAR)
    assert lived["Homelessness"] == ["5"] and lived["Mental health"] == ["fewer than 5"] and lived["Gambling"] == ["0"]
    table = report_table("recruited", None, YEAR)
    assert [r for r in table.rows if r[0] == "Durham"] == [["Durham", 4]]  # the number itself never leaves


def test_training_released_active_contacts_and_expenses(scheme):
    training = shown("training", YEAR)
    # The taster day in March 2026: 1 session, 3 attendances, 17.5 hours; 4 people completed each course.
    assert training["Taster day"] == ["1", "3", "17.5", "fewer than 5"]
    assert training["All courses"][:3] == ["1", "3", "17.5"]
    q1_training = shown("training", Q1)
    assert q1_training["Adult safeguarding (level 1, accredited)"][:3] == ["1", "1", "3.0"]
    assert shown("released", Q1)["Total (each person once)"] == ["fewer than 5"]  # Ann and Ben
    assert report_table("released", None, Q1).rows[0] == ["Total (each person once)", 2]
    assert report_table("active", None, YEAR).rows[0] == ["Total (each person once)", 2]  # Fay and Gus, January to March
    assert shown("contacts", Q1) == {"Contacts": ["3"], "Hours": ["3.0"], "Pairs with a contact": ["1"],
                                     "Clients with a contact": ["1"]}
    expenses = shown("expenses", Q1)
    assert expenses["Supporting a client"] == ["CPM-4010", "£17.50", "fewer than 5"]
    assert expenses["Training (attending or teaching)"] == ["CPM-4020", "£8.00", "fewer than 5"]
    assert expenses["Scheme meetings and events"] == ["CPM-4030", "£0.00", "0"]
    assert expenses["All streams"][1] == "£25.50"


def test_a_coordinator_sees_only_their_areas(scheme):
    durham = (scheme.durham,)
    assert report_table("recruited", durham, YEAR).rows[0] == ["Total (each person once)", 4]
    assert {r[0] for r in report_table("recruited", durham, YEAR).rows} == {"Total (each person once)", "Durham"}
    assert report_table("contacts", durham, rules.financial_year(2025)).rows[0] == ["Contacts", 0]  # Gus: Weardale


def test_the_csv_is_the_table_with_the_rule_applied_and_formulas_neutralised(scheme, login_as):
    manager = login_as("manager")
    response = manager.get("/reports/recruited.csv?period=2025-year")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["Volunteers recruited"] and rows[1] == [YEAR.label]
    body = {r[0]: r[1:] for r in rows[5:]}
    assert body["Total (each person once)"] == ["5"] and body["Durham"] == ["fewer than 5"] and body["Teesdale"] == ["0"]
    assert "4" not in [cell for r in rows for cell in r]
    from app.csvout import safe_cell

    assert [safe_cell(v) for v in ("=1+1", "+44", "-2", "@SUM", "plain")] == ["'=1+1", "'+44", "'-2", "'@SUM", "plain"]


def test_the_threshold_is_read_from_the_policy(scheme, app, tmp_path, monkeypatch):
    shutil.copytree(Path(app.config["POLICY_DIR"]), tmp_path / "policy")
    changed = tmp_path / "policy" / "reports.toml"
    changed.write_text(changed.read_text().replace("threshold = 5", "threshold = 6"))
    monkeypatch.setitem(app.config, "POLICY_DIR", str(tmp_path / "policy"))
    assert shown("recruited", YEAR)["Total (each person once)"] == ["fewer than 6"]
