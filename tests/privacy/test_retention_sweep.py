"""`flask retention sweep` beyond applications: leavers anonymised, finance records deleted, the audit log pruned
with its chain still verifying; each sweep audited once, a dry run changes nothing, a second run is a no-op."""
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app import audit
from app.applications.models import Referee
from app.applications.rules import Status
from app.audit import AuditEvent, AuditPruning, verify_chain
from app.auth.models import Role, User
from app.expenses.models import Batch, Claim, ClaimStatus, DriverYear, Line, LineKind, Receipt
from app.expenses.services_receipts import receipts_dir
from app.extensions import db
from app.readiness.models import EmergencyContact, MentorStanding, Standing
from app.timefmt import today_london
from app.vetting.models import SelfDeclaration
from tests.applications.factories import make_application
from tests.factories import make_user
from tests.privacy.support import backdate_audit
from tests.vetting.factories import make_dbs


def sweep(app, day: date, *flags: str) -> list[str]:
    result = app.test_cli_runner().invoke(args=["retention", "sweep", "--today", day.isoformat(), *flags])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def make_leaver(left_on: date, **kwargs) -> User:
    person = make_user(Role.VOLUNTEER, areas=("Durham",), **kwargs)
    person.deactivated_at = at(left_on)
    application = make_application(user=person, status=Status.ACCEPTED)
    application.decided_at = at(left_on - timedelta(days=400))
    db.session.add(Referee(application=application, position=1, name="Ann Referee", relationship_kind="friend",
                           email="ann@example.org", phone="07700900001"))
    db.session.add(EmergencyContact(volunteer_id=person.id, name="Bob Contact", relationship_kind="brother",
                                    phone="07700900002"))
    db.session.add(SelfDeclaration(volunteer_id=person.id, made_on=left_on - timedelta(days=300), has_something=True,
                                   details="A caution in 2001"))
    make_dbs(person, commit=False)
    db.session.commit()
    return person


def test_leavers_are_anonymised_on_the_anniversary_and_a_second_run_changes_nothing(app):
    leaver = make_leaver(date(2020, 3, 10), name="Leah Leaver")
    still_here = make_user(Role.VOLUNTEER, name="Stay Volunteer")
    staff = make_user(Role.COORDINATOR, name="Former Coordinator")
    staff.deactivated_at = at(date(2019, 1, 1))  # staff stay attributable: not a leaver's record
    stood_down = make_user(Role.VOLUNTEER, name="Stood Down")
    db.session.add(MentorStanding(volunteer_id=stood_down.id, status=Standing.STOOD_DOWN,
                                  changed_at=at(date(2020, 3, 10))))
    db.session.commit()

    assert sweep(app, date(2026, 3, 9))[1] == "retention: 0 leavers anonymised"  # the last day kept
    assert sweep(app, date(2026, 3, 10), "--dry-run")[1] == "retention (dry run): 2 leavers would be anonymised"
    db.session.refresh(leaver)
    assert leaver.full_name == "Leah Leaver" and leaver.anonymised_at is None  # the dry run changed nothing
    assert sweep(app, date(2026, 3, 10))[1] == "retention: 2 leavers anonymised"
    for person in (leaver, stood_down, still_here, staff):
        db.session.refresh(person)
    assert leaver.anonymised_at and leaver.full_name == "Former volunteer" and "leah" not in leaver.email.lower()
    assert stood_down.anonymised_at and stood_down.deactivated_at  # stood down and never signed in since
    assert still_here.anonymised_at is None and staff.anonymised_at is None and staff.full_name == "Former Coordinator"
    assert count(Referee, Referee.name == "Ann Referee") == 0
    assert count(EmergencyContact, EmergencyContact.volunteer_id == leaver.id) == 0
    assert count(SelfDeclaration, SelfDeclaration.volunteer_id == leaver.id) == 0
    from app.vetting.models import DbsCheck

    check = db.session.scalar(select(DbsCheck).where(DbsCheck.volunteer_id == leaver.id))
    assert check.certificate_number is None and check.outcome is not None  # the decision's codes are kept
    assert leaver.roles == {Role.VOLUNTEER}  # that they volunteered is kept

    before = db.session.execute(select(User.id, User.full_name, User.email, User.version).order_by(User.id)).all()
    assert sweep(app, date(2026, 3, 10))[1] == "retention: 0 leavers anonymised"  # again: nothing more
    assert db.session.execute(select(User.id, User.full_name, User.email, User.version).order_by(User.id)).all() == before
    sweeps = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.sweep")
                                .order_by(AuditEvent.id)).all()
    assert len(sweeps) == 3  # one event per sweep, not for the dry run
    assert sweeps[1].details["leavers_anonymised"] == 2 and sweeps[2].details["leavers_anonymised"] == 0
    assert count(AuditEvent, AuditEvent.action == "retention.person_anonymised") == 2


