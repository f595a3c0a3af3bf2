"""The policy file, the work-list categories and the volunteer's plain-words status (all pure)."""
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from app.core.services import PolicyFileError
from app.vetting import rules_summaries as status
from app.vetting.enums import DbsLevel, DbsOutcome, NppvLevel, Workforce
from app.vetting.policy import VettingPolicy, load_policy
from tests.vetting.test_rules import dbs, nppv

ROOT = Path(__file__).resolve().parents[2]
POLICY = VettingPolicy()
TODAY = date(2026, 6, 1)


def test_the_shipped_policy_file_loads():
    policy = load_policy(ROOT / "policy" / "vetting.toml")
    assert policy.dbs_level == DbsLevel.ENHANCED and policy.dbs_workforce == Workforce.ADULT
    assert policy.recheck == "period" and policy.recheck_years == 3 and policy.status_check_months == 12
    assert policy.nppv_level == NppvLevel.NPPV2_ABBREVIATED and policy.nppv_years(NppvLevel.NPPV2_ABBREVIATED) == 3
    assert policy.nppv_years(NppvLevel.NPPV3) == 5 and policy.nppv_review_months == 12
    assert policy.confirm_disclosed_approvals and "supervised_3_months" in policy.condition_labels
    assert policy.reminder_days == (90, 60, 30) and policy.note_retention_months == 6


@pytest.mark.parametrize("old,new,message", [
    ('required_level = "enhanced"', 'required_level = "super"', "[dbs] required_level is 'super'; use one of basic"),
    ('recheck = "period"', 'recheck = "never"', '[dbs] recheck is \'never\'; use "period" or "update_service"'),
    ("recheck_years = 3", "recheck_years = 0", "[dbs] recheck_years must be a whole number of 1 or more"),
    ("nppv3 = 5 }", 'nppv3 = "5" }', "[nppv] validity_years.nppv3 must be a whole number"),
    (", nppv3 = 5 }", " }", "[nppv] validity_years needs a number of years for nppv3"),
    ("nppv1 = 3", "nppv9 = 3", "[nppv] validity_years is 'nppv9'; use one of nppv1"),
    ("confirm_disclosed_approvals = true", 'confirm_disclosed_approvals = "yes"',
     "[dbs] confirm_disclosed_approvals must be true or false"),
    ('supervised_3_months = "', 'Supervised = "', "[conditions] Supervised needs a code of lower-case letters"),
    ("lead_days = [90, 60, 30]", "lead_days = []", "[reminders] lead_days must be a list of days"),
    ("lead_days = [90, 60, 30]", "lead_days = [90, -1]", "[reminders] lead_days must be a whole number"),
    ("disclosure_note_months = 6\n", "", "[retention] needs disclosure_note_months"),
    ('workforce = "adult"', 'workforce = "adult', "vetting.toml: "),
])
def test_a_broken_policy_file_says_what_is_wrong(tmp_path, old, new, message):
    text = (ROOT / "policy" / "vetting.toml").read_text()
    assert old in text
    path = tmp_path / "vetting.toml"
    path.write_text(text.replace(old, new))
    with pytest.raises(PolicyFileError) as error:
        load_policy(path)
    assert message in str(error.value) and str(path) in str(error.value)


def test_a_missing_policy_file_is_a_clear_error(tmp_path):
    with pytest.raises(PolicyFileError, match="vetting.toml"):
        load_policy(tmp_path / "vetting.toml")


def test_category_labels_follow_the_reminder_lead_times():
    labels = status.category_labels(POLICY)
    assert list(labels.values()) == [
        "Awaiting submission", "Awaiting result", "Awaiting decision", "Approval awaiting a manager's confirmation",
        "Wrong level or workforce: start a new check", "Police vetting refused or withdrawn: talk to the volunteer",
        "Change of circumstances with the force: record its review",
        "Expiring within 30 days",
        "Expiring in 31 to 60 days", "Expiring in 61 to 90 days", "Expired or no longer current", "Update Service checks due"]


GOOD_NPPV = [nppv(expires_on=date(2030, 1, 1))]


