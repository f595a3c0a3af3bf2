"""`make demo` (flask seed-demo) gives people trying the portal the safer-recruitment records to look at: an
identity check, a self-declaration with a disclosure, an approval with a condition confirmed by a manager."""
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.readiness import queries
from app.vetting.models import DbsCheck, DbsDecision, IdentityCheck, SelfDeclaration
from tests.conftest import sign_in_client
from tests.training.factories import load_catalogue


def test_the_demo_has_identity_checks_a_declaration_and_a_conditional_approval(app, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo words here")
    load_catalogue()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert "approval with a condition" in first.output, first.output
    assert "approval with a condition" not in runner.invoke(args=["seed-demo"]).output  # once
    val = db.session.scalar(select(User).where(User.email == "volunteer@example.org"))
    manager = db.session.scalar(select(User).where(User.email == "manager@example.org"))
    identity = db.session.scalars(select(IdentityCheck).where(IdentityCheck.volunteer_id == val.id)).all()
    assert len(identity) == 1 and identity[0].names_confirmed and identity[0].addresses_confirmed
    declaration = db.session.scalar(select(SelfDeclaration).where(SelfDeclaration.volunteer_id == val.id))
    assert declaration.has_something and declaration.details
    decision = db.session.scalar(select(DbsDecision).join(DbsCheck).where(DbsCheck.volunteer_id == val.id))
    assert decision.conditions == ["supervised_3_months"] and decision.confirmation.confirmed_by_id == manager.id

    # With the real records (no stand-ins here), the demo's ready volunteers pass the identity and
    # self-declaration gates: Rhea's declared disclosure was risk-assessed and approved.
    people = {u.email.split("@")[0]: u for u in db.session.scalars(select(User).where(User.email.like("%@demo.example.org")))}
    found = queries.readiness_for([people["rhea.ready"].id, people["rae.released"].id, people["vic.vetting"].id])
    assert found[people["rhea.ready"].id].ready, [o.code for o in found[people["rhea.ready"].id].failing]
    assert found[people["rae.released"].id].ready
    assert "identity" not in [o.code for o in found[people["vic.vetting"].id].failing]

    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@example.org"))
    record = sign_in_client(app, coordinator).get(f"/vetting/people/{val.id}").get_data(as_text=True)
    assert "Supervised for the first 3 months" in record and "Route 1" in record
    data = sign_in_client(app, val).get("/account/your-data").get_data(as_text=True)
    assert "A conviction for theft in 2012" in data and "Passport (any current)" in data
