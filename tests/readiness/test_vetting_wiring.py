"""Readiness reads the safer-recruitment records for real: identity checks, self-declarations and their
risk-assessed decisions, and approval conditions that rule out clients' support needs."""
from datetime import date

from app.auth.models import Role
from app.extensions import db
from app.readiness import rules
from app.readiness.queries import _vetting_extras as real_vetting_extras  # before the suite's stand-in
from app.readiness.services_pairing import _approval_conditions
from app.vetting.enums import DbsOutcome, Decision, IdRoute
from app.vetting.models import IdentityCheck, SelfDeclaration
from tests.factories import make_user
from tests.vetting.factories import make_dbs


def _identity(person, on):
    db.session.add(IdentityCheck(volunteer_id=person.id, route=list(IdRoute)[0], documents=[], names_confirmed=True,
                                 addresses_confirmed=True, checked_on=on))


def test_identity_checks_and_self_declarations_come_from_the_vetting_records():
    nothing, clear, waiting, assessed, declined = (make_user(Role.VOLUNTEER) for _ in range(5))
    _identity(clear, date(2026, 3, 1))
    _identity(clear, date(2026, 5, 1))
    db.session.add_all([
        SelfDeclaration(volunteer_id=clear.id, made_on=date(2026, 3, 1), has_something=False),
        SelfDeclaration(volunteer_id=waiting.id, made_on=date(2026, 3, 1), has_something=True, details="x"),
        SelfDeclaration(volunteer_id=assessed.id, made_on=date(2026, 1, 3), has_something=True, details="x"),
        SelfDeclaration(volunteer_id=declined.id, made_on=date(2026, 1, 3), has_something=True, details="x"),
    ])
    make_dbs(assessed, outcome=DbsOutcome.DISCLOSED, decision=Decision.APPROVED, decided_on=date(2026, 2, 5))
    make_dbs(declined, outcome=DbsOutcome.DISCLOSED, decision=Decision.DECLINED, decided_on=date(2026, 2, 5))
    db.session.flush()
    found = real_vetting_extras([p.id for p in (nothing, clear, waiting, assessed, declined)])
    assert found.get(nothing.id, (None, rules.SelfDeclaration.NOT_RECORDED)) == (None, rules.SelfDeclaration.NOT_RECORDED)
    assert found[clear.id] == (date(2026, 3, 1), rules.SelfDeclaration.MADE)  # the first identity check counts
    assert found[waiting.id][1] is rules.SelfDeclaration.NEEDS_ASSESSMENT
    assert found[assessed.id][1] is rules.SelfDeclaration.ASSESSED
    assert found[declined.id][1] is rules.SelfDeclaration.DECLINED


def test_approval_conditions_rule_out_the_support_needs_policy_maps_them_to():
    person, other = make_user(Role.VOLUNTEER), make_user(Role.VOLUNTEER)
    check = make_dbs(person, outcome=DbsOutcome.DISCLOSED, decision=Decision.APPROVED, decided_on=date(2026, 2, 5))
    check.decisions[0].conditions = ["not_substance_misuse", "supervised_3_months"]
    db.session.flush()
    ruled_out = _approval_conditions([person.id, other.id])
    assert ruled_out == {person.id: frozenset({"substance-misuse"}), other.id: frozenset()}
