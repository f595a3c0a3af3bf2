"""Safer recruitment through the pages and services: the wrong-level volunteer's work list and own page,
separation of duties, a manager's confirmation, identity checks, conditions, and the Update Service form."""
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.audit import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.timefmt import today_london
from app.vetting import services
from app.vetting.enums import DbsLevel, DbsOutcome, Decision, IdRoute, NppvLevel, StatusOutcome, Workforce
from app.vetting.models import DbsCheck, DbsDecision, IdentityCheck, StatusCheck
from app.vetting.policy import current_policy
from app.vetting.services import VettingError, approval_conditions, identity_checked, vetting_gate
from app.vetting.services_reminders import purge_notes
from tests.factories import make_user
from tests.vetting.factories import make_dbs, make_identity, make_nppv
from tests.vetting.test_pages import d


def actions(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


@pytest.fixture
def coordinator(login_as):
    return login_as("coordinator", areas=["Durham"])


# ---------------------------------------------------------------- wrong level


def test_the_wrong_level_volunteer_is_on_the_default_work_list_and_told_the_real_reason(coordinator, login_as):
    today = today_london()
    wendy = make_user(Role.VOLUNTEER, name="Wendy Wronglevel", areas=["Durham"])
    make_dbs(wendy, level=DbsLevel.BASIC, workforce=Workforce.CHILD, issued_on=today - timedelta(days=11),
             requested_on=today - timedelta(days=40), submitted_on=today - timedelta(days=39))
    make_nppv(wendy, level=NppvLevel.NPPV1, granted_on=today - timedelta(days=5))
    assert not vetting_gate(wendy).ok
    default = coordinator.get("/vetting").get_data(as_text=True)
    assert "Wendy Wronglevel" in default and "Wrong level or workforce: start a new check" in default
    assert "Nothing due" not in default.split("Wendy Wronglevel", 1)[1].split("</tr>", 1)[0]
    listed = coordinator.get("/vetting?show=wrong-check").get_data(as_text=True)
    assert "Wendy Wronglevel" in listed
    own = login_as(wendy).get("/vetting/mine").get_data(as_text=True)
    assert "is a basic check for the child workforce" in own and "not about anything on your certificate" in own
    assert "needs renewing" not in own


def test_a_request_above_the_roles_level_is_refused(coordinator):
    volunteer = make_user(Role.VOLUNTEER, areas=["Durham"])
    r = coordinator.post(f"/vetting/people/{volunteer.id}/dbs/new", data={
        "level": "enhanced_barred", "workforce": "adult", "volunteer_check": "yes", "requested_on": d(today_london())})
    assert r.status_code == 400 and db.session.scalar(select(DbsCheck)) is None
    page = coordinator.get(f"/vetting/people/{volunteer.id}/dbs/new").get_data(as_text=True)
    assert 'value="enhanced_barred"' not in page and 'value="both"' not in page
    with pytest.raises(VettingError, match="is an offence"):
        services.request_dbs_check(volunteer, DbsLevel.ENHANCED_BARRED, Workforce.ADULT, True, today_london(),
                                   coordinator.user)


# ---------------------------------------------------------------- separation of duties


def test_nobody_records_anything_about_their_own_vetting(login_as):
    both = login_as(make_user(Role.COORDINATOR, Role.MANAGER, Role.VOLUNTEER, name="Sam Self", areas=["Durham"]))
    check = make_dbs(both.user, outcome=DbsOutcome.DISCLOSED)
    police = make_nppv(both.user, outcome=None)
    for url in (f"/vetting/people/{both.user.id}", f"/vetting/people/{both.user.id}/dbs/new",
                f"/vetting/people/{both.user.id}/identity/new", f"/vetting/dbs/{check.id}/decision",
                f"/vetting/dbs/{check.id}/update-service", f"/vetting/dbs/{check.id}/status-check",
                f"/vetting/police/{police.id}/result"):
        assert both.get(url).status_code == 403, url
    r = both.post(f"/vetting/dbs/{check.id}/decision", data={"decision": "approved", "rationale": "Mine."})
    assert r.status_code == 403 and db.session.scalar(select(DbsDecision)) is None
    with pytest.raises(VettingError, match="your own vetting"):
        services.record_dbs_decision(check, Decision.APPROVED, "Mine.", both.user)
    with pytest.raises(VettingError, match="your own vetting"):
        services.record_identity_check(both.user, IdRoute.ROUTE_1, ["g1_passport", "g2b_bank_statement"], True, True,
                                       today_london(), both.user)
    assert actions("vetting.dbs_decision") == []
    other = make_user(Role.VOLUNTEER, name="Olive Other", areas=["Durham"])
    make_dbs(other, outcome=None)
    work_list = both.get("/vetting?show=all").get_data(as_text=True)
    assert "Olive Other" in work_list and "Sam Self" not in work_list.split('id="main-content"', 1)[1]


def test_a_disclosed_approval_needs_another_persons_confirmation(coordinator, login_as):
    volunteer = make_user(Role.VOLUNTEER, areas=["Durham"])
    check = make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED, issued_on=today_london())
    make_nppv(volunteer, granted_on=today_london())
    approver = login_as("manager")
    decision = services.record_dbs_decision(check, Decision.APPROVED, "Low risk.", approver.user)
    db.session.commit()
    assert decision.needs_confirmation and not vetting_gate(volunteer).ok
    # Not the one who approved; not a coordinator.
    assert approver.post(f"/vetting/decisions/{decision.id}/confirm").status_code == 409
    assert coordinator.post(f"/vetting/decisions/{decision.id}/confirm").status_code == 403
    second = login_as("manager", name="Mona Second")
    page = second.get(f"/vetting/people/{volunteer.id}").get_data(as_text=True)
    assert "Waiting for a manager to confirm" in page and f"/vetting/decisions/{decision.id}/confirm" in page
    assert second.post(f"/vetting/decisions/{decision.id}/confirm").status_code == 302
    assert vetting_gate(volunteer).ok
    assert "Confirmed by Mona Second" in second.get(f"/vetting/people/{volunteer.id}").get_data(as_text=True)
    [confirmed] = actions("vetting.dbs_decision_confirmed")
    assert confirmed.actor_id == second.user.id and confirmed.details == {}
    assert second.post(f"/vetting/decisions/{decision.id}/confirm").status_code == 409  # once


