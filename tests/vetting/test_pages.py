"""Staff vetting pages and the volunteer's own page, through the test client."""
from datetime import date

import pytest
from sqlalchemy import select

from app.audit import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.timefmt import today_london
from app.vetting.enums import DbsOutcome, Decision, NppvOutcome
from app.vetting.models import DbsCheck, DbsDecision, PoliceVetting, StatusCheck
from app.vetting.services import vetting_gate
from tests.factories import make_user
from tests.vetting.factories import make_dbs, make_identity, make_nppv


def d(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def actions(action: str) -> list[AuditEvent]:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


@pytest.fixture
def volunteer():
    return make_user(Role.VOLUNTEER, name="Vera Volunteer", areas=["Durham"])


@pytest.fixture
def coordinator(login_as):
    return login_as("coordinator", areas=["Durham"])


def test_coordinator_records_a_disclosure_decides_and_clears(coordinator, volunteer, smtp, login_as):
    """The whole staff journey through the forms ends with the gate open."""
    today = today_london()
    r = coordinator.post(f"/vetting/people/{volunteer.id}/dbs/new", data={
        "level": "enhanced", "workforce": "adult", "volunteer_check": "yes", "requested_on": d(today)})
    assert r.status_code == 302
    check = db.session.scalar(select(DbsCheck))
    assert coordinator.post(f"/vetting/dbs/{check.id}/submitted", data={"submitted_on": d(today)}).status_code == 302
    r = coordinator.post(f"/vetting/dbs/{check.id}/certificate", data={
        "certificate_number": "0012 3456 7890", "issued_on": d(today), "outcome": "disclosed"})
    assert r.status_code == 302
    db.session.refresh(check)
    assert check.certificate_number == "001234567890" and check.outcome == DbsOutcome.DISCLOSED
    assert "a risk-assessed decision is needed" in " ".join(vetting_gate(volunteer).reasons)
    r = coordinator.post(f"/vetting/dbs/{check.id}/decision", data={"decision": "approved", "rationale": "Low risk."})
    assert r.status_code == 302
    r = coordinator.post(f"/vetting/people/{volunteer.id}/police/new", data={
        "level": "nppv2_abbreviated", "force_reference": "DUR-1", "submitted_on": d(today)})
    record = db.session.scalar(select(PoliceVetting))
    r = coordinator.post(f"/vetting/police/{record.id}/result", data={"outcome": "granted", "outcome_on": d(today)})
    assert r.status_code == 302
    # A disclosed check's approval waits for a manager who did not make it.
    assert vetting_gate(volunteer).reasons == ["The approval is waiting for a manager to confirm it"]
    decision = db.session.scalar(select(DbsDecision))
    manager = login_as("manager")
    assert manager.post(f"/vetting/decisions/{decision.id}/confirm").status_code == 302
    gate = vetting_gate(volunteer)
    assert gate.ok and gate.until is not None
    for action in ("vetting.dbs_requested", "vetting.dbs_submitted", "vetting.dbs_result", "vetting.dbs_decision",
                   "vetting.nppv_submitted", "vetting.nppv_outcome"):
        [event] = actions(action)
        assert event.actor_id == coordinator.user.id and event.subject_id == volunteer.id
    details = str([e.details for e in db.session.scalars(select(AuditEvent))])
    assert "Low risk" not in details and "disclosed" not in details  # admins read the audit log too
    assert smtp.to(volunteer.email) == []


def test_bad_certificate_number_is_explained_and_kept(coordinator, volunteer):
    check = make_dbs(volunteer, outcome=None)
    r = coordinator.post(f"/vetting/dbs/{check.id}/certificate", data={
        "certificate_number": "12345", "issued_on": d(date(2026, 2, 1)), "outcome": "clear"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Certificate number must be 12 digits, like 001234567890" in page
    assert 'value="12345"' in page
    db.session.refresh(check)
    assert check.outcome is None


def test_dates_must_be_real_in_order_and_not_in_future(coordinator, volunteer):
    check = make_dbs(volunteer, submitted_on=None, requested_on=date(2026, 1, 5))
    r = coordinator.post(f"/vetting/dbs/{check.id}/submitted", data={"submitted_on": ["4", "1", "2026"]})
    assert "Date submitted must be on or after the date requested (5 January 2026)" in r.get_data(as_text=True)
    r = coordinator.post(f"/vetting/dbs/{check.id}/submitted", data={"submitted_on": ["1", "1", "2999"]})
    assert "Date submitted must be today or in the past" in r.get_data(as_text=True)
    r = coordinator.post(f"/vetting/dbs/{check.id}/submitted", data={"submitted_on": ["31", "2", "2026"]})
    assert "Date submitted must be a real date" in r.get_data(as_text=True)
    db.session.refresh(check)
    assert check.submitted_on is None


def test_a_clear_certificate_needs_no_decision(coordinator, volunteer):
    check = make_dbs(volunteer)
    page = coordinator.get(f"/vetting/dbs/{check.id}/decision").get_data(as_text=True)
    assert "This DBS check does not need a decision." in page and "Save decision" not in page
    disclosed = make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED)
    page = coordinator.get(f"/vetting/dbs/{disclosed.id}/decision").get_data(as_text=True)
    assert "This note is deleted 6 months after the decision." in page  # from the policy file
    r = coordinator.post(f"/vetting/dbs/{check.id}/decision", data={"decision": "approved", "rationale": "x"})
    assert r.status_code == 409 and "does not need a decision" in r.get_data(as_text=True)
    assert db.session.scalar(select(DbsDecision)) is None


def test_certificate_cannot_be_recorded_twice(coordinator, volunteer):
    check = make_dbs(volunteer)
    r = coordinator.post(f"/vetting/dbs/{check.id}/certificate", data={
        "certificate_number": "999999999999", "issued_on": d(date(2026, 2, 1)), "outcome": "clear"})
    assert r.status_code == 409
    db.session.refresh(check)
    assert check.certificate_number == "001234567890"


def test_declining_ends_onboarding_with_a_kind_email(coordinator, volunteer, smtp):
    check = make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED)
    r = coordinator.post(f"/vetting/dbs/{check.id}/decision", data={
        "decision": "declined", "rationale": "Recent relevant offence."})
    assert r.status_code == 302
    db.session.refresh(volunteer)
    assert not volunteer.has_role(Role.VOLUNTEER)
    assert [e.details["role"] for e in actions("role.removed")] == ["volunteer"]
    assert len(actions("vetting.onboarding_ended")) == 1
    body = smtp.body(smtp.last(volunteer.email))
    assert "not able to go ahead" in body and "Recent relevant offence" not in body
    assert "DBS" not in smtp.last(volunteer.email)["Subject"]
    details = str([e.details for e in db.session.scalars(select(AuditEvent))]).lower()
    for secret in ("declined", "disclosed", "recent relevant offence"):
        assert secret not in details  # admins read the audit log
    [decided] = actions("vetting.dbs_decision")
    assert (decided.object_type, decided.object_id) == ("DbsDecision", check.decisions[0].id)
    # The record stays visible to staff even though they are no longer a volunteer.
    assert coordinator.get(f"/vetting/people/{volunteer.id}").status_code == 200


def test_status_check_needs_consent_and_sighting_and_a_change_fails_the_gate(coordinator, volunteer):
    check = make_dbs(volunteer, issued_on=date(2026, 2, 1), subscribed_on=date(2026, 2, 3))
    make_nppv(volunteer)
    make_identity(volunteer)
    today = today_london()
    r = coordinator.post(f"/vetting/dbs/{check.id}/status-check", data={"checked_on": d(today), "outcome": "no_change"})
    page = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "Record the volunteer&#39;s consent to status checks" in page
    assert "Record who saw the original certificate in person" in page
    assert db.session.scalar(select(StatusCheck)) is None
    r = coordinator.post(f"/vetting/dbs/{check.id}/update-service", data={
        "join_route": "certificate", "subscribed_on": d(date(2026, 2, 3)),
        "renews_on": d(date(today.year + 1, 12, 31)), "consent_on": d(date(2026, 2, 4)),
        "original_seen_on": d(date(2026, 2, 4))})
    assert r.status_code == 302
    db.session.refresh(check)
    assert check.original_seen_by_id == coordinator.user.id
    assert vetting_gate(volunteer).ok
    r = coordinator.post(f"/vetting/dbs/{check.id}/status-check",
                         data={"checked_on": d(today), "outcome": "changed", "name_matches": "yes"})
    assert r.status_code == 302
    gate = vetting_gate(volunteer)
    assert not gate.ok and "showed new information" in gate.reasons[0]
    # A changed certificate cannot be approved away: there is nothing to decide, only a new check to start.
    assert "Record decision" not in coordinator.get(f"/vetting/people/{volunteer.id}").get_data(as_text=True)
    r = coordinator.post(f"/vetting/dbs/{check.id}/decision", data={"decision": "approved", "rationale": "Discussed."})
    assert r.status_code == 409 and "does not need a decision" in r.get_data(as_text=True)
    assert not vetting_gate(volunteer).ok


def test_police_vetting_can_be_withdrawn_once_granted_but_not_after_refusal(coordinator, volunteer):
    make_dbs(volunteer)
    granted = make_nppv(volunteer)
    r = coordinator.post(f"/vetting/police/{granted.id}/result", data={"outcome": "withdrawn", "outcome_on": d(today_london())})
    assert r.status_code == 302
    assert "Police vetting was withdrawn" in vetting_gate(volunteer).reasons[0]
    refused = make_nppv(volunteer, outcome=NppvOutcome.REFUSED)
    page = coordinator.get(f"/vetting/police/{refused.id}/result").get_data(as_text=True)
    assert "This police vetting was refused: it cannot change." in page and "Save result" not in page
    r = coordinator.post(f"/vetting/police/{refused.id}/result", data={"outcome": "withdrawn", "outcome_on": d(today_london())})
    assert r.status_code == 409
    r = coordinator.post(f"/vetting/police/{granted.id}/result", data={"outcome": "granted", "outcome_on": d(today_london())})
    assert r.status_code == 409


def test_expiry_is_set_from_policy_when_granted(coordinator, volunteer):
    record = make_nppv(volunteer, outcome=None)
    coordinator.post(f"/vetting/police/{record.id}/result", data={"outcome": "granted", "outcome_on": ["1", "2", "2026"]})
    db.session.refresh(record)
    assert record.granted_on == date(2026, 2, 1) and record.expires_on == date(2029, 2, 1)


def test_every_staff_view_of_a_record_is_logged(coordinator, volunteer):
    check = make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED)
    coordinator.get(f"/vetting/people/{volunteer.id}")
    coordinator.get(f"/vetting/people/{volunteer.id}")
    coordinator.get(f"/vetting/dbs/{check.id}/decision")
    views = actions("vetting.viewed")
    assert [(v.actor_id, v.subject_id, v.details["page"]) for v in views] == [
        (coordinator.user.id, volunteer.id, "record"), (coordinator.user.id, volunteer.id, "record"),
        (coordinator.user.id, volunteer.id, "form")]
    assert views[2].object_type == "DbsCheck" and views[2].object_id == check.id


