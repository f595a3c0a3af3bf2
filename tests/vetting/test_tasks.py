"""`flask vetting remind` and `flask vetting purge`: time controlled by --today."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.audit import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.vetting.enums import DbsOutcome, Decision
from app.vetting.models import DbsDecision, SentReminder
from tests.factories import make_user
from tests.vetting.factories import make_dbs, make_nppv

ISSUED = date(2024, 3, 1)
DUE = date(2027, 3, 1)  # three years on


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def _run(command: str, day: date):
        result = runner.invoke(args=["vetting", command, "--today", day.isoformat()])
        assert result.exit_code == 0, result.output
        return result.output

    return _run


@pytest.fixture
def people():
    volunteer = make_user(Role.VOLUNTEER, email="vol@example.org", areas=["Durham"])
    covering = make_user(Role.COORDINATOR, email="durham.coord@example.org", areas=["Durham", "Stanley"])
    elsewhere = make_user(Role.COORDINATOR, email="darlington.coord@example.org", areas=["Darlington"])
    manager = make_user(Role.MANAGER, email="manager@example.org")
    make_dbs(volunteer, issued_on=ISSUED)
    make_nppv(volunteer, granted_on=date(2026, 6, 15))  # expires 2029, reviewed each 15 June: nothing due here
    return volunteer, covering, elsewhere, manager


def test_reminders_go_once_per_lead_time_however_often_the_job_runs(run, people, smtp):
    volunteer, covering, elsewhere, manager = people
    sent_on = {}
    for day in (DUE - timedelta(days=n) for n in range(100, -5, -1)):
        for _ in range(2):  # cron may run twice a day
            before = len(smtp.to(volunteer.email))
            output = run("remind", day)
            if len(smtp.to(volunteer.email)) > before:
                sent_on[(DUE - day).days] = output
    assert sorted(sent_on, reverse=True) == [90, 60, 30]
    assert all(out.strip() == "vetting: 1 reminders sent" for out in sent_on.values())
    assert len(smtp.to(volunteer.email)) == 3 and len(smtp.to(covering.email)) == 3
    assert smtp.to(elsewhere.email) == [] and smtp.to(manager.email) == []
    assert "due for renewal on 1 March 2027" in smtp.body(smtp.to(volunteer.email)[0])
    assert "http://127.0.0.1:5000/vetting/mine" in smtp.body(smtp.to(volunteer.email)[0])  # PORTAL_URL
    digest = smtp.to(covering.email)[0]
    assert digest["Subject"] == "Vetting due: 1 volunteer in your areas"
    assert f"{volunteer.display_name}: DBS recheck due on 1 March 2027" in smtp.body(digest)
    assert db.session.scalar(select(func.count()).select_from(SentReminder)) == 3


def test_staff_get_one_digest_per_run_not_one_e_mail_per_volunteer(run, people, smtp):
    volunteer, covering, elsewhere, manager = people
    others = [make_user(Role.VOLUNTEER, areas=["Stanley"]) for _ in range(3)]
    for other in others:
        make_dbs(other, issued_on=ISSUED)
        make_nppv(other, granted_on=date(2026, 6, 15))
    assert run("remind", DUE - timedelta(days=60)).strip() == "vetting: 4 reminders sent"
    [digest] = smtp.to(covering.email)
    assert digest["Subject"] == "Vetting due: 4 volunteers in your areas"
    body = smtp.body(digest)
    assert all(f"{p.display_name}: DBS recheck due on 1 March 2027" in body for p in [volunteer, *others])
    assert all(len(smtp.to(p.email)) == 1 for p in [volunteer, *others])
    assert smtp.to(elsewhere.email) == [] and smtp.to(manager.email) == []
    assert run("remind", DUE - timedelta(days=60)).strip() == "vetting: 0 reminders sent"
    assert len(smtp.to(covering.email)) == 1  # nothing new: no digest


def test_reminders_are_read_in_batches(run, people, smtp, monkeypatch):
    import app.vetting.services_reminders as reminders

    monkeypatch.setattr(reminders, "BATCH", 2)
    others = [make_user(Role.VOLUNTEER, areas=["Durham"]) for _ in range(4)]
    for other in others:
        make_dbs(other, issued_on=ISSUED)
        make_nppv(other, granted_on=date(2026, 6, 15))
    assert run("remind", DUE - timedelta(days=30)).strip() == "vetting: 5 reminders sent"
    [digest] = smtp.to(people[1].email)
    assert digest["Subject"] == "Vetting due: 5 volunteers in your areas"


def test_a_missed_reminder_is_not_sent_late(run, people, smtp):
    volunteer = people[0]
    run("remind", DUE - timedelta(days=20))
    run("remind", DUE - timedelta(days=19))
    [message] = smtp.to(volunteer.email)
    assert [r.lead_days for r in db.session.scalars(select(SentReminder))] == [30]
    assert "1 March 2027" in smtp.body(message)


def test_no_reminder_while_a_recheck_is_under_way(run, people, smtp):
    volunteer = people[0]
    make_dbs(volunteer, requested_on=DUE - timedelta(days=100), submitted_on=None)
    run("remind", DUE - timedelta(days=30))
    assert smtp.to(volunteer.email) == []


def test_managers_hear_when_no_coordinator_covers_the_area(run, smtp):
    volunteer = make_user(Role.VOLUNTEER, areas=["Weardale"])
    manager = make_user(Role.MANAGER)
    make_dbs(volunteer, issued_on=ISSUED)
    make_nppv(volunteer, granted_on=date(2026, 6, 15))
    run("remind", DUE - timedelta(days=60))
    assert len(smtp.to(volunteer.email)) == 1 and len(smtp.to(manager.email)) == 1


def test_police_vetting_expiry_reminder(run, smtp):
    volunteer = make_user(Role.VOLUNTEER)
    make_dbs(volunteer, issued_on=date(2026, 1, 1))
    make_nppv(volunteer, granted_on=date(2024, 5, 1))  # expires 1 May 2027
    run("remind", date(2027, 4, 1))
    [message] = smtp.to(volunteer.email)
    assert message["Subject"] == "Your police vetting is due for renewal"
    assert "ends on 1 May 2027" in smtp.body(message)


def test_a_bad_date_is_refused(app):
    result = app.test_cli_runner().invoke(args=["vetting", "remind", "--today", "31/02/2027"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output


def test_purge_removes_notes_after_six_months_and_audits_each(run):
    volunteer = make_user(Role.VOLUNTEER)
    check = make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED, decision=Decision.APPROVED,
                     decided_on=date(2026, 1, 10), rationale="Old caution; low risk.")
    recent = make_dbs(make_user(Role.VOLUNTEER), outcome=DbsOutcome.DISCLOSED, decision=Decision.APPROVED,
                      decided_on=date(2026, 3, 1), rationale="Kept for now.")
    assert run("purge", date(2026, 7, 9)).splitlines()[0] == "vetting: 0 disclosure notes and self-declarations purged"
    assert run("purge", date(2026, 7, 10)).splitlines()[0] == "vetting: 1 disclosure notes and self-declarations purged"
    db.session.expire_all()
    decision = db.session.get(DbsDecision, check.decisions[0].id)
    assert decision.rationale is None and decision.rationale_purged_at is not None
    assert decision.decision == Decision.APPROVED and decision.decided_on == date(2026, 1, 10)  # the decision stays
    assert db.session.get(DbsDecision, recent.decisions[0].id).rationale == "Kept for now."
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "vetting.note_purged")).all()
    assert event.subject_id == volunteer.id and event.actor_id is None
    assert event.object_type == "DbsDecision" and event.object_id == decision.id
    assert run("purge", date(2026, 12, 1)).splitlines()[0] == "vetting: 1 disclosure notes and self-declarations purged"  # other
    assert run("purge", date(2026, 12, 2)).splitlines()[0] == "vetting: 0 disclosure notes and self-declarations purged"


def test_annual_police_vetting_review_reminder(run, smtp):
    volunteer = make_user(Role.VOLUNTEER)
    make_dbs(volunteer, issued_on=date(2026, 1, 1))
    make_nppv(volunteer, granted_on=date(2026, 6, 15))  # reviewed each 15 June (policy: review_months = 12)
    run("remind", date(2027, 3, 16))  # 91 days before: nothing yet
    assert smtp.to(volunteer.email) == []
    run("remind", date(2027, 5, 16))  # 30 days before
    [message] = smtp.to(volunteer.email)
    assert message["Subject"] == "Your police vetting review is coming up"
    assert "next review is due on 15 June 2027" in smtp.body(message)
    run("remind", date(2027, 5, 17))
    assert len(smtp.to(volunteer.email)) == 1


def test_purge_reaches_application_notes_six_months_after_the_decision(run):
    from datetime import UTC, datetime

    from app.applications.models import ApplicationNote
    from app.applications.rules import Status
    from app.applications.services import start_review
    from tests.applications.factories import make_application

    coordinator = make_user(Role.COORDINATOR, areas=["Durham"])
    application = make_application(status=Status.SUBMITTED, chat_notes="Talked about her past", decline_note="Risk")
    start_review(application, coordinator, "Knows someone on probation")
    application.status, application.decided_at = Status.DECLINED, datetime(2026, 1, 10, 12, tzinfo=UTC)
    db.session.commit()
    assert run("purge", date(2026, 7, 9)).splitlines()[1] == "applications: notes of 0 decided applications purged"
    assert run("purge", date(2026, 7, 10)).splitlines()[1] == "applications: notes of 1 decided applications purged"
    db.session.refresh(application)
    assert application.chat_notes is None and application.decline_note is None and application.notes_purged_at
    assert db.session.scalars(select(ApplicationNote.text)).all() == [None]
    assert run("purge", date(2026, 7, 11)).splitlines()[1] == "applications: notes of 0 decided applications purged"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "application.notes_purged")) == 1


def test_the_daily_run_writes_the_day_s_work_lists(app, people):
    """Run for today (no --today), the reminders job also writes today's work lists, so the first coordinator of
    the day does not wait for them (app/vetting/services_lists.py)."""
    from app.timefmt import today_london
    from app.vetting.models import WorkListEntry, WorkListState

    newcomer = make_user(Role.VOLUNTEER, email="new@example.org", areas=["Durham"])
    result = app.test_cli_runner().invoke(args=["vetting", "remind", "--no-progress"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(WorkListState, 1).on_day == today_london()
    assert db.session.get(WorkListEntry, newcomer.id).lists != 0  # awaiting everything