def test_a_clear_check_or_a_policy_without_confirmation_needs_none(coordinator, app, tmp_path):
    volunteer = make_user(Role.VOLUNTEER, areas=["Durham"])
    check = make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED, issued_on=today_london())
    text = Path(app.config["POLICY_DIR"], "vetting.toml").read_text()
    (tmp_path / "vetting.toml").write_text(text.replace(
        "confirm_disclosed_approvals = true", "confirm_disclosed_approvals = false"))
    old, app.config["POLICY_DIR"] = app.config["POLICY_DIR"], str(tmp_path)
    try:
        decision = services.record_dbs_decision(check, Decision.APPROVED, "Low risk.", coordinator.user)
    finally:
        app.config["POLICY_DIR"] = old
    assert not decision.needs_confirmation


# ---------------------------------------------------------------- conditions


def test_an_approval_with_conditions_keeps_them_after_the_purge(coordinator, login_as):
    volunteer = make_user(Role.VOLUNTEER, areas=["Durham"])
    check = make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED, issued_on=today_london())
    page = coordinator.get(f"/vetting/dbs/{check.id}/decision").get_data(as_text=True)
    assert "Supervised for the first 3 months" in page
    r = coordinator.post(f"/vetting/dbs/{check.id}/decision", data={
        "decision": "declined", "rationale": "x", "conditions": ["supervised_3_months"]})
    assert r.status_code == 400 and "only go with an approval" in r.get_data(as_text=True)
    r = coordinator.post(f"/vetting/dbs/{check.id}/decision", data={
        "decision": "approved", "rationale": "Old offence, strong references.",
        "conditions": ["supervised_3_months", "not_substance_misuse"]})
    assert r.status_code == 302
    assert approval_conditions(volunteer) == ("supervised_3_months", "not_substance_misuse")
    record = coordinator.get(f"/vetting/people/{volunteer.id}").get_data(as_text=True)
    assert "Supervised for the first 3 months" in record
    details = str([e.details for e in db.session.scalars(select(AuditEvent))])
    assert "supervised" not in details and "Old offence" not in details
    purge_notes(today_london() + timedelta(days=400), current_policy())
    db.session.commit()
    decision = db.session.scalar(select(DbsDecision))
    assert decision.rationale is None and approval_conditions(volunteer) == ("supervised_3_months", "not_substance_misuse")


