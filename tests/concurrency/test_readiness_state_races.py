"""The kept gate states (app/readiness/services_states.py) stay what the rules decide when things happen at once:
the daily rewrite (in batches of its own transactions) while someone's records change, two changes to one
person's records from two members of staff, and two rewrites at once. Real commits from threads, on SQLite and
PostgreSQL."""
import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.readiness import services_states
from app.readiness.models import AgreementSignature, EmergencyContact, GateStateState
from app.timefmt import today_london
from tests.readiness.test_states_kept import assert_kept_as_the_rules_say, kept_gates, ready_volunteer

pytestmark = pytest.mark.real_commits
ROUNDS = 3


def _sign(person_id: int) -> None:
    db.session.add(AgreementSignature(volunteer_id=person_id, version=1, typed_name="Signed", signed_on=today_london()))
    db.session.commit()


def _contact(person_id: int) -> None:
    db.session.add(EmergencyContact(volunteer_id=person_id, name="Pat", relationship_kind="partner",
                                    phone="07700900123"))
    db.session.commit()


def test_a_change_during_the_daily_rewrite_is_kept(app, race, monkeypatch):
    monkeypatch.setattr(services_states, "BATCH", 2)  # the rewrite is several transactions, as at scale
    today = today_london()
    for n in range(8):
        ready_volunteer(f"Bea Bystander {n}")
    for n in range(ROUNDS):
        person = ready_volunteer(f"Rae Rewritten {n}", skip=("agreement",))
        services_states.forget()
        db.session.commit()
        person_id = person.id
        race(2, lambda i, p=person_id: services_states.refresh(today) if i == 0 else _sign(p))
        db.session.expire_all()
        assert db.session.get(GateStateState, 1).on_day == today
        assert_kept_as_the_rules_say(today)


def test_two_changes_to_one_person_at_once_are_both_kept(app, race):
    today = today_london()
    services_states.refresh(today)
    for n in range(ROUNDS):
        person = ready_volunteer(f"Pat Paired {n}", skip=("agreement", "emergency-contact"))
        db.session.commit()
        person_id = person.id
        race(2, lambda i, p=person_id: _sign(p) if i == 0 else _contact(p))
        db.session.expire_all()
        assert db.session.scalar(select(EmergencyContact.id).where(EmergencyContact.volunteer_id == person_id))
        assert kept_gates([person_id])[person_id][1] is True, kept_gates([person_id])  # ready: neither change lost
        assert_kept_as_the_rules_say(today)


def test_two_rewrites_at_once_keep_the_rules_states(app, race, monkeypatch):
    monkeypatch.setattr(services_states, "BATCH", 2)
    today = today_london()
    for n in range(6):
        ready_volunteer(f"Ann Awaiting {n}", skip=("agreement",) if n % 2 else ())
    services_states.forget()
    db.session.commit()
    results = race(2, lambda i: services_states.refresh(today))
    assert True in results
    db.session.expire_all()
    assert db.session.get(GateStateState, 1).on_day == today
    assert len(kept_gates()) == len(db.session.scalars(select(User.id).where(User.full_name.like("Ann %"))).all())
    assert_kept_as_the_rules_say(today)
