"""Each dashboard panel and each funder table runs the same number of queries for 100 volunteers and for 5,000:
every number is a SQL aggregate, never a Python loop over people."""
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select

from app.applications.models import Application
from app.applications.rules import Status
from app.applications.rules import policy as applications_policy
from app.auth.models import Role, User, UserRole
from app.core.models import user_areas
from app.expenses.models import Batch, Claim, ClaimStatus, Line, LineKind
from app.expenses.policy import policy as expenses_policy
from app.extensions import db
from app.readiness.models import Client, ClientContact, ContactKind, MentorStanding, Pairing, Standing
from app.readiness.policy import current_policy as readiness_policy
from app.reports import queries, queries_panels, rules
from app.reports.models import DashboardSnapshot
from app.reports.policy import policy
from app.training.models import Attendance, Booking, BookingStatus, Completion, CompletionSource
from app.vetting.enums import DbsLevel, DbsOutcome, NppvLevel, NppvOutcome, Workforce
from app.vetting.models import DbsCheck, PoliceVetting
from app.vetting.policy import current_policy as vetting_policy
from tests.factories import _hash, area_named
from tests.training.factories import course, make_session

TODAY = datetime(2026, 6, 15, tzinfo=UTC).date()
_made = [0]


def _seed(n: int, session_id: int, batch_id: int, client_id: int) -> None:
    """n volunteers at every stage, with contacts, attendances and paid expenses, inserted in bulk."""
    start, now = _made[0], datetime(2026, 3, 1, 12, tzinfo=UTC)
    _made[0] += n
    area_id = area_named("Durham" if start % 2 == 0 else "Weardale").id
    courses = [course(c).id for c in ("taster-day", "adult-safeguarding-level-1")]
    users = [{"email": f"bulk{start + i}@example.org", "full_name": f"Bulk Volunteer {start + i:05d}",
              "password_hash": _hash("correct horse battery")} for i in range(n)]
    db.session.execute(insert(User), users)
    ids = db.session.scalars(select(User.id).where(User.email.in_([u["email"] for u in users]))).all()
    db.session.execute(insert(UserRole), [{"user_id": i, "role": Role.VOLUNTEER} for i in ids])
    db.session.execute(insert(user_areas), [{"user_id": i, "area_id": area_id} for i in ids])
    db.session.execute(insert(Application), [
        {"user_id": i, "status": Status.ACCEPTED, "submitted_at": now - timedelta(days=40 + k % 30),
         "decided_at": now - timedelta(days=k % 20), "availability": [], "lived_experience": ["homelessness"],
         "steps_done": []} for k, i in enumerate(ids)])
    db.session.execute(insert(DbsCheck), [
        {"volunteer_id": i, "level": DbsLevel.ENHANCED, "workforce": Workforce.ADULT, "volunteer_check": True,
         "requested_on": TODAY - timedelta(days=100), "submitted_on": TODAY - timedelta(days=99),
         "issued_on": TODAY - timedelta(days=90 + 1000 * (k % 2)), "outcome": DbsOutcome.CLEAR,
         "certificate_number": "001234567890"} for k, i in enumerate(ids)])
    db.session.execute(insert(PoliceVetting), [
        {"volunteer_id": i, "level": NppvLevel.NPPV2_ABBREVIATED, "force_reference": "X",
         "submitted_on": TODAY - timedelta(days=90), "outcome": NppvOutcome.GRANTED, "outcome_on": TODAY - timedelta(days=80),
         "granted_on": TODAY - timedelta(days=80), "expires_on": TODAY + timedelta(days=k % 120)} for k, i in enumerate(ids)])
    db.session.execute(insert(Completion), [
        {"user_id": i, "course_id": c, "completed_on": TODAY - timedelta(days=70), "source": CompletionSource.ATTENDANCE,
         "expires_on": TODAY + timedelta(days=k % 100)} for k, i in enumerate(ids) for c in courses])
    db.session.execute(insert(MentorStanding), [
        {"volunteer_id": i, "status": Standing.RELEASED, "release_count": 1, "released_on": TODAY - timedelta(days=30),
         "first_released_on": TODAY - timedelta(days=30)} for i in ids[::5]])
    pairs = list(zip(ids[::10], ids[5::10], strict=False))
    db.session.execute(insert(Pairing), [{"client_id": client_id, "first_id": a, "second_id": b,
                                          "started_on": TODAY - timedelta(days=20)} for a, b in pairs])
    pairing_ids = db.session.scalars(select(Pairing.id).where(Pairing.first_id.in_(ids))).all()
    db.session.execute(insert(ClientContact), [{"pairing_id": p, "volunteer_id": pairs[0][0], "contact_on": TODAY - timedelta(days=k % 60),
                                                "minutes": 45, "kind": ContactKind.PHONE} for k, p in enumerate(pairing_ids)])
    db.session.execute(insert(Booking), [{"session_id": session_id, "user_id": i, "status": BookingStatus.BOOKED,
                                          "attendance": Attendance.PRESENT, "queued_at": now} for i in ids])
    db.session.execute(insert(Claim), [{"claimant_id": i, "status": ClaimStatus.PAID, "batch_id": batch_id,
                                        "created_at": now} for i in ids[::3]])
    claims = db.session.scalars(select(Claim.id).where(Claim.claimant_id.in_(ids))).all()
    db.session.execute(insert(Line), [{"claim_id": c, "kind": LineKind.OTHER, "spent_on": TODAY, "stream": "mentoring",
                                       "pence": 300, "description": "Bus"} for c in claims])
    db.session.commit()


