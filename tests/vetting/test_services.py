"""Services and the gate shell: illegal transitions refused, policy read from the file, the date passed in."""
from datetime import date

import pytest
from sqlalchemy import select

from app.auth.models import Role
from app.extensions import db
from app.vetting import services, services_police
from app.vetting.enums import DbsOutcome, Decision, NppvOutcome, StatusOutcome
from app.vetting.models import DbsDecision, PoliceVetting
from app.vetting.services import VettingError, vetting_gate
from tests.factories import make_user
from tests.vetting.factories import add_status_check, make_dbs, make_identity, make_nppv


@pytest.fixture
def staff():
    return make_user(Role.COORDINATOR)


def test_gate_shell_takes_the_date(staff):
    volunteer = make_user(Role.VOLUNTEER)
    make_dbs(volunteer, issued_on=date(2026, 2, 1))
    make_nppv(volunteer, granted_on=date(2026, 2, 10))
    assert vetting_gate(volunteer, on=date(2026, 3, 1)).until == date(2029, 1, 31)
    late = vetting_gate(volunteer, on=date(2029, 2, 1))
    assert not late.ok and late.reasons == ["The DBS recheck was due on 1 February 2029"]


def test_gate_reads_the_policy_file(app, tmp_path):
    text = (app.config["POLICY_DIR"] + "/vetting.toml")
    with open(text) as f:
        changed = f.read().replace('recheck = "period"', 'recheck = "update_service"')
    (tmp_path / "vetting.toml").write_text(changed)
    volunteer = make_user(Role.VOLUNTEER)
    make_dbs(volunteer, issued_on=date(2026, 2, 1), subscribed_on=date(2026, 2, 2))
    make_nppv(volunteer, granted_on=date(2026, 2, 10))
    old = app.config["POLICY_DIR"]
    app.config["POLICY_DIR"] = str(tmp_path)
    try:
        assert vetting_gate(volunteer, on=date(2026, 3, 1)).until == date(2027, 1, 31)  # a status check each year
    finally:
        app.config["POLICY_DIR"] = old
    assert vetting_gate(volunteer, on=date(2026, 3, 1)).until == date(2029, 1, 31)


def test_transitions_out_of_order_are_refused(staff):
    volunteer = make_user(Role.VOLUNTEER)
    requested = make_dbs(volunteer, submitted_on=None)
    with pytest.raises(VettingError, match="submitted first"):
        services.record_dbs_result(requested, "001234567890", date(2026, 2, 1), DbsOutcome.CLEAR, staff)
    with pytest.raises(VettingError, match="Record the certificate before"):
        services.record_update_service(requested, {"subscribed_on": date(2026, 2, 1)}, staff)
    with pytest.raises(VettingError, match="does not need a decision"):
        services.record_dbs_decision(requested, Decision.APPROVED, "x", staff)
    services.record_dbs_submission(requested, date(2026, 1, 7), staff)
    with pytest.raises(VettingError, match="already been recorded as submitted"):
        services.record_dbs_submission(requested, date(2026, 1, 8), staff)
    with pytest.raises(VettingError, match="12 digits"):
        services.record_dbs_result(requested, "12345678901", date(2026, 2, 1), DbsOutcome.CLEAR, staff)
    with pytest.raises(VettingError, match="A status check cannot be recorded: Record the certificate first"):
        services.record_status_check(requested, date(2026, 2, 1), StatusOutcome.NO_CHANGE, staff, name_matches=True)
    pending = make_nppv(volunteer, outcome=None)
    with pytest.raises(VettingError, match="waiting for a result cannot be recorded as withdrawn"):
        services_police.record_police_outcome(pending, NppvOutcome.WITHDRAWN, date(2026, 2, 1), staff)


def test_a_recheck_adds_a_record_and_keeps_the_old_one(staff):
    volunteer = make_user(Role.VOLUNTEER)
    old = make_dbs(volunteer, issued_on=date(2023, 2, 1))
    new = services.request_dbs_check(volunteer, old.level, old.workforce, True, date(2026, 1, 5), staff)
    db.session.commit()
    records = services.load_records([volunteer.id])[volunteer.id][0]
    assert [c.id for c in records] == [old.id, new.id]
    assert records[0].certificate_number == "001234567890"


def test_no_decision_reopens_the_gate_after_a_changed_status_only_a_new_check(staff):
    volunteer = make_user(Role.VOLUNTEER)
    check = make_dbs(volunteer, issued_on=date(2026, 2, 1), subscribed_on=date(2026, 2, 2),
                     consent_on=date(2026, 2, 2), seen_on=date(2026, 2, 2))
    make_nppv(volunteer, granted_on=date(2026, 2, 10))
    add_status_check(check, date(2026, 4, 1), StatusOutcome.CHANGED)
    assert not vetting_gate(volunteer, on=date(2026, 4, 2)).ok
    with pytest.raises(VettingError, match="does not need a decision"):
        services.record_dbs_decision(check, Decision.APPROVED, "Reviewed with the volunteer.", staff, on=date(2026, 4, 3))
    db.session.rollback()
    make_dbs(volunteer, issued_on=date(2026, 4, 20))
    assert vetting_gate(volunteer, on=date(2026, 4, 21)).ok