def test_conditions_come_only_from_the_policy_list(coordinator):
    volunteer = make_user(Role.VOLUNTEER)
    check = make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED)
    with pytest.raises(VettingError, match="scheme's list"):
        services.record_dbs_decision(check, Decision.APPROVED, "x", coordinator.user, conditions=["made_up"])
    assert approval_conditions(make_user(Role.VOLUNTEER)) == ()


# ---------------------------------------------------------------- identity, then a status check


def test_identity_check_then_status_check_with_a_name_match(coordinator):
    today = today_london()
    volunteer = make_user(Role.VOLUNTEER, areas=["Durham"])
    check = make_dbs(volunteer, issued_on=today - timedelta(days=20), requested_on=today - timedelta(days=50),
                     submitted_on=today - timedelta(days=49))
    r = coordinator.post(f"/vetting/dbs/{check.id}/update-service", data={
        "join_route": "certificate", "subscribed_on": d(today - timedelta(days=19)),
        "consent_on": d(today - timedelta(days=19)), "original_seen_on": d(today - timedelta(days=19))})
    assert r.status_code == 302
    page = coordinator.get(f"/vetting/dbs/{check.id}/status-check").get_data(as_text=True)
    assert "Record the volunteer&#39;s identity check first" in page
    r = coordinator.post(f"/vetting/people/{volunteer.id}/identity/new", data={
        "route": "route_1", "documents": ["g1_passport"], "names_confirmed": "yes", "addresses_confirmed": "yes",
        "checked_on": d(today)})
    assert r.status_code == 400 and "Route 1 needs a group 1 document and at least one more" in r.get_data(as_text=True)
    r = coordinator.post(f"/vetting/people/{volunteer.id}/identity/new", data={
        "route": "route_1", "documents": ["g1_passport", "g2b_utility_bill"], "names_confirmed": "no",
        "addresses_confirmed": "yes", "checked_on": d(today)})
    assert r.status_code == 400 and "Confirm every name they have used" in r.get_data(as_text=True)
    r = coordinator.post(f"/vetting/people/{volunteer.id}/identity/new", data={
        "route": "route_1", "documents": ["g1_passport", "g2b_utility_bill"], "names_confirmed": "yes",
        "addresses_confirmed": "yes", "checked_on": d(today)})
    assert r.status_code == 302
    row = db.session.scalar(select(IdentityCheck))
    assert row.checked_by_id == coordinator.user.id and row.documents == ["g1_passport", "g2b_utility_bill"]
    assert identity_checked(volunteer, today) and not identity_checked(volunteer, today - timedelta(days=1))
    r = coordinator.post(f"/vetting/dbs/{check.id}/status-check",
                         data={"checked_on": d(today), "outcome": "no_change", "name_matches": "no"})
    assert r.status_code == 400 and "name does not match" in r.get_data(as_text=True)
    r = coordinator.post(f"/vetting/dbs/{check.id}/status-check",
                         data={"checked_on": d(today), "outcome": "no_change", "name_matches": "yes"})
    assert r.status_code == 302 and db.session.scalar(select(StatusCheck)).outcome == StatusOutcome.NO_CHANGE
    assert "Passport (any current)" in coordinator.get(f"/vetting/people/{volunteer.id}").get_data(as_text=True)


