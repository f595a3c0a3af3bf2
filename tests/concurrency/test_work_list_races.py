"""The kept work lists (app/vetting/services_lists.py) stay the rules' lists when things happen at once: the daily
rewrite while someone's records change, two changes to one person's records from two coordinators, and two
rewrites at once (one does it). Real commits from threads, on SQLite and PostgreSQL."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db
from app.timefmt import today_london
from app.vetting import services_lists
from app.vetting.enums import DbsOutcome
from app.vetting.models import DbsCheck, PoliceVetting, WorkListState
from app.vetting.policy import current_policy
from tests.factories import make_user
from tests.vetting.factories import make_dbs, make_nppv
from tests.vetting.test_work_lists_kept import assert_kept_as_the_rules_say

pytestmark = pytest.mark.real_commits
ROUNDS = 4


def _grant_police_vetting(person_id: int) -> None:
    make_nppv(db.session.get(User, person_id), granted_on=today_london() - timedelta(days=10))


def _dbs_result(person_id: int) -> None:
    check = db.session.scalar(select(DbsCheck).where(DbsCheck.volunteer_id == person_id))
    check.issued_on, check.outcome, check.certificate_number = today_london(), DbsOutcome.CLEAR, "001234567890"
    db.session.commit()


def test_a_change_during_the_daily_rewrite_is_kept(app, race):
    policy, today = current_policy(), today_london()
    for n in range(ROUNDS):
        person = make_user(Role.VOLUNTEER, name=f"Rae Rewritten {n}")
        services_lists.forget()
        db.session.commit()
        person_id = person.id
        race(2, lambda i, p=person_id: services_lists.refresh(today, policy) if i == 0 else _grant_police_vetting(p))
        assert_kept_as_the_rules_say(policy, today)


def test_two_changes_to_one_person_at_once_are_both_kept(app, race):
    policy, today = current_policy(), today_london()
    services_lists.refresh(today, policy)
    for n in range(ROUNDS):
        person = make_user(Role.VOLUNTEER, name=f"Pat Paired {n}")
        make_dbs(person, outcome=None)  # waiting for the certificate; no police vetting yet: on two lists
        person_id = person.id
        race(2, lambda i, p=person_id: _dbs_result(p) if i == 0 else _grant_police_vetting(p))
        db.session.expire_all()
        assert db.session.scalar(select(PoliceVetting.id).where(PoliceVetting.volunteer_id == person_id))
        assert_kept_as_the_rules_say(policy, today)  # on no list now: neither change lost the other


def test_two_rewrites_at_once_rewrite_once(app, race):
    policy, today = current_policy(), today_london()
    make_user(Role.VOLUNTEER, name="Ann Awaiting")
    services_lists.forget()
    db.session.commit()
    results = race(2, lambda i: services_lists.refresh(today, policy))
    assert sorted(results) == [False, True]
    db.session.expire_all()
    assert db.session.get(WorkListState, 1).on_day == today
    assert_kept_as_the_rules_say(policy, today)