def test_every_form_page_about_a_person_logs_a_view(coordinator, volunteer):
    """Form pages show parts of the record (dates, certificate, why something cannot be done), so they log too."""
    check = make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED, subscribed_on=date(2026, 2, 3))
    record = make_nppv(volunteer, outcome=None)
    pages = [f"/vetting/dbs/{check.id}/submitted", f"/vetting/dbs/{check.id}/certificate",
             f"/vetting/dbs/{check.id}/update-service", f"/vetting/dbs/{check.id}/status-check",
             f"/vetting/police/{record.id}/result", f"/vetting/people/{volunteer.id}/dbs/new",
             f"/vetting/people/{volunteer.id}/police/new"]
    for url in pages:
        assert coordinator.get(url).status_code == 200
    r = coordinator.post(f"/vetting/dbs/{check.id}/decision", data={"decision": "approved"})  # no reasons: shown again
    assert r.status_code == 400 and "001234567890" in r.get_data(as_text=True)
    views = actions("vetting.viewed")
    assert [v.details["page"] for v in views] == ["form"] * 8  # which form would tell admins of a disclosure
    assert {(v.actor_id, v.subject_id) for v in views} == {(coordinator.user.id, volunteer.id)}
    assert (views[-1].object_type, views[-1].object_id) == ("DbsCheck", check.id)
    assert (views[4].object_type, views[4].object_id) == ("PoliceVetting", record.id)


