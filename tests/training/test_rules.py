"""The pure training rules, without a request or a database."""
from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.dates import add_months
from app.training import rules
from app.training.forms import exists_in_london, parse_time

POLICY = rules.TrainingPolicy(opens_before=timedelta(minutes=30), closes_after=timedelta(hours=48),
                              recertify_window=timedelta(days=90))


@pytest.mark.parametrize("start, months, expected", [
    (date(2026, 1, 31), 1, date(2026, 2, 28)),
    (date(2028, 1, 31), 1, date(2028, 2, 29)),
    (date(2026, 11, 21), 36, date(2029, 11, 21)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),
    (date(2028, 2, 29), 12, date(2029, 2, 28)),
])
def test_add_months_clips_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_expiry_date_only_for_courses_that_expire():
    assert rules.expiry_date(date(2026, 3, 1), 36) == date(2029, 3, 1)
    assert rules.expiry_date(date(2026, 3, 1), None) is None


START = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
END = START + timedelta(hours=6)


@pytest.mark.parametrize("now, expected", [
    (START - timedelta(minutes=31), "not_open"),
    (START - timedelta(minutes=30), "open"),
    (START + timedelta(hours=3), "open"),
    (END + timedelta(hours=47, minutes=59), "open"),
    (END + timedelta(hours=48), "closed"),
])
def test_register_window(now, expected):
    assert rules.register_state(START, END, now, POLICY) == expected


def test_a_closed_register_stays_closed():
    assert rules.register_state(START, END, START, POLICY, closed_at=START) == "closed"


@pytest.mark.parametrize("trainer, coordinator, state, allowed", [
    (True, False, "open", True),
    (True, False, "not_open", False),
    (True, False, "closed", False),
    (False, True, "open", True),
    (False, True, "closed", True),
    (False, True, "not_open", False),
    (False, False, "open", False),
])
def test_who_may_mark(trainer, coordinator, state, allowed):
    assert rules.can_mark(is_trainer=trainer, is_coordinator=coordinator, state=state) is allowed


def _eligibility(**overrides):
    values = dict(is_volunteer=True, prerequisites=["taster-day"], prerequisite_titles={"taster-day": "Taster day"},
                  completed_current={"taster-day": None}, completed_ever={"taster-day"}, course_code="grow-model",
                  course_expires=False, session_day=date(2026, 6, 10), overlaps=False, started=False,
                  cancelled=False, policy=POLICY)
    return rules.booking_eligibility(**(values | overrides))


def test_eligible_volunteer_can_book():
    assert _eligibility().ok


@pytest.mark.parametrize("overrides, reason", [
    ({"is_volunteer": False}, "Only volunteers"),
    ({"completed_current": {}}, "You need to complete Taster day"),
    ({"completed_ever": {"taster-day", "grow-model"}}, "already completed this course"),
    ({"overlaps": True}, "another session at the same time"),
    ({"same_course_booked_on": date(2026, 7, 1)}, "You already have a place on this course on 1 July 2026"),
    ({"started": True}, "already started"),
    ({"cancelled": True}, "cancelled"),
    ({"is_trainer": True}, "You are a trainer on this session"),
    ({"is_volunteer": False, "applicant": "open"}, "While you are applying, you can book a taster day"),
    ({"is_volunteer": False, "applicant": "not_sent", "open_to_applicants": True, "course_code": "taster-day",
      "prerequisites": []}, "Send your application first"),
    ({"is_volunteer": False, "applicant": None, "open_to_applicants": True}, "Only volunteers"),
])
def test_ineligible_with_a_reason(overrides, reason):
    verdict = _eligibility(**overrides)
    assert not verdict.ok
    assert reason in verdict.reason


def test_applicant_with_an_application_sent_may_book_a_taster_day():
    taster = dict(is_volunteer=False, course_code="taster-day", prerequisites=[], completed_current={},
                  completed_ever=set(), open_to_applicants=True)
    assert _eligibility(**taster, applicant="open").ok
    assert not _eligibility(**taster, applicant="open", overlaps=True).ok
    assert not _eligibility(**(taster | {"completed_ever": {"taster-day"}}), applicant="open").ok


