"""The kept stages (app/people/services_stages.py) stay what the stage SQL says when things happen at once: two
changes to one person's records from two members of staff, and the first lists of the day from two people at
once (one rewrites). Real commits from threads, on SQLite and PostgreSQL."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.applications.rules import Status
from app.auth.models import Role, User
from app.extensions import db
from app.people import services_stages
from app.people.models import StageState
from app.timefmt import today_london
from app.vetting.enums import DbsOutcome
from app.vetting.models import DbsCheck
from tests.applications.factories import make_application
from tests.factories import make_user
from tests.people.test_stages_kept import assert_kept_as_the_sql_says, kept
from tests.vetting.factories import make_dbs, make_nppv

pytestmark = pytest.mark.real_commits
ROUNDS = 3


def _dbs_clear(person_id: int) -> None:
    check = db.session.scalar(select(DbsCheck).where(DbsCheck.volunteer_id == person_id))
    check.issued_on, check.outcome, check.certificate_number = today_london(), DbsOutcome.CLEAR, "001234567890"
    db.session.commit()


def _police_granted(person_id: int) -> None:
    make_nppv(db.session.get(User, person_id), granted_on=today_london() - timedelta(days=10))


def test_two_changes_to_one_person_at_once_are_both_kept(app, race):
    services_stages.refresh(today_london())
    for n in range(ROUNDS):
        person = make_user(Role.VOLUNTEER, name=f"Pat Paired {n}")
        make_application(user=person, status=Status.ACCEPTED)
        make_dbs(person, outcome=None)
        person_id = person.id
        race(2, lambda i, p=person_id: _dbs_clear(p) if i == 0 else _police_granted(p))
        assert kept()[person_id] == "vetted"  # neither change lost the other
        assert_kept_as_the_sql_says()


def test_two_first_lists_of_the_day_rewrite_once(app, race):
    make_user(Role.VOLUNTEER, name="Ann Awaiting")
    services_stages.forget()
    db.session.commit()
    results = race(2, lambda i: services_stages.refresh(today_london()))
    assert sorted(results) == [False, True]
    db.session.expire_all()
    assert db.session.get(StageState, 1).on_day == today_london()
    assert_kept_as_the_sql_says()
