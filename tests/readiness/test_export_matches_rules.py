"""The CSV export (built from plain rows, a batch at a time) says for every volunteer what the per-person readiness
service says: each gate's state, Released and Good until, for many varied volunteers in every gate state."""
import csv
import io
from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.readiness import queries, queries_export
from app.readiness.models import Standing
from app.readiness.policy import current_policy
from app.readiness.rules import State
from app.timefmt import today_london
from app.vetting.enums import DbsLevel, DbsOutcome, Decision, NppvLevel, StatusOutcome
from app.vetting.models import DbsCheck, DbsDecision, NppvChange, PoliceVetting, StatusCheck
from tests.readiness.factories import make_ready_volunteer
from tests.readiness.test_state_sql import varied  # noqa: F401 (the fixture: varied volunteers, every gate state)


def _csv_by_email(client) -> tuple[list[str], dict[str, dict[str, str]]]:
    response = client.get("/readiness/staff/readiness.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    return list(rows[0]), {r["Email"]: r for r in rows}


def test_the_csv_says_what_the_readiness_service_says_for_every_volunteer(varied, login_as, monkeypatch):  # noqa: F811
    ids, _, _, today = varied
    monkeypatch.setattr(queries_export, "EXPORT_CHUNK", 7)  # many batches, and a short last one
    header, exported = _csv_by_email(login_as("manager"))
    gates = current_policy().gates
    assert header[4:-1] == [g.staff for g in gates]
    seen = set()
    for person in db.session.scalars(select(User).where(User.id.in_(ids))):
        row, readiness = exported[person.email], queries.readiness_of(person, today)
        assert row["Released"] == ("yes" if queries.standing_of(person) == Standing.RELEASED else "no")
        assert [row[g.staff] for g in gates] == [o.state.label for o in readiness.outcomes], person.email
        assert row["Good until"] == (readiness.until.isoformat() if readiness.until else "")
        seen |= {(o.gate.rule, o.state) for o in readiness.outcomes}
    assert len(exported) == len(ids)
    assert {s for r, s in seen if r in ("dbs", "police_vetting")} == set(State)
    assert {s for r, s in seen if r == "course"} == {State.PASSED, State.EXPIRING, State.EXPIRED, State.PENDING}


def test_the_facts_read_from_rows_are_the_models_own_facts(varied):  # noqa: F811
    ids = varied[0]
    facts = queries.load_facts(ids)
    db.session.expire_all()
    for i in ids:
        checks = db.session.scalars(select(DbsCheck).where(DbsCheck.volunteer_id == i).order_by(DbsCheck.id))
        police = db.session.scalars(select(PoliceVetting).where(PoliceVetting.volunteer_id == i)
                                    .order_by(PoliceVetting.id))
        assert facts[i].dbs_checks == tuple(c.facts() for c in checks)
        assert facts[i].police == tuple(p.facts() for p in police)
    assert any(f.dbs_checks and f.dbs_checks[0].decisions for f in facts.values())
    assert any(f.police and f.police[0].open_changes for f in facts.values())


def _disclosed(check, today):
    check.outcome = DbsOutcome.DISCLOSED


def _awaiting_confirmation(check, today):
    check.outcome = DbsOutcome.DISCLOSED
    check.decisions.append(DbsDecision(decision=Decision.APPROVED, rationale="Long ago.", decided_on=check.issued_on,
                                       needs_confirmation=True))


def _flagged(check, today):
    check.status_checks.append(StatusCheck(checked_on=today - timedelta(days=10), outcome=StatusOutcome.CHANGED))


def _standard(check, today):
    check.level = DbsLevel.STANDARD


def _change_reported(record, today):
    db.session.add(NppvChange(police_vetting_id=record.id, kind="address", reported_on=today - timedelta(days=3)))


def _nppv1(record, today):
    record.level = NppvLevel.NPPV1


TWINS = {"dbs": [_disclosed, _awaiting_confirmation, _flagged, _standard], "police-vetting": [_change_reported, _nppv1]}


def test_volunteers_alike_but_for_one_fact_a_gate_reads_are_told_apart(login_as):
    """Ready volunteers whose records are the same but for one fact of one DBS check or police vetting record (a
    decision, a status check, the level, a change reported): the export decides each gate once per distinct set
    of the facts it reads, so a memo keyed on too few facts would give the twins one answer."""
    today, gates = today_london(), current_policy().gates
    alike = make_ready_volunteer()
    changed = {}
    for code, tweaks in TWINS.items():
        for tweak in tweaks:
            person = make_ready_volunteer()
            model = DbsCheck if code == "dbs" else PoliceVetting
            tweak(db.session.scalars(select(model).where(model.volunteer_id == person.id)).one(), today)
            changed[person.id] = code
    db.session.commit()
    _, exported = _csv_by_email(login_as("manager"))
    gate_name = {g.code: g.staff for g in gates}
    assert exported[alike.email][gate_name["dbs"]] == exported[alike.email][gate_name["police-vetting"]] == "Done"
    for person in db.session.scalars(select(User).where(User.id.in_([alike.id, *changed]))):
        readiness = queries.readiness_of(person, today)
        assert [exported[person.email][g.staff] for g in gates] == [o.state.label for o in readiness.outcomes]
        if person.id in changed:
            assert exported[person.email][gate_name[changed[person.id]]] != "Done", person.email
