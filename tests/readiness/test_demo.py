"""`flask seed-demo` seeds volunteers at every stage of readiness, a released pair with a client, one stood down."""
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.readiness import queries
from app.readiness.models import ClientContact, MentorStanding, Pairing, Standing
from tests.training.factories import load_catalogue


def test_demo_volunteers_at_every_stage(app, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo words here")
    load_catalogue()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert "6 demo volunteers" in first.output, first.output
    assert "demo volunteers" not in runner.invoke(args=["seed-demo"]).output  # idempotent
    people = {u.email.split("@")[0]: u for u in db.session.scalars(select(User).where(User.email.like("%@demo.example.org")))}
    found = queries.readiness_for([u.id for u in people.values()])
    assert found[people["rhea.ready"].id].ready and found[people["rae.released"].id].ready
    assert [o.code for o in found[people["vic.vetting"].id].failing] == ["dbs", "police-vetting",
                                                                         "agreement", "induction", "emergency-contact"]
    assert "taster-day" in [o.code for o in found[people["tam.training"].id].failing]
    standings = {s.volunteer_id: s.status for s in db.session.scalars(select(MentorStanding))}
    assert standings[people["sid.stood-down"].id] == Standing.STOOD_DOWN
    assert standings[people["rae.released"].id] == Standing.RELEASED
    pairing = db.session.scalar(select(Pairing))
    assert pairing.member_ids() == {people["rae.released"].id, people["rob.released"].id}
    assert len(db.session.scalars(select(ClientContact)).all()) == 3