def test_update_service_form_checks_the_join_window_and_withdrawal(coordinator):
    today = today_london()
    volunteer = make_user(Role.VOLUNTEER, areas=["Durham"])
    issued = today - timedelta(days=60)
    check = make_dbs(volunteer, issued_on=issued, requested_on=issued - timedelta(days=30),
                     submitted_on=issued - timedelta(days=29))
    late = {"join_route": "certificate", "subscribed_on": d(issued + timedelta(days=31))}
    r = coordinator.post(f"/vetting/dbs/{check.id}/update-service", data=late)
    assert r.status_code == 400 and "within 30 days of the certificate" in r.get_data(as_text=True)
    typed_day = (issued + timedelta(days=31)).day
    assert re.search(rf'id="subscribed_on"[^>]*value="{typed_day}"|value="{typed_day}"[^>]*id="subscribed_on"',
                     r.get_data(as_text=True))  # what was typed is kept
    r = coordinator.post(f"/vetting/dbs/{check.id}/update-service", data={"subscribed_on": d(issued)})
    assert r.status_code == 400 and "Select how they joined" in r.get_data(as_text=True)
    good = {"join_route": "certificate", "subscribed_on": d(issued + timedelta(days=30)),
            "consent_on": d(issued + timedelta(days=30)), "consent_withdrawn_on": d(today)}
    assert coordinator.post(f"/vetting/dbs/{check.id}/update-service", data=good).status_code == 302
    db.session.refresh(check)
    assert check.consent_withdrawn_on == today
    assert check.facts().renewal_date == check.subscribed_on.replace(year=check.subscribed_on.year + 1)
    [event] = actions("vetting.update_service_recorded")
    assert event.details["join_route"] == "certificate"
    make_identity(volunteer)
    with pytest.raises(VettingError, match="withdrew consent"):
        services.record_status_check(check, today, StatusOutcome.NO_CHANGE, coordinator.user, name_matches=True)


# ---------------------------------------------------------------- police vetting


def test_police_clearance_from_the_letter_then_a_change_and_the_forces_review(coordinator):
    today = today_london()
    volunteer = make_user(Role.VOLUNTEER, areas=["Durham"])
    make_dbs(volunteer, issued_on=today, requested_on=today, submitted_on=today)
    record = make_nppv(volunteer, outcome=None, submitted_on=today - timedelta(days=10))
    r = coordinator.post(f"/vetting/police/{record.id}/result", data={
        "outcome": "granted", "outcome_on": d(today - timedelta(days=2)), "expires_on": d(today - timedelta(days=2))})
    assert r.status_code == 400 and "Expiry date must be after the date granted" in r.get_data(as_text=True)
    letter = date(today.year + 2, 1, 31)
    r = coordinator.post(f"/vetting/police/{record.id}/result", data={
        "outcome": "granted", "outcome_on": d(today - timedelta(days=2)), "expires_on": d(letter)})
    assert r.status_code == 302
    db.session.refresh(record)
    assert record.expires_on == letter and vetting_gate(volunteer).ok
    assert "granted" not in str(actions("vetting.nppv_outcome")[0].details)  # the outcome stays on the record
    r = coordinator.post(f"/vetting/police/{record.id}/changes/new", data={"kind": "address", "reported_on": d(today)})
    assert r.status_code == 302
    assert vetting_gate(volunteer).reasons == [
        f"A change of circumstances reported on {today.day} {today:%B %Y} is with the force for review"]
    assert "with the force: record its review" in coordinator.get("/vetting").get_data(as_text=True)
    [event] = actions("vetting.nppv_change_reported")
    assert "address" not in str(event.details)  # the kind stays on the record
    change = record.changes[0]
    page = coordinator.get(f"/vetting/people/{volunteer.id}").get_data(as_text=True)
    assert "Change of address, reported" in page and "with the force for review" in page
    r = coordinator.post(f"/vetting/police-changes/{change.id}/review", data={"outcome": "continues",
                                                                            "reviewed_on": d(today)})
    assert r.status_code == 302 and vetting_gate(volunteer).ok
    assert "already been reviewed" in coordinator.get(f"/vetting/police-changes/{change.id}/review").get_data(as_text=True)