def test_refresher_only_near_expiry():
    expiring = {"course_code": "adult-safeguarding-level-1", "course_expires": True,
                "completed_ever": {"taster-day", "adult-safeguarding-level-1"}}
    far = _eligibility(**expiring, completed_current={"taster-day": None, "adult-safeguarding-level-1": date(2027, 6, 1)})
    assert not far.ok and "refresher" in far.reason
    near = _eligibility(**expiring, completed_current={"taster-day": None, "adult-safeguarding-level-1": date(2026, 8, 1)})
    assert near.ok
    lapsed = _eligibility(**expiring)  # completed before, no longer current
    assert lapsed.ok


def test_overlap_ignores_touching_ends():
    a = datetime(2026, 6, 10, 9, tzinfo=UTC)
    assert rules.overlaps(a, a + timedelta(hours=2), a + timedelta(hours=1), a + timedelta(hours=3))
    assert not rules.overlaps(a, a + timedelta(hours=2), a + timedelta(hours=2), a + timedelta(hours=3))


def test_knowledge_check_score_and_pass_mark():
    questions = [{"answer": 1}, {"answer": 0}, {"answer": 2}, {"answer": 1}, {"answer": 1}]
    assert rules.score_check(questions, {0: 1, 1: 0, 2: 2, 3: 1, 4: 1}) == 100
    assert rules.score_check(questions, {0: 1, 1: 0, 2: 2, 3: 1, 4: 0}) == 80
    assert rules.score_check(questions, {0: 1, 1: 0, 2: None}) == 40
    assert rules.passed(80, 80) and not rules.passed(79, 80)
    assert rules.score_check([], {}) == 0


@pytest.mark.parametrize("text, expected", [
    ("10:00", time(10)), ("14:30", time(14, 30)), ("9am", time(9)), ("2.30pm", time(14, 30)),
    ("12pm", time(12)), ("12am", time(0)), ("midday", time(12)), ("9:05 AM", time(9, 5)),
    ("25:00", None), ("13pm", None), ("10:75", None), ("ten", None), ("", None),
])
def test_parse_time(text, expected):
    assert parse_time(text) == expected


def test_times_skipped_when_the_clocks_go_forward_do_not_exist():
    assert not exists_in_london(date(2027, 3, 28), time(1, 30))   # last Sunday of March 2027
    assert exists_in_london(date(2027, 3, 28), time(2, 30))
    assert exists_in_london(date(2027, 10, 31), time(1, 30))     # happens twice; the first (BST) is used


def test_load_policy_reads_the_file(tmp_path):
    path = tmp_path / "training.toml"
    path.write_text("[register]\nopens_minutes_before_start = 15\ncloses_hours_after_end = 24\n"
                    "[bookings]\nrecertify_window_days = 60\n")
    policy = rules.load_policy(str(path))
    assert policy == rules.TrainingPolicy(timedelta(minutes=15), timedelta(hours=24), timedelta(days=60))


@pytest.mark.parametrize("value, expected", [
    ("2027-02", date(2027, 2, 1)), ("", date(2026, 11, 1)), (None, date(2026, 11, 1)), ("2027-13", date(2026, 11, 1)),
    ("27-2", date(2026, 11, 1)), ("1800-01", date(2026, 11, 1)), ("nonsense", date(2026, 11, 1)),
    ("2027-02-01", date(2026, 11, 1)), ("2027-2", date(2026, 11, 1)),
])
def test_parse_month_falls_back_to_this_month(value, expected):
    assert rules.parse_month(value, date(2026, 11, 21)) == expected


def test_month_weeks_start_on_monday_and_blank_other_months():
    weeks = rules.month_weeks(date(2027, 2, 1))  # 1 February 2027 is a Monday; 28 days
    assert len(weeks) == 4 and weeks[0][0] == date(2027, 2, 1) and weeks[-1][-1] == date(2027, 2, 28)
    december = rules.month_weeks(date(2026, 12, 1))  # starts on a Tuesday, ends on a Thursday
    assert december[0][:2] == [None, date(2026, 12, 1)]
    assert december[-1][3:] == [date(2026, 12, 31), None, None, None]
    assert [d for week in december for d in week if d] == [date(2026, 12, n) for n in range(1, 32)]
    assert rules.shift_month(date(2026, 12, 1), 1) == date(2027, 1, 1)
    assert rules.shift_month(date(2026, 1, 1), -1) == date(2025, 12, 1)
