"""The list's SQL gate conditions (app/readiness/queries_states.py) select exactly the volunteers whose gates,
decided in Python by app/readiness/rules.py, are in the state asked for: many varied volunteers, every gate's
states and the boundary days on either side of each date rule."""
import random
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from app.applications.rules import Status
from app.auth.models import Role, User
from app.dates import add_years, last_day_before
from app.extensions import db
from app.readiness import queries, queries_states
from app.readiness.models import AgreementSignature, EmergencyContact, Induction, MentorStanding, Standing
from app.readiness.policy import current_policy
from app.readiness.rules import State
from app.timefmt import LONDON, today_london
from app.training.models import Completion, CompletionSource
from app.vetting.enums import DbsLevel, DbsOutcome, Decision, NppvLevel, NppvOutcome, StatusOutcome, Workforce
from app.vetting.models import (
    DbsCheck,
    DbsConfirmation,
    DbsDecision,
    IdentityCheck,
    NppvChange,
    PoliceVetting,
    SelfDeclaration,
    StatusCheck,
)
from app.vetting.policy import current_policy as vetting_policy
from tests.applications.factories import make_application
from tests.factories import make_user
from tests.readiness.factories import make_ready_volunteer
from tests.training.factories import course

REAL_EXTRAS = queries._vetting_extras  # the conftest replaces it with a stand-in; these tests need the real one
PEOPLE = 160


def _near(rng, day, spread=(-1, 0, 1)):
    return day + timedelta(days=rng.choice(spread))


def _applications(rng, person, today):
    midnight = datetime.combine(today + timedelta(days=1), time(), LONDON).astimezone(UTC)
    for _ in range(rng.choice([0, 1, 1, 2])):
        status = rng.choice([Status.ACCEPTED, Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN, Status.CHAT_HELD])
        application = make_application(user=person, status=status, commit=False)
        if status in (Status.ACCEPTED, Status.DECLINED) and rng.random() < 0.9:
            application.decided_at = midnight + timedelta(minutes=rng.choice([-1441, -1, 0, 1, 600]))
        for referee in application.referees:
            referee.satisfactory = rng.choice([True, True, False, None])


def _self_declaration(rng, person, today, checks):
    if rng.random() < 0.2:
        return
    for _ in range(rng.choice([1, 1, 2])):
        db.session.add(SelfDeclaration(volunteer_id=person.id, made_on=_near(rng, today, (-1200, -60, -30, 0, 5)),
                                       has_something=rng.random() < 0.6))


def _dbs(rng, person, today, policy):
    checks = []
    recheck = last_issue = last_day_before(lambda d: add_years(d, policy.recheck_years), today)
    soon = last_day_before(lambda d: add_years(d, policy.recheck_years), today + timedelta(days=60))
    for _ in range(rng.choice([0, 1, 1, 2])):
        issued = rng.choice([_near(rng, recheck, (-1, 0, 1, 2)), _near(rng, soon, (-1, 0, 1)), today - timedelta(days=50),
                             last_issue - timedelta(days=400)])
        check = DbsCheck(volunteer_id=person.id, level=rng.choice([DbsLevel.ENHANCED, DbsLevel.ENHANCED, DbsLevel.STANDARD]),
                         workforce=rng.choice([Workforce.ADULT, Workforce.ADULT, Workforce.CHILD, Workforce.CHILD_AND_ADULT]),
                         volunteer_check=True, requested_on=issued - timedelta(days=20),
                         submitted_on=rng.choice([None, issued - timedelta(days=19)]))
        if check.submitted_on and rng.random() < 0.8:
            check.issued_on, check.outcome = issued, rng.choice([DbsOutcome.CLEAR, DbsOutcome.DISCLOSED])
            if rng.random() < 0.15:
                check.status_checks.append(StatusCheck(checked_on=issued + timedelta(days=30),
                                                       outcome=rng.choice(list(StatusOutcome))))
            for _ in range(rng.choice([0, 1])):  # one decision per check at most
                decision = DbsDecision(decision=rng.choice([Decision.APPROVED, Decision.APPROVED, Decision.DECLINED]),
                                       decided_on=issued + timedelta(days=rng.choice([0, 3, 3, 40])),
                                       needs_confirmation=rng.random() < 0.4)
                if decision.needs_confirmation and rng.random() < 0.5:
                    decision.confirmation = DbsConfirmation()
                check.decisions.append(decision)
        db.session.add(check)
        checks.append(check)
    return checks


def _police(rng, person, today):
    for _ in range(rng.choice([0, 1, 1, 2])):
        ends = rng.choice([_near(rng, today), _near(rng, today + timedelta(days=60)), today + timedelta(days=500)])
        outcome = rng.choice([None, NppvOutcome.GRANTED, NppvOutcome.GRANTED, NppvOutcome.GRANTED, NppvOutcome.REFUSED,
                              NppvOutcome.WITHDRAWN])
        record = PoliceVetting(volunteer_id=person.id, level=rng.choice([NppvLevel.NPPV2_ABBREVIATED, NppvLevel.NPPV3,
                                                                         NppvLevel.NPPV1]),
                               force_reference="DUR/1", submitted_on=add_years(ends, -3) - timedelta(days=10))
        if outcome is not None:
            record.outcome = outcome
            record.outcome_on = rng.choice([None, add_years(ends, -3)])
            if outcome == NppvOutcome.GRANTED:
                record.granted_on, record.expires_on = add_years(ends, -3), ends
        db.session.add(record)
        if outcome is not None and rng.random() < 0.3:
            db.session.flush()
            db.session.add(NppvChange(police_vetting_id=record.id, kind="address",
                                      reported_on=_near(rng, min(ends, today), (-2, -1, 0, 1)),
                                      reviewed_on=rng.choice([None, None, today - timedelta(days=1)])))


