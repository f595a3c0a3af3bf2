"""The retention periods at their boundaries: the last day kept, and the day it is due."""
from datetime import date

import pytest

from app.core.policy import PolicyFileError
from app.privacy import policy, rules


@pytest.mark.parametrize(("left_on", "today", "due"), [
    (date(2020, 3, 10), date(2026, 3, 9), False),   # the last day of the six years
    (date(2020, 3, 10), date(2026, 3, 10), True),   # the anniversary
    (date(2020, 3, 10), date(2026, 3, 11), True),
    (date(2020, 2, 29), date(2026, 2, 28), False),  # a leap day leaver is kept through 28 February...
    (date(2020, 2, 29), date(2026, 3, 1), True),    # ...and goes on 1 March
])
def test_leavers_are_due_on_the_anniversary_of_leaving(left_on, today, due):
    assert rules.leaver_due(left_on, today, 6) is due


@pytest.mark.parametrize(("settled_on", "today", "due"), [
    (date(2020, 5, 1), date(2027, 4, 5), False),   # tax year 2020-21 ends 5 April 2021: six full years to 5 April 2027
    (date(2020, 5, 1), date(2027, 4, 6), True),    # the day after
    (date(2021, 4, 5), date(2027, 4, 6), True),    # the last day of that tax year goes with it
    (date(2021, 4, 6), date(2027, 4, 6), False),   # the first day of the next is kept another year
    (date(2021, 4, 6), date(2028, 4, 5), False),
    (date(2021, 4, 6), date(2028, 4, 6), True),
])
def test_finance_records_are_kept_six_years_after_the_end_of_the_tax_year(settled_on, today, due):
    assert rules.finance_due(settled_on, today, 6) is due


def test_a_drivers_yearly_confirmation_goes_with_its_tax_years_claims():
    assert not rules.finance_tax_year_due(2020, date(2027, 4, 5), 6)
    assert rules.finance_tax_year_due(2020, date(2027, 4, 6), 6)


@pytest.mark.parametrize(("occurred_on", "today", "due"), [
    (date(2019, 6, 1), date(2026, 5, 31), False),  # the last day of the seven years
    (date(2019, 6, 1), date(2026, 6, 1), True),
])
def test_audit_events_are_due_on_the_anniversary_of_their_horizon(occurred_on, today, due):
    assert rules.audit_due(occurred_on, today, 7) is due


GOOD = {"applications": {"unsuccessful_months": 6}, "leavers": {"years": 6}, "finance": {"years": 6},
        "audit": {"years": 7}}


def test_the_policy_file_is_read_and_checked():
    assert policy.parse(GOOD, "retention.toml") == policy.RetentionPolicy(6, 6, 6, 7)
    for section, key, bad in [("leavers", "years", 0), ("finance", "years", "six"), ("audit", "years", True)]:
        with pytest.raises(PolicyFileError, match=rf"\[{section}\] {key} must be a whole number"):
            policy.parse({**GOOD, section: {key: bad}}, "retention.toml")
    with pytest.raises(PolicyFileError, match="must be longer"):
        policy.parse({**GOOD, "audit": {"years": 6}}, "retention.toml")


def test_the_shipped_policy_file_parses(app):
    with app.app_context():
        assert policy.current_policy().finance_years == 6