def _paid_claim(person, paid_on: date, with_receipt: bool = True) -> Claim:
    claim = Claim(claimant_id=person.id, status=ClaimStatus.PAID, submitted_at=at(paid_on - timedelta(days=20)),
                  decided_at=at(paid_on - timedelta(days=10)), batch=Batch(paid_on=paid_on, reference="BACS"))
    line = Line(kind=LineKind.PARKING, spent_on=paid_on - timedelta(days=30), description="Car park", stream="core",
                pence=350)
    if with_receipt:
        folder = receipts_dir()
        name = f"{person.id:04d}{paid_on:%Y%m%d}aaaaaaaaaaaa.pdf"
        (folder / name).write_bytes(b"%PDF-1.4\n%%EOF\n")
        line.receipt = Receipt(owner_id=person.id, stored_name=name, content_type="application/pdf", extension="pdf",
                               size_bytes=15)
    claim.lines.append(line)
    db.session.add(claim)
    db.session.commit()
    return claim


def test_finance_records_go_six_years_after_the_end_of_their_tax_year(app):
    volunteer = make_user(Role.VOLUNTEER, areas=("Durham",))
    old = _paid_claim(volunteer, date(2020, 5, 1))
    newer = _paid_claim(volunteer, date(2021, 4, 6), with_receipt=False)
    db.session.add_all([DriverYear(user_id=volunteer.id, tax_year=2020), DriverYear(user_id=volunteer.id, tax_year=2021)])
    db.session.commit()
    receipt_file = receipts_dir() / old.lines[0].receipt.stored_name
    old_id, newer_id = old.id, newer.id

    assert sweep(app, date(2027, 4, 5))[2] == \
        "retention: 0 expense claims, 0 receipts and 0 drivers' yearly confirmations deleted"
    assert sweep(app, date(2027, 4, 6), "--dry-run")[2] == \
        "retention (dry run): 1 expense claims, 1 receipts and 1 drivers' yearly confirmations would be deleted"
    assert receipt_file.exists() and count(Claim, Claim.id == old_id) == 1
    assert sweep(app, date(2027, 4, 6))[2] == \
        "retention: 1 expense claims, 1 receipts and 1 drivers' yearly confirmations deleted"
    assert count(Claim, Claim.id == old_id) == 0 and count(Line, Line.claim_id == old_id) == 0
    assert count(Claim, Claim.id == newer_id) == 1 and count(Receipt) == 0
    assert not receipt_file.exists()  # the file went when the deletion was committed
    assert count(DriverYear, DriverYear.user_id == volunteer.id) == 1
    assert sweep(app, date(2027, 4, 6))[2] == \
        "retention: 0 expense claims, 0 receipts and 0 drivers' yearly confirmations deleted"


def test_audit_rows_past_the_horizon_are_pruned_and_the_chain_still_verifies(app):
    people = [make_user(Role.VOLUNTEER) for _ in range(3)]
    for person in people:
        for n in range(4):
            audit.record(None, "test.event", person, n=n)
    db.session.commit()
    ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    today = today_london()
    old = at(date(today.year - 8, 1, 15))
    backdate_audit({row_id: old + timedelta(minutes=i) for i, row_id in enumerate(ids[:8])})
    assert verify_chain().ok

    assert sweep(app, today, "--dry-run")[3] == "retention (dry run): 8 audit events would be pruned"
    assert count(AuditEvent) == 12
    assert sweep(app, today, "--batch-size", "3")[3] == "retention: 8 audit events pruned"
    assert count(AuditEvent, AuditEvent.action == "test.event") == 4
    check = verify_chain()
    assert check.ok, check.problem
    anchor = db.session.scalar(select(AuditPruning))
    assert anchor.through_id == ids[7] and anchor.rows == 8
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"rows up to {ids[7]} were pruned" in result.output and "all 5 rows verified" in result.output

    assert sweep(app, today)[3] == "retention: 0 audit events pruned"  # again: nothing more
    assert verify_chain().ok
    sweeps = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.sweep")
                                .order_by(AuditEvent.id)).all()
    assert [s.details["audit_events_pruned"] for s in sweeps] == [8, 0]


