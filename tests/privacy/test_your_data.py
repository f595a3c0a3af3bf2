"""Your data: a person's own record as a page and a JSON download, nobody else's in it; staff produce it for
people in their scope, audited; a fixed number of queries whatever the size of the record."""
import json

import pytest
from sqlalchemy import func, select

from app import audit
from app.audit import AuditEvent
from app.auth.models import Role
from app.expenses.models import Claim
from app.extensions import db
from tests.factories import make_user
from tests.privacy.factories import rich_volunteer


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return response, json.loads(response.get_data(as_text=True))


def test_your_data_json_holds_your_data_and_nobody_elses(app, login_as):
    me = rich_volunteer("Maya Mentor")
    other = rich_volunteer("Olly Other", areas=("Weardale",))
    client = login_as(me)
    response, data = download(client, "/account/your-data.json")
    text = response.get_data(as_text=True)
    assert data["person_id"] == me.id
    assert data["account"][0]["email"] == me.email and data["account"][0]["roles"] == ["volunteer"]
    assert data["applications"][0]["motivation"] == "I want to give back."
    assert {r["relationship"] for r in data["referees"]} == {"Friend", "Employer or colleague"}
    assert data["applications"][0]["lived_experience"] == ["Homelessness"]
    assert data["identity_checks"][0]["route"] == "route_1" and data["identity_checks"][0]["documents"] == ["Passport (any current)"]
    assert data["self_declarations"][0]["details"] == "Maya Mentor declared a caution"
    approved = [c for c in data["dbs_checks"] if c["decision"] == "approved"]
    assert approved and approved[0]["conditions"] == ["Supervised for the first 3 months"]
    assert data["training_completions"] and data["readiness"][0]["standing"] == "released"
    assert data["emergency_contact"][0]["name"] == "Pat Contact"
    assert data["pairings"][0]["area"] == "Durham" and data["client_contacts"][0]["minutes"] == 45
    assert data["expense_claims"][0]["lines"][0]["description"] == "Maya Mentor parking 0"
    assert any(e["action"] == "application.step_noted" for e in data["audit_events"])
    # Nobody else's data, and no third party's: not the other volunteer, the partner, the client, the referees' words.
    for absent in ("Olly", other.email, "Partner of", "C-MAY", "Kind and reliable"):
        assert absent not in text, absent
    # Staff free text is left out of the self-service copy (it can mention others), and says so.
    for absent in ("Chat about", "Risk assessment for", "Step note on"):
        assert absent not in text, absent
    assert any("Notes staff wrote" in note for note in data["withheld"])


def test_your_data_page_is_readable_and_links_the_download(app, login_as):
    me = rich_volunteer("Rhea Reader")
    page = login_as(me).get("/account/your-data")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1 class=\"govuk-heading-l\">Your data</h1>" in html and 'href="/account/your-data.json"' in html
    assert "Rhea Reader declared a caution" in html and "Supervised for the first 3 months" in html
    assert "references given in confidence are exempt" in html
    assert "Olly" not in html


def test_anyone_signed_in_has_their_data_even_an_applicant_with_almost_none(app, login_as):
    applicant = login_as("applicant")
    _, data = download(applicant, "/account/your-data.json")
    assert data["account"][0]["roles"] == ["applicant"] and data["dbs_checks"] == []
    assert "Nothing held." in applicant.get("/account/your-data").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in ("/account/your-data", "/account/your-data.json"):
        assert client.get(url).status_code == 302


def test_staff_produce_a_persons_data_in_their_scope_and_it_is_audited(app, login_as):
    durham = rich_volunteer("Dana Durham")
    weardale = rich_volunteer("Will Weardale", areas=("Weardale",))
    coordinator = login_as("coordinator", areas=("Durham",))
    manager = login_as("manager")
    response, data = download(coordinator, f"/people/{durham.id}/data.json")
    assert data["person_id"] == durham.id
    text = response.get_data(as_text=True)
    assert "Chat about Dana Durham" in text and "Step note on Dana Durham" in text  # staff copy: to review
    assert "Risk assessment for Dana Durham" in text
    assert "Kind and reliable" not in text and "Will Weardale" not in text  # references stay confidential
    assert coordinator.get(f"/people/{weardale.id}/data").status_code == 404  # not their area
    assert coordinator.get(f"/people/{weardale.id}/data.json").status_code == 404
    assert manager.get(f"/people/{weardale.id}/data").status_code == 200
    produced = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "privacy.data_produced")
                                  .order_by(AuditEvent.id)).all()
    assert [(e.actor_id, e.subject_id, e.details["form"]) for e in produced] == [
        (coordinator.user.id, durham.id, "json"), (manager.user.id, weardale.id, "page")]


def test_staff_do_not_produce_their_own_through_the_staff_route(app, login_as):
    manager = login_as("manager")
    assert manager.get(f"/people/{manager.user.id}/data").status_code == 403
    assert manager.get("/account/your-data").status_code == 200


@pytest.mark.parametrize("role", ["admin", "trainer", "volunteer", "applicant"])
def test_only_managers_and_coordinators_produce_someone_elses_data(app, login_as, role):
    person = make_user(Role.VOLUNTEER, areas=("Durham",))
    client = login_as(role, areas=("Durham",))
    assert client.get(f"/people/{person.id}/data").status_code == 403
    assert client.get(f"/people/{person.id}/data.json").status_code == 403


def test_unknown_people_are_not_found(app, login_as):
    manager = login_as("manager")
    for url in ("/people/999999/data", "/people/999999/data.json"):
        assert manager.get(url).status_code == 404
    assert manager.get("/people/abc/data").status_code == 404


def test_a_fixed_number_of_queries_however_big_the_record(app, login_as, count_queries):
    small = rich_volunteer("Sid Small", claims=1)
    big = rich_volunteer("Bea Big", claims=12)
    for n in range(25):
        audit.record(None, "test.event", big, n=n)
    db.session.commit()
    counts = []
    for person in (small, big):
        client = login_as(person)
        with count_queries() as queries:
            assert client.get("/account/your-data.json").status_code == 200
        counts.append(len(queries))
    assert counts[0] <= 35, counts  # 32 today, loading the signed-in person included
    assert counts[0] == counts[1], counts
    assert db.session.scalar(select(func.count()).select_from(Claim).where(Claim.claimant_id == big.id)) == 12