def _counts(app, count_queries) -> dict:
    scope = queries.Scope(None, rules.months_back(TODAY, 12), TODAY, TODAY)
    settings = policy()
    panels = {"pipeline": lambda: queries_panels.pipeline(scope), "time": lambda: queries_panels.time_in_stage(scope),
              "gates": lambda: queries_panels.gates(scope), "lapses": lambda: queries_panels.lapses(scope, None, settings),
              "areas": lambda: queries_panels.areas(scope), "hours": lambda: queries_panels.contacts(scope),
              "training": lambda: queries_panels.training(scope),
              "lapse list": lambda: list(db.session.scalars(queries.lapsing_people("police", scope, 90).limit(25)))}
    period = rules.quarter(2026, 1)
    for key in queries_panels.REPORT_TABLES:
        panels[f"report {key}"] = lambda key=key: queries_panels.report_table(key, None, period)
    found = {}
    with app.test_request_context():
        for read in (policy, readiness_policy, expenses_policy, applications_policy, vetting_policy):
            read()  # policy files are read once, not per panel
        for name, build in panels.items():
            db.session.expire_all()
            with count_queries() as statements:
                build()
            found[name] = len(statements)
    return found


def test_every_panel_and_table_runs_the_same_queries_at_100_and_5000_volunteers(app, count_queries, login_as):
    session = make_session("taster-day", starts_at=datetime(2026, 5, 1, 10, tzinfo=UTC), hours=3)
    client = Client(reference="DUR-0009", area_id=area_named("Durham").id, needs=[])
    batch = Batch(paid_on=TODAY - timedelta(days=20), reference="R")
    db.session.add_all([client, batch])
    db.session.commit()
    _seed(100, session.id, batch.id, client.id)
    small = _counts(app, count_queries)
    manager = login_as("manager")
    with count_queries() as page_small:
        assert manager.get("/dashboard").status_code == 200
    _seed(4900, session.id, batch.id, client.id)
    assert db.session.scalar(select(db.func.count(User.id))) > 5000
    large = _counts(app, count_queries)
    db.session.execute(delete(DashboardSnapshot))  # worked out again, not read from the first load's snapshot
    db.session.commit()
    with count_queries() as page_large:
        response = manager.get("/dashboard")
    assert response.status_code == 200
    assert large == small, {k: (small[k], large[k]) for k in small if small[k] != large[k]}
    assert max(small.values()) <= 2  # one aggregate query a panel (the pipeline and the time in stage: one each)
    assert len(page_large) == len(page_small)
    # The numbers really are about the people seeded: 5,000 applied and vetted (two courses of six: none trained).
    counts = queries.pipeline_counts(queries.Scope(None, TODAY, TODAY, TODAY))
    assert (counts["applied"], counts["vetted"], counts["trained"]) == (5000, 5000, 0)