def test_the_database_refuses_deleting_audit_rows_no_anchor_covers(app):
    person = make_user(Role.VOLUNTEER)
    audit.record(None, "test.event", person)
    audit.record(None, "test.event", person)
    db.session.commit()
    first, second = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    with pytest.raises(DBAPIError), db.session.begin_nested():
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": first})
    with pytest.raises(DBAPIError), db.session.begin_nested():  # an anchor must name a real row with its hash
        db.session.add(AuditPruning(through_id=first, through_hash="0" * 64, horizon=at(date(2020, 1, 1)), rows=1))
        db.session.flush()
    newest_hash = db.session.scalar(select(AuditEvent.row_hash).where(AuditEvent.id == second))
    with pytest.raises(DBAPIError), db.session.begin_nested():  # and never the newest row
        db.session.add(AuditPruning(through_id=second, through_hash=newest_hash, horizon=at(date(2020, 1, 1)), rows=2))
        db.session.flush()
    audit.prune_through(first, at(date(2020, 1, 1)))
    assert count(AuditEvent) == 1 and verify_chain().ok
    with pytest.raises(DBAPIError), db.session.begin_nested():  # rows after the anchor stay append-only
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": second})
    with pytest.raises(DBAPIError), db.session.begin_nested():  # and anchors are never changed
        db.session.execute(text("UPDATE audit_prunings SET through_id = :id"), {"id": second})


def test_pruning_refuses_a_chain_that_does_not_verify(app):
    person = make_user(Role.VOLUNTEER)
    for _ in range(3):
        audit.record(None, "test.event", person)
    db.session.commit()
    ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    today = today_london()
    backdate_audit({ids[0]: at(date(today.year - 9, 1, 1))})
    db.session.execute(text("UPDATE audit_chain SET last_hash = :h"), {"h": "f" * 64})  # the head tampered with
    result = app.test_cli_runner().invoke(args=["retention", "sweep", "--today", today.isoformat()])
    assert result.exit_code != 0 and "does not verify" in result.output
    assert count(AuditEvent) == 3 and count(AuditPruning) == 0


def test_a_sweep_on_an_empty_database_changes_nothing_but_its_own_record(app):
    assert sweep(app, date(2030, 1, 1)) == [
        "retention: 0 declined or withdrawn applications anonymised",
        "retention: 0 leavers anonymised",
        "retention: 0 expense claims, 0 receipts and 0 drivers' yearly confirmations deleted",
        "retention: 0 audit events pruned",
    ]
    assert count(AuditEvent) == 1


def test_a_sweep_works_in_batches_and_reports_progress(app):
    from app.privacy.policy import current_policy
    from app.privacy.services import run_sweep

    leavers = [make_user(Role.VOLUNTEER) for _ in range(5)]
    for person in leavers:
        person.deactivated_at = at(date(2020, 1, 1))
    db.session.commit()
    bars: dict[str, list[int]] = {}

    def progress(label, total):
        bars[label] = [total]
        return bars[label].append

    result = run_sweep(date(2026, 1, 1), current_policy(), batch_size=2, progress=progress)
    assert result.counts["leavers_anonymised"] == 5
    assert bars["leavers"] == [5, 2, 2, 1]  # the total, then one update per batch of 2
    assert count(User, User.anonymised_at.is_not(None)) == 5


def test_an_anonymised_account_cannot_be_reopened(app):
    from app.auth.services import AccountError, reactivate_user

    admin = make_user(Role.ADMIN)
    leaver = make_leaver(date(2020, 3, 10))
    sweep(app, date(2026, 3, 10))
    db.session.refresh(leaver)
    with pytest.raises(AccountError, match="cannot be reopened"):
        reactivate_user(leaver, admin)


def test_the_newest_audit_row_always_stays_so_ids_never_start_again(app):
    """Run as if far in the future, every row is past the horizon, even this sweep's own: the newest stays
    (SQLite would otherwise give the next row id 1 again), and the chain verifies after each run."""
    leaver = make_leaver(date(2020, 3, 10))
    for n in range(3):
        audit.record(None, "test.event", leaver, n=n)
    db.session.commit()
    newest_before = db.session.scalar(select(func.max(AuditEvent.id)))
    future = date(today_london().year + 20, 1, 1)
    sweep(app, future)
    assert verify_chain().ok
    sweep(app, future)
    assert verify_chain().ok
    ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    assert ids[0] > newest_before and len(ids) <= 2  # only the newest rows remain, with ids still rising
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
