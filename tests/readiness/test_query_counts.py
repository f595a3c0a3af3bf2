"""The readiness list and the CSV export run the same number of queries for 10 volunteers and for 1,000;
the export is streamed a row at a time, not built in memory."""
from datetime import timedelta

from sqlalchemy import insert, select

from app.applications.models import Application, Referee
from app.applications.rules import Status
from app.auth.models import Role, User, UserRole
from app.core.models import user_areas
from app.db_types import utcnow
from app.extensions import db
from app.readiness import queries_export
from app.readiness.models import AgreementSignature, EmergencyContact, Induction, MentorStanding, Standing
from app.timefmt import today_london
from app.training.models import Completion, CompletionSource
from app.vetting.enums import DbsLevel, DbsOutcome, NppvLevel, NppvOutcome, Workforce
from app.vetting.models import DbsCheck, PoliceVetting
from tests.factories import _hash, area_named, make_user
from tests.training.factories import course

_made = [0]


def _volunteers(n: int, area: str = "Durham") -> None:
    """n volunteers with an application, references, vetting, training, agreement, induction, contact, in bulk."""
    today, now, start = today_london(), utcnow(), _made[0]
    _made[0] += n
    area_id, courses = area_named(area).id, [course(c).id for c in ("taster-day", "adult-safeguarding-level-1", "grow-model")]
    supervisor = make_user(Role.COORDINATOR, areas=[area])
    users = [{"email": f"bulk{start + i}@example.org", "full_name": f"Bulk Volunteer {start + i:05d}",
              "password_hash": _hash("correct horse battery"), "email_verified_at": now} for i in range(n)]
    db.session.execute(insert(User), users)
    ids = db.session.scalars(select(User.id).where(User.email.in_([u["email"] for u in users]))).all()
    db.session.execute(insert(UserRole), [{"user_id": i, "role": Role.VOLUNTEER} for i in ids])
    db.session.execute(insert(user_areas), [{"user_id": i, "area_id": area_id} for i in ids])
    db.session.execute(insert(Application), [{"user_id": i, "status": Status.ACCEPTED, "decided_at": now,
                                              "availability": [], "lived_experience": [], "steps_done": []} for i in ids])
    apps = db.session.execute(select(Application.id, Application.user_id).where(Application.user_id.in_(ids))).all()
    db.session.execute(insert(Referee), [{"application_id": a, "position": p, "name": "R", "relationship_kind": "friend",
                                          "email": "r@example.net", "phone": "07700900001", "satisfactory": True,
                                          "answers": {}} for a, _ in apps for p in (1, 2)])
    db.session.execute(insert(DbsCheck), [{"volunteer_id": i, "level": DbsLevel.ENHANCED, "workforce": Workforce.ADULT,
                                           "volunteer_check": True, "requested_on": today - timedelta(days=60),
                                           "submitted_on": today - timedelta(days=59), "issued_on": today - timedelta(days=50),
                                           "outcome": DbsOutcome.CLEAR, "certificate_number": "001234567890"} for i in ids])
    db.session.execute(insert(PoliceVetting), [{"volunteer_id": i, "level": NppvLevel.NPPV2_ABBREVIATED,
                                                "force_reference": "X", "submitted_on": today - timedelta(days=60),
                                                "outcome": NppvOutcome.GRANTED, "outcome_on": today - timedelta(days=40),
                                                "granted_on": today - timedelta(days=40),
                                                "expires_on": today + timedelta(days=900)} for i in ids])
    db.session.execute(insert(Completion), [{"user_id": i, "course_id": c, "completed_on": today - timedelta(days=30),
                                             "source": CompletionSource.ATTENDANCE} for i in ids for c in courses])
    db.session.execute(insert(AgreementSignature), [{"volunteer_id": i, "version": 1, "typed_name": "Bulk",
                                                     "signed_on": today} for i in ids[::2]])
    db.session.execute(insert(Induction), [{"volunteer_id": i, "held_on": today, "supervisor_id": supervisor.id}
                                           for i in ids[::3]])
    db.session.execute(insert(EmergencyContact), [{"volunteer_id": i, "name": "P", "relationship_kind": "friend",
                                                   "phone": "07700900123"} for i in ids[::4]])
    db.session.execute(insert(MentorStanding), [{"volunteer_id": i, "status": Standing.RELEASED, "release_count": 1}
                                                for i in ids[::5]])
    db.session.commit()


def _count(client, url, count_queries) -> tuple[int, str]:
    client.get(url).get_data()  # warm up (templates, policy files)
    with count_queries() as queries:
        response = client.get(url)
        body = response.get_data(as_text=True)
    assert response.status_code == 200
    return len(queries), body


def test_the_list_and_export_run_a_fixed_number_of_queries_at_10_and_1000_volunteers(login_as, count_queries):
    client = login_as("coordinator", areas=["Durham"])
    _volunteers(10)
    urls = ["/readiness/staff", "/readiness/staff?state=pending&gate=agreement&within=300&page=2",
            "/readiness/staff/readiness.csv"]
    small = {url: _count(client, url, count_queries) for url in urls}
    _volunteers(990)
    large = {url: _count(client, url, count_queries) for url in urls}
    assert {u: n for u, (n, _) in small.items()} == {u: n for u, (n, _) in large.items()}
    assert "1000 volunteers" in large["/readiness/staff"][1]
    lines = large["/readiness/staff/readiness.csv"][1].splitlines()
    assert len(lines) == 1001 and lines[0].split(",")[3] == "Released"
    assert lines[0].endswith("Good until")
    assert sum(line.split(",")[3] == "yes" for line in lines[1:]) == 200


def test_the_export_is_streamed_and_a_coordinator_gets_only_their_areas(login_as, monkeypatch):
    _volunteers(3, area="Durham")
    _volunteers(2, area="Weardale")
    monkeypatch.setattr(queries_export, "EXPORT_CHUNK", 1)
    client = login_as("coordinator", areas=["Weardale"])
    response = client.get("/readiness/staff/readiness.csv")
    assert response.is_streamed and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    chunks = list(response.iter_encoded())  # the generator's pieces: a header, then one piece per batch
    response.close()
    assert len(chunks) == 1 + 2
    text = b"".join(chunks).decode()
    assert text.count("Bulk Volunteer") == 2


def test_a_name_that_looks_like_a_formula_is_exported_as_text(login_as):
    make_user(Role.VOLUNTEER, name="=HYPERLINK(evil)", areas=["Durham"])
    body = login_as("manager").get("/readiness/staff/readiness.csv").get_data(as_text=True)
    assert "'=HYPERLINK(evil)" in body