@pytest.mark.parametrize("role", ["trainer", "volunteer", "applicant", "admin"])
def test_only_coordinators_and_managers_see_vetting_records(login_as, volunteer, role):
    make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED, decision=Decision.APPROVED)
    client = login_as(role)
    assert client.get(f"/vetting/people/{volunteer.id}").status_code == 403
    assert client.get("/vetting").status_code == 403
    assert actions("vetting.viewed") == []


def test_a_person_with_no_vetting_who_is_not_a_volunteer_is_not_found(coordinator):
    trainer = make_user(Role.TRAINER)
    assert coordinator.get(f"/vetting/people/{trainer.id}").status_code == 404


def test_volunteer_sees_own_status_in_plain_words_and_no_disclosure(login_as, volunteer):
    make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED, issued_on=today_london(), decision=Decision.APPROVED,
             rationale="Caution in 2009 for shoplifting")
    client = login_as(volunteer)
    page = client.get("/vetting/mine").get_data(as_text=True)
    assert "Your DBS check is complete" in page and "Your coordinator will give you a police vetting form" in page
    for secret in ("Caution", "shoplifting", "disclosed", "001234567890", "Approved"):
        assert secret not in page
    make_nppv(volunteer, granted_on=today_london())
    page = client.get("/vetting/mine").get_data(as_text=True)
    assert "Vetting complete" in page
    home = client.get("/").get_data(as_text=True)
    assert 'id="home-volunteer-vetting"' in home and "police vetting are good until" in home


def test_coordinator_home_links_to_the_work_list(coordinator):
    page = coordinator.get("/").get_data(as_text=True)
    assert 'id="home-coordinator-vetting"' in page and 'href="/vetting"' in page


def test_record_page_shows_purged_note_plainly(coordinator, volunteer):
    check = make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED, decision=Decision.APPROVED, decided_by=coordinator.user)
    page = coordinator.get(f"/vetting/people/{volunteer.id}").get_data(as_text=True)
    assert "Offence over ten years ago" in page and coordinator.user.full_name in page
    from app.vetting.services import purge_note

    purge_note(check.decisions[0], volunteer)
    db.session.commit()
    page = coordinator.get(f"/vetting/people/{volunteer.id}").get_data(as_text=True)
    assert "Offence over ten years ago" not in page and "under the retention policy" in page
