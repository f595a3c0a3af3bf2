"""Release: only when every gate passes that day, by a coordinator covering the volunteer's area, never oneself."""
import pytest
from sqlalchemy import func, select

from app.actions import perform
from app.audit import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.readiness import queries, services
from app.readiness.models import MentorStanding, Standing
from app.readiness.policy import load_policy
from tests.factories import make_user
from tests.readiness.factories import make_ready_volunteer
from tests.readiness.test_policy import SHIPPED

GATES = load_policy(SHIPPED).gates


def _standing(volunteer):
    db.session.expire_all()
    return db.session.scalar(select(MentorStanding).where(MentorStanding.volunteer_id == volunteer.id))


def test_a_volunteer_with_every_gate_passed_is_ready_and_is_released_audited_and_emailed(smtp):
    volunteer = make_ready_volunteer()
    coordinator = make_user(Role.COORDINATOR, areas=["Durham"])
    assert queries.readiness_of(volunteer).ready
    client = _client_for(coordinator)
    response = client.post(f"/readiness/people/{volunteer.id}/release", follow_redirects=True)
    assert "is released to client work" in response.get_data(as_text=True)
    row = _standing(volunteer)
    assert row.status == Standing.RELEASED and row.released_by_id == coordinator.id and row.release_count == 1
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "readiness.released"))
    assert event.actor_id == coordinator.id and event.subject_id == volunteer.id
    assert [m["To"] for m in smtp.messages] == [volunteer.email]
    assert smtp.messages[-1]["Subject"] == "You are released to mentor clients"


@pytest.mark.parametrize("gate", GATES, ids=lambda g: g.code)
def test_release_is_refused_for_each_failing_gate_in_turn_and_says_which(gate, smtp):
    volunteer = make_ready_volunteer(skip={gate.code})
    coordinator = make_user(Role.COORDINATOR, areas=["Durham"])
    readiness = queries.readiness_of(volunteer)
    assert [o.code for o in readiness.failing] == [gate.code]
    outcome = perform(services.release_volunteer, volunteer, coordinator)
    assert not outcome.ok
    assert outcome.message.startswith("Cannot release yet. These gates are not passed: " + gate.staff)
    assert (_standing(volunteer) or MentorStanding(status=Standing.NOT_RELEASED)).status != Standing.RELEASED
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "readiness.released")) == 0
    assert smtp.messages == []


def test_nobody_releases_themself_even_a_coordinator_in_their_own_area():
    volunteer = make_ready_volunteer()
    from app.auth.models import UserRole

    volunteer.role_grants.append(UserRole(role=Role.COORDINATOR))
    db.session.commit()
    outcome = perform(services.release_volunteer, volunteer, volunteer)
    assert not outcome.ok and "their own" in outcome.message


def test_a_coordinator_for_another_area_cannot_release_and_gets_404():
    volunteer = make_ready_volunteer(areas=("Weardale",))
    outsider = make_user(Role.COORDINATOR, areas=["Durham"])
    assert _client_for(outsider).post(f"/readiness/people/{volunteer.id}/release").status_code == 404
    assert not perform(services.release_volunteer, volunteer, outsider).ok


def test_suspended_is_not_released_until_a_manager_lifts_it_then_release_again():
    volunteer = make_ready_volunteer()
    coordinator, manager = make_user(Role.COORDINATOR, areas=["Durham"]), make_user(Role.MANAGER)
    assert perform(services.release_volunteer, volunteer, coordinator).ok
    assert perform(services.suspend_volunteer, volunteer, coordinator).ok
    assert _standing(volunteer).status == Standing.SUSPENDED
    refused = perform(services.release_volunteer, volunteer, coordinator)
    assert not refused.ok and "suspended" in refused.message
    lift = perform(services.lift_suspension, volunteer, coordinator)
    assert not lift.ok and lift.message == "Only a manager can lift a suspension."
    assert _client_for(coordinator).post(f"/readiness/people/{volunteer.id}/lift-suspension").status_code == 403
    assert perform(services.lift_suspension, volunteer, manager).ok
    assert _standing(volunteer).status == Standing.NOT_RELEASED
    assert perform(services.release_volunteer, volunteer, coordinator).ok
    assert _standing(volunteer).release_count == 2 and _standing(volunteer).first_released_on is not None


def test_a_volunteer_pauses_themself_and_is_not_released_while_paused(login_as):
    volunteer = make_ready_volunteer()
    coordinator = make_user(Role.COORDINATOR, areas=["Durham"])
    client = login_as(volunteer)
    assert "Your break is recorded" in client.post("/readiness/pause", follow_redirects=True).get_data(as_text=True)
    assert _standing(volunteer).status == Standing.PAUSED
    assert "paused" in perform(services.release_volunteer, volunteer, coordinator).message
    client.post("/readiness/pause")
    assert _standing(volunteer).status == Standing.NOT_RELEASED
    assert perform(services.release_volunteer, volunteer, coordinator).ok


def _client_for(user):
    from flask import current_app

    from tests.conftest import sign_in_client

    return sign_in_client(current_app._get_current_object(), user)