def _courses(rng, person, today, courses):
    for found in courses:
        for _ in range(rng.choice([0, 1, 1, 2])):
            expires = rng.choice([None, _near(rng, today), _near(rng, today + timedelta(days=60)),
                                  today + timedelta(days=400)])
            db.session.add(Completion(user_id=person.id, course_id=found.id, source=CompletionSource.ATTENDANCE,
                                      completed_on=_near(rng, today, (-200, -1, 0, 1)), expires_on=expires))


def _the_rest(rng, person, today, coordinator):
    if rng.random() < 0.8:
        db.session.add(IdentityCheck(volunteer_id=person.id, route="route_1", documents=["passport"],
                                     names_confirmed=True, addresses_confirmed=True,
                                     checked_on=_near(rng, today, (-10, 0, 1))))
    for version in rng.sample([0, 1, 2], rng.choice([0, 1, 1, 2])):
        db.session.add(AgreementSignature(volunteer_id=person.id, version=version, typed_name="X",
                                          signed_on=_near(rng, today, (-5, 0, 1))))
    for _ in range(rng.choice([0, 1, 1, 2])):
        db.session.add(Induction(volunteer_id=person.id, held_on=_near(rng, today, (-20, 0, 1)),
                                 supervisor_id=coordinator.id if rng.random() < 0.85 else None))
    if rng.random() < 0.8:
        db.session.add(EmergencyContact(volunteer_id=person.id, name="Pat", relationship_kind="partner",
                                        phone="07700900123"))
    if rng.random() < 0.3:
        db.session.add(MentorStanding(volunteer_id=person.id, status=rng.choice(list(Standing))))


def _varied_people(rng):
    today, vetting, policy = today_london(), vetting_policy(), current_policy()
    coordinator = make_user(Role.COORDINATOR, areas=["Durham"], commit=False)
    courses = [course(g.course) for g in policy.gates if g.rule == "course"][:3]
    for n in range(PEOPLE):
        person = make_user(Role.VOLUNTEER, areas=["Durham"], commit=False)
        db.session.flush()
        _applications(rng, person, today)
        checks = _dbs(rng, person, today, vetting)
        db.session.flush()
        _self_declaration(rng, person, today, checks)
        _police(rng, person, today)
        _courses(rng, person, today, courses)
        _the_rest(rng, person, today, coordinator)
        if n % 20 == 0:
            db.session.flush()
    for n in range(6):  # and some who pass every gate (two of them released)
        person = make_ready_volunteer(commit=False, supervisor=coordinator)
        db.session.add(IdentityCheck(volunteer_id=person.id, route="route_1", documents=["passport"],
                                     names_confirmed=True, addresses_confirmed=True, checked_on=today))
        db.session.add(SelfDeclaration(volunteer_id=person.id, made_on=today, has_something=False))
        if n < 2:
            db.session.add(MentorStanding(volunteer_id=person.id, status=Standing.RELEASED))
    db.session.commit()


@pytest.fixture
def varied(monkeypatch):
    monkeypatch.setattr(queries, "_vetting_extras", REAL_EXTRAS)
    _varied_people(random.Random(17))
    ids = list(db.session.scalars(select(User.id).where(User.role_grants.any(role=Role.VOLUNTEER))))
    today = today_london()
    return ids, queries.readiness_for(ids, today), queries.standings(ids), today


def _selected(condition) -> set[int]:
    return set(db.session.scalars(select(User.id).where(User.role_grants.any(role=Role.VOLUNTEER), condition)))


def test_each_gates_sql_state_agrees_with_the_python_rules(varied):
    ids, found, _, today = varied
    sql = queries_states.StateSql(current_policy(), vetting_policy(), today)
    seen = set()
    for gate in current_policy().gates:
        for state in State:
            expected = {i for i in ids if found[i].outcome(gate.code).state == state}
            assert _selected(sql.gate_in(gate, state)) == expected, (gate.code, state)
            seen |= {(gate.rule, state)} if expected else set()
    # the people made are varied enough to put every gate in each state its rule can give
    assert {(r, s) for r, s in seen if r == "dbs"} == {("dbs", s) for s in State}
    assert {s for r, s in seen if r == "police_vetting"} == set(State)
    assert {s for r, s in seen if r == "course"} == {State.PASSED, State.EXPIRING, State.EXPIRED, State.PENDING}
    assert {s for r, s in seen if r == "self_declaration"} == {State.PASSED, State.PENDING, State.FAILED}


def test_the_list_filters_in_sql_select_what_the_python_filter_matches(varied):
    ids, found, standing, today = varied
    released = {i for i, s in standing.items() if s.status == Standing.RELEASED}
    sql = queries_states.StateSql(current_policy(), vetting_policy(), today)
    for gate in [None, "dbs", "police-vetting", "safeguarding", "agreement"]:
        for state in [None, "passed", "expiring", "expired", "pending", "failed", "ready", "released"]:
            for within in [None, 1, 59, 60, 61, 400]:
                expected = {i for i in ids if queries.matches_filters(found[i], i in released, gate, state, within)}
                assert _selected(sql.matching(gate, state, within)) == expected, (gate, state, within)
    assert len([i for i in ids if found[i].ready and i not in released]) >= 4  # some are ready to release