@pytest.mark.parametrize("checks,police,expected", [
    ([], [], {"awaiting-submission"}),
    ([dbs(submitted_on=None, outcome=None, issued_on=None)], GOOD_NPPV, {"awaiting-submission"}),
    ([dbs(outcome=None, issued_on=None)], GOOD_NPPV, {"awaiting-result"}),
    ([dbs(issued_on=date(2025, 1, 1))], [], {"awaiting-submission"}),
    ([dbs(issued_on=date(2025, 1, 1))], [nppv(outcome=None, granted_on=None, expires_on=None)], {"awaiting-result"}),
    ([dbs(issued_on=date(2025, 1, 1), outcome=DbsOutcome.DISCLOSED)], GOOD_NPPV, {"awaiting-decision"}),
    ([dbs(issued_on=date(2025, 1, 1))], GOOD_NPPV, set()),
    ([dbs(issued_on=date(2023, 6, 20))], GOOD_NPPV, {"expiring-30"}),   # due 20 June 2026
    ([dbs(issued_on=date(2023, 7, 31))], GOOD_NPPV, {"expiring-60"}),   # due 31 July 2026: 60 days
    ([dbs(issued_on=date(2023, 8, 1))], GOOD_NPPV, {"expiring-90"}),    # 61 days
    ([dbs(issued_on=date(2023, 8, 30))], GOOD_NPPV, {"expiring-90"}),   # 90 days
    ([dbs(issued_on=date(2023, 8, 31))], GOOD_NPPV, set()),             # 91 days
    ([dbs(issued_on=date(2023, 6, 1))], GOOD_NPPV, {"expired"}),        # due today
    ([dbs(issued_on=date(2025, 1, 1))], [nppv(expires_on=date(2026, 6, 15))], {"expiring-30"}),
    ([dbs(issued_on=date(2025, 1, 1))], [nppv(expires_on=date(2026, 5, 1))], {"expired"}),
])
def test_work_list_categories(checks, police, expected):
    assert status.categories(checks, police, POLICY, TODAY) == expected


def test_update_service_checks_due_category():
    policy = replace(POLICY, recheck="update_service")
    subscribed = dbs(issued_on=date(2025, 6, 20), subscribed_on=date(2025, 6, 25))
    assert status.categories([subscribed], GOOD_NPPV, policy, TODAY) == {"status-check-due"}
    overdue = replace(subscribed, issued_on=date(2025, 5, 1))
    assert status.categories([overdue], GOOD_NPPV, policy, TODAY) == {"status-check-due", "expired"}
    assert status.categories([replace(subscribed, issued_on=date(2025, 9, 1))], GOOD_NPPV, policy, TODAY) == set()


def test_volunteer_steps_in_plain_words():
    done = status.dbs_step([dbs(issued_on=date(2025, 1, 1))], POLICY, TODAY)
    assert (done.tag, done.text) == ("Done", "Your DBS check is complete. It is good until 31 December 2027.")
    todo = status.dbs_step([dbs(submitted_on=None, outcome=None, issued_on=None)], POLICY, TODAY)
    assert todo.tag == "To do" and "Fill in your DBS application" in todo.text
    waiting = status.dbs_step([dbs(outcome=None, issued_on=None)], POLICY, TODAY)
    assert waiting.tag == "Waiting"
    review = status.dbs_step([dbs(issued_on=date(2025, 1, 1), outcome=DbsOutcome.DISCLOSED)], POLICY, TODAY)
    assert review.tag == "Being reviewed" and "disclos" not in review.text.lower()
    assert status.dbs_step([], POLICY, TODAY).tag == "Not started"
    assert status.dbs_step([dbs(issued_on=date(2023, 1, 1))], POLICY, TODAY).tag == "Needs renewing"
    assert status.nppv_step(GOOD_NPPV, POLICY, TODAY).text == ("Your police vetting is complete. "
                                                               "It is good until 31 December 2029.")
    assert status.nppv_step([], POLICY, TODAY).tag == "Not started"
    assert status.nppv_step([nppv(outcome=None, granted_on=None, expires_on=None)], POLICY, TODAY).tag == "Waiting"


def test_update_service_nudge_only_while_the_certificate_is_new():
    new = dbs(issued_on=date(2026, 5, 20))
    step = status.update_service_step([new], TODAY)
    assert step.tag == "Optional" and "free until 19 June 2026" in step.text
    assert status.update_service_step([new], date(2026, 6, 19)) is not None
    assert status.update_service_step([new], date(2026, 6, 20)) is None
    assert status.update_service_step([replace(new, subscribed_on=date(2026, 5, 25))], TODAY) is None
    assert status.update_service_step([], TODAY) is None
