"""Clients and pairs: every pairing refusal, contacts, ending, and a stand-down flagging the pairings."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.actions import perform
from app.auth.models import Role
from app.extensions import db
from app.readiness import rules_pairing, services_pairing
from app.readiness.models import Client, ClientContact, ContactKind, Pairing
from app.readiness.rules_pairing import MemberFacts
from app.timefmt import today_london
from tests.factories import area_named, make_user
from tests.readiness.factories import make_ready_volunteer, make_released

ON = date(2027, 6, 15)
DURHAM = 1


def member(i=1, **kw):
    values = dict(id=i, name=f"M{i}", released=True, ready=True, area_ids=frozenset({DURHAM}),
                  first_released_on=date(2026, 1, 1)) | kw
    return MemberFacts(**values)


def problems(first, second, needs=("housing",)):
    return rules_pairing.pairing_problems(first, second, DURHAM, needs, ON, probation_months=3, max_active_clients=3)


def test_two_released_current_experienced_volunteers_in_the_area_may_be_paired():
    assert problems(member(1), member(2)) == []


@pytest.mark.parametrize("change, words", [
    (dict(released=False), "M2 is not released to client work"),
    (dict(ready=False), "M2 does not pass every gate today"),
    (dict(area_ids=frozenset({99})), "M2 does not volunteer in the client's area"),
    (dict(conditions=frozenset({"housing"})), "M2 has an approval condition that rules out this client's needs (housing)"),
    (dict(knows_client=True), "M2 has said they know this client"),
    (dict(active_clients=3), "M2 already mentors 3 clients, the most allowed"),
])
def test_each_refusal_for_either_volunteer(change, words):
    assert problems(member(1), member(2, **change)) == [words]
    assert problems(member(2, **change), member(1)) == [words]


def test_a_volunteer_cannot_be_paired_with_themself():
    assert problems(member(1), member(1)) == ["Choose two different volunteers: mentors always work in pairs"]


def test_both_on_probation_is_refused_one_is_fine_and_probation_ends_on_the_day():
    started = date(2027, 3, 15)  # probation ends 15 June 2027 = ON
    assert problems(member(1, first_released_on=started), member(2)) == []
    assert problems(member(1, first_released_on=started + timedelta(days=1)),
                    member(2, first_released_on=started + timedelta(days=1))) == [
        "Both volunteers are on probation: pair one of them with an experienced mentor"]
    assert problems(member(1, first_released_on=started), member(2, first_released_on=started)) == []


def test_a_condition_on_another_need_does_not_block():
    assert problems(member(1, conditions=frozenset({"debt"})), member(2)) == []


# ---------------------------------------------------------------- through the services and pages


@pytest.fixture
def pair_setup():
    coordinator = make_user(Role.COORDINATOR, areas=["Durham"])
    long_ago = today_london() - timedelta(days=200)
    first = make_ready_volunteer(supervisor=coordinator, name="Fay First")
    second = make_ready_volunteer(supervisor=coordinator, name="Sid Second")
    make_released(first, on=long_ago)
    make_released(second, on=long_ago)
    client = services_pairing.add_client("dur-0042", area_named("Durham"), ["housing"], coordinator)
    db.session.commit()
    return coordinator, first, second, client


def test_pairing_through_the_page_then_contacts_and_ending(pair_setup, login_as):
    coordinator, first, second, client = pair_setup
    staff = login_as(coordinator)
    page = staff.get(f"/readiness/clients/{client.id}").get_data(as_text=True)
    assert "DUR-0042" in page and "Fay First" in page and "Housing" in page
    done = staff.post(f"/readiness/clients/{client.id}/pairings", data={"first": first.id, "second": second.id},
                      follow_redirects=True)
    assert "are paired with client DUR-0042" in done.get_data(as_text=True)
    pairing = db.session.scalar(select(Pairing))
    volunteer = login_as(first)
    mine = volunteer.get("/readiness/pairings").get_data(as_text=True)
    assert "Client DUR-0042" in mine and "Sid Second" in mine and "Housing" in mine
    bad = volunteer.post(f"/readiness/pairings/{pairing.id}/contact",
                         data={"contact_on": today_london().isoformat(), "minutes": "0", "kind": "visit"})
    assert bad.status_code == 400 and "from 1 to 600" in bad.get_data(as_text=True)
    volunteer.post(f"/readiness/pairings/{pairing.id}/contact",
                   data={"contact_on": today_london().isoformat(), "minutes": "75", "kind": "visit"})
    assert db.session.scalar(select(ClientContact)).kind == ContactKind.VISIT
    assert "1 hours 15 minutes" in volunteer.get("/readiness/pairings").get_data(as_text=True)
    outsider = login_as(make_ready_volunteer(supervisor=coordinator))
    assert outsider.get(f"/readiness/pairings/{pairing.id}/contact").status_code == 404
    staff.post(f"/readiness/pairings/{pairing.id}/end", data={"reason": "completed"})
    db.session.expire_all()
    assert db.session.get(Pairing, pairing.id).end_reason == "completed"
    again = perform(services_pairing.end_pairing, db.session.get(Pairing, pairing.id), "completed", coordinator)
    assert not again.ok and "already ended" in again.message


def test_pairing_refusals_through_the_service(pair_setup):
    coordinator, first, second, client = pair_setup
    waiting = make_ready_volunteer(supervisor=coordinator, name="Wyn Waiting")  # ready, never released
    refused = perform(services_pairing.pair_volunteers, client, first, waiting, coordinator)
    assert not refused.ok and "Wyn Waiting is not released to client work" in refused.message
    assert perform(services_pairing.record_acquaintance, client, second, coordinator).ok
    refused = perform(services_pairing.pair_volunteers, client, first, second, coordinator)
    assert "Sid Second has said they know this client" in refused.message
    outside = make_user(Role.COORDINATOR, areas=["Weardale"])
    assert "Only a coordinator covering" in perform(services_pairing.pair_volunteers, client, first, second, outside).message
    assert db.session.scalars(select(Pairing)).all() == []


def test_the_cap_of_active_clients(pair_setup):
    coordinator, first, second, _ = pair_setup
    for n in range(3):
        c = services_pairing.add_client(f"DUR-10{n}", area_named("Durham"), [], coordinator)
        assert perform(services_pairing.pair_volunteers, c, first, second, coordinator).ok
    extra = services_pairing.add_client("DUR-200", area_named("Durham"), [], coordinator)
    refused = perform(services_pairing.pair_volunteers, extra, first, second, coordinator)
    assert "Fay First already mentors 3 clients, the most allowed" in refused.message


def test_a_stand_down_flags_the_pairings_and_tells_the_coordinator_to_re_pair(pair_setup, app, smtp):
    coordinator, first, second, client = pair_setup
    assert perform(services_pairing.pair_volunteers, client, first, second, coordinator).ok
    from app.readiness.models import EmergencyContact

    db.session.delete(db.session.scalar(select(EmergencyContact).where(EmergencyContact.volunteer_id == first.id)))
    db.session.commit()
    smtp.clear()
    result = app.test_cli_runner().invoke(args=["readiness", "sweep", "--no-progress"])
    assert "1 stood down" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(Pairing)).flagged_on == today_london()
    to_coordinator = [m for m in smtp.messages if m["To"] == coordinator.email][0].get_content()
    assert "client DUR-0042, with Sid Second" in to_coordinator
    refused = perform(services_pairing.pair_volunteers, client, first, second, coordinator)
    assert "Fay First is not released" in refused.message  # every new pairing re-checks


def test_a_client_reference_is_unique_and_checked(login_as):
    staff = login_as("coordinator", areas=["Durham"])
    durham = str(area_named("Durham").id)
    bad = staff.post("/readiness/clients/new", data={"reference": "Mrs Smith", "area": durham})
    assert bad.status_code == 400 and "letters, digits and hyphens" in bad.get_data(as_text=True)
    staff.post("/readiness/clients/new", data={"reference": "DUR-7", "area": durham, "needs": ["debt"]})
    again = staff.post("/readiness/clients/new", data={"reference": "dur-7", "area": durham}, follow_redirects=True)
    assert "already exists" in again.get_data(as_text=True)
    assert db.session.scalar(select(Client)).needs == ["debt"]
    weardale = str(area_named("Weardale").id)
    assert staff.post("/readiness/clients/new", data={"reference": "WEA-1", "area": weardale}).status_code == 400