def test_gates_for_many_volunteers_in_fixed_queries(count_queries):
    people = [make_user(Role.VOLUNTEER) for _ in range(4)]
    make_dbs(people[0], issued_on=date(2026, 2, 1))
    make_nppv(people[0], granted_on=date(2026, 2, 10))
    make_dbs(people[1], outcome=DbsOutcome.DISCLOSED, issued_on=date(2026, 2, 1))
    db.session.expire_all()
    people = [db.session.get(type(p), p.id) for p in people]  # loaded, as a caller's list would be
    with count_queries() as q:
        gates = services.vetting_gates(people, on=date(2026, 3, 1))
    assert gates[people[0].id].ok and gates[people[0].id].until == date(2029, 1, 31)
    assert "a risk-assessed decision is needed" in gates[people[1].id].reasons[0]
    assert gates[people[3].id].reasons == ["No DBS check has been started", "No police vetting has been started"]
    assert len(q) == 5  # checks, their decisions and status checks, police vetting, its changes of circumstances


def test_one_decision_per_check_is_kept_by_the_database(staff):
    """A second decision on one check is refused by the database itself, whatever the service was told."""
    from sqlalchemy.exc import IntegrityError

    volunteer = make_user(Role.VOLUNTEER)
    check = make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED, issued_on=date(2026, 3, 1))
    services.record_dbs_decision(check, Decision.APPROVED, "Old matter.", staff, on=date(2026, 3, 10))
    db.session.commit()
    db.session.add(DbsDecision(dbs_check_id=check.id, decision=Decision.DECLINED, decided_on=date(2026, 3, 11)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("on,ok,until_or_reason", [
    (date(2029, 1, 31), True, date(2029, 1, 31)),    # the day before the third anniversary of issue
    (date(2029, 2, 1), False, "The DBS recheck was due on 1 February 2029"),
    (date(2026, 1, 31), False, "No police vetting has been started"),  # before the clearance was granted
])
def test_gate_shell_at_the_recheck_boundary(on, ok, until_or_reason):
    volunteer = make_user(Role.VOLUNTEER)
    make_dbs(volunteer, issued_on=date(2026, 2, 1))
    make_nppv(volunteer, granted_on=date(2026, 2, 1), years=5)
    if on < date(2026, 2, 1):
        db.session.delete(db.session.scalar(select(PoliceVetting)))
        db.session.commit()
    gate = vetting_gate(volunteer, on=on)
    assert gate.ok is ok
    assert (gate.until if ok else gate.reasons[0]) == until_or_reason


def test_gate_shell_at_the_police_vetting_expiry(staff):
    volunteer = make_user(Role.VOLUNTEER)
    make_dbs(volunteer, issued_on=date(2026, 2, 1))
    record = make_nppv(volunteer, outcome=None)
    services_police.record_police_outcome(record, NppvOutcome.GRANTED, date(2026, 2, 10), staff)  # policy: 3 years
    db.session.commit()
    assert vetting_gate(volunteer, on=date(2029, 1, 31)).until == date(2029, 1, 31)  # DBS recheck is earlier
    make_dbs(volunteer, issued_on=date(2029, 1, 20), requested_on=date(2029, 1, 2), submitted_on=date(2029, 1, 3))
    day_before = vetting_gate(volunteer, on=date(2029, 2, 9))
    assert day_before.ok and day_before.until == date(2029, 2, 9)
    on_the_day = vetting_gate(volunteer, on=date(2029, 2, 10))
    assert not on_the_day.ok and on_the_day.reasons == ["Police vetting expired on 10 February 2029"]


def test_gate_shell_after_a_lapsed_subscription(staff):
    volunteer = make_user(Role.VOLUNTEER)
    check = make_dbs(volunteer, issued_on=date(2026, 2, 1), subscribed_on=date(2026, 2, 2),
                     consent_on=date(2026, 2, 2), seen_on=date(2026, 2, 2))
    make_nppv(volunteer, granted_on=date(2026, 2, 10))
    make_identity(volunteer)
    services.record_status_check(check, date(2026, 6, 1), StatusOutcome.NO_SUBSCRIPTION, staff, name_matches=True)
    db.session.commit()
    with pytest.raises(VettingError, match="not subscribed"):
        services.record_status_check(check, date(2026, 6, 2), StatusOutcome.NO_CHANGE, staff, name_matches=True)
    db.session.rollback()
    after = vetting_gate(volunteer, on=date(2026, 6, 3))
    assert after.ok and after.until == date(2029, 1, 31)  # the three-year recheck governs again