def test_a_review_that_withdraws_ends_the_clearance(coordinator):
    from app.vetting import services_police
    from app.vetting.enums import ChangeKind, NppvOutcome, ReviewOutcome

    volunteer = make_user(Role.VOLUNTEER)
    make_dbs(volunteer, issued_on=today_london())
    record = make_nppv(volunteer, granted_on=today_london() - timedelta(days=30))
    change = services_police.report_nppv_change(record, ChangeKind.POLICE_CONTACT, today_london(), coordinator.user)
    services_police.record_nppv_review(change, ReviewOutcome.WITHDRAWN, today_london(), coordinator.user)
    assert record.outcome == NppvOutcome.WITHDRAWN and not vetting_gate(volunteer).ok
    with pytest.raises(VettingError, match="already been reviewed"):
        services_police.record_nppv_review(change, ReviewOutcome.CONTINUES, today_london(), coordinator.user)


# ---------------------------------------------------------------- the confidential self-declaration


def test_self_declaration_is_seen_only_by_vetting_staff_for_the_person_and_purged(login_as, coordinator):
    from app.vetting.services import self_declaration_state

    volunteer = login_as(make_user(Role.VOLUNTEER, name="Val Declares", areas=["Durham"]))
    assert self_declaration_state(volunteer.user) == "not_made"
    page = volunteer.get("/vetting/mine/declaration").get_data(as_text=True)
    assert "do <strong>not</strong> need to tell us about protected convictions" in page
    assert "policy on recruiting people with criminal records" in page
    r = volunteer.post("/vetting/mine/declaration", data={"has_something": "yes", "details": ""})
    assert r.status_code == 400 and "Tell us what you are declaring" in r.get_data(as_text=True)
    r = volunteer.post("/vetting/mine/declaration", data={"has_something": "yes", "details": "Theft, 2019, fined."})
    assert r.status_code == 302
    assert self_declaration_state(volunteer.user) == "declared"
    assert "You sent your self-declaration on" in volunteer.get("/vetting/mine").get_data(as_text=True)
    [event] = actions("vetting.self_declared")
    assert event.details == {} and "Theft" not in str([e.details for e in db.session.scalars(select(AuditEvent))])

    assert "Theft, 2019, fined." in coordinator.get(f"/vetting/people/{volunteer.user.id}").get_data(as_text=True)
    elsewhere = login_as("coordinator", areas=["Darlington"])
    outside = elsewhere.get(f"/vetting/people/{volunteer.user.id}")  # need to know: not even the record
    assert outside.status_code == 404 and "Theft" not in outside.get_data(as_text=True)
    assert "Theft, 2019, fined." in login_as("manager").get(f"/vetting/people/{volunteer.user.id}").get_data(as_text=True)
    trainer = login_as("trainer")
    assert trainer.get(f"/vetting/people/{volunteer.user.id}").status_code == 403

    check = make_dbs(volunteer.user, outcome=DbsOutcome.DISCLOSED, issued_on=today_london())
    services.record_dbs_decision(check, Decision.APPROVED, "Discussed.", coordinator.user, on=today_london())
    db.session.commit()
    assert purge_notes(today_london() + timedelta(days=150), current_policy()) == 0
    assert purge_notes(today_london() + timedelta(days=190), current_policy()) == 2  # the note and the declaration
    db.session.commit()
    page = coordinator.get(f"/vetting/people/{volunteer.user.id}").get_data(as_text=True)
    assert "Theft" not in page and "Deleted on" in page
    assert self_declaration_state(volunteer.user) == "declared"  # that one was made is kept
    assert len(actions("vetting.declaration_purged")) == 1
