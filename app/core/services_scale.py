"""Bulk-seeded realistic histories for scale tests and benchmarks (`flask seed-scale`, tests/test_growth_guard.py).

Everything goes in through Core `insert()` with lists of dicts, in batches, with ids chosen here so rows can
point at each other without reading them back. People get: an application in one of every state, referees,
DBS checks and police vetting (about 10% due for a recheck or expiring within 90 days), bookings on past and
coming training sessions with attendance, completions, a readiness standing in one of every state with the
agreement, induction and emergency contact behind it, pairings with clients and logged contacts, expense claims
in every state, and audit rows. Audit rows are chained exactly as app/audit.py chains them (chain_hash over
the previous row's hash), stamped with the database's clock, so `flask audit verify` passes afterwards.

Nothing here is for production: the command refuses to run under the production config.
"""
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, insert, literal_column, select, text, update

from app.extensions import db

BATCH = 5_000
STAFF_DOMAIN = "scale.example.org"
PEOPLE_DOMAIN = "people.scale.example.org"

# Share of people per application state; accepted people become volunteers.
APPLICATION_MIX = [("accepted", 70), ("draft", 5), ("submitted", 5), ("in_review", 5), ("references_requested", 4),
                   ("chat_booked", 3), ("chat_held", 2), ("declined", 3), ("withdrawn", 3)]
STANDING_MIX = [("released", 50), ("not_released", 25), ("stood_down", 8), ("suspended", 5), ("paused", 12)]
CLAIM_MIX = [("draft", 20), ("submitted", 25), ("queried", 10), ("approved", 15), ("rejected", 10), ("paid", 20)]
FIRST = ["Alex", "Sam", "Jo", "Chris", "Pat", "Robin", "Jamie", "Morgan", "Taylor", "Casey", "Jordan", "Ash",
         "Rowan", "Eden", "Kit", "Lee", "Noor", "Priya", "Tom", "Ella", "Grace", "Harry", "Isla", "Jack", "Amir"]
LAST = ["Smith", "Jones", "Taylor", "Brown", "Wilson", "Robson", "Walker", "Wright", "Thompson", "White",
        "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Clarke", "Patel", "Khan", "Scott", "Bell", "Reid"]


@dataclass
class ScaleReport:
    people: int = 0
    volunteers: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    staff: dict[str, list[str]] = field(default_factory=dict)  # role -> e-mails

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _weighted(rng: random.Random, mix):
    values, weights = zip(*mix, strict=True)
    return rng.choices(values, weights)[0]


class _Ids:
    """The next free id of each table, read once; ids are handed out here so rows can reference each other."""

    def __init__(self):
        self.next: dict[str, int] = {}

    def take(self, table) -> int:
        if table.name not in self.next:
            self.next[table.name] = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
        value = self.next[table.name]
        self.next[table.name] = value + 1
        return value


class _Writer:
    """Rows queued per table, written in batches of BATCH with Core executemany."""

    def __init__(self, report: ScaleReport, tick: Callable[[int], None]):
        self.pending: dict[str, tuple[object, list[dict]]] = {}
        self.report, self.tick = report, tick

    def add(self, table, row: dict) -> None:
        rows = self.pending.setdefault(table.name, (table, []))[1]
        rows.append(row)
        if len(rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write every queued row, parents before children (the foreign keys are checked at once)."""
        order = {tbl.name: n for n, tbl in enumerate(db.metadata.sorted_tables)}
        for key in sorted(self.pending, key=order.__getitem__):
            table, rows = self.pending[key]
            if rows:
                write_rows(table, rows)
                self.report.rows[key] = self.report.rows.get(key, 0) + len(rows)
                self.tick(len(rows))
                rows.clear()


def _attended(rng, out, ids, t, pool, uid, course_id, valid, now, trainers, audit_rows) -> bool:
    """A booking, attended, of a past session of the course with a seat left whose completion is still current;
    False when twenty tries found none."""
    for _ in range(20):
        chosen = pool[rng.randrange(len(pool))]
        done = chosen["starts_at"].date()
        expires_on = done + timedelta(days=int(valid * 30.44)) if valid else None
        if (chosen["starts_at"] >= now or chosen["status"] == "cancelled" or chosen["seats_taken"] >= chosen["capacity"]
                or (expires_on and expires_on <= now.date() + timedelta(days=1))):
            continue
        booking_id = ids.take(t["bookings"])
        chosen["seats_taken"] += 1
        marker = rng.choice(trainers)
        out.add(t["bookings"], {"id": booking_id, "session_id": chosen["id"], "user_id": uid, "status": "booked",
                                "queued_at": chosen["created_at"] + timedelta(days=1), "walk_in": False,
                                "cancelled_at": None, "ical_sequence": 0, "attendance": "present",
                                "marked_at": chosen["starts_at"], "minutes_missed": None, "marked_by_id": marker})
        out.add(t["completions"], {"id": ids.take(t["completions"]), "user_id": uid, "course_id": course_id,
                                   "completed_on": done, "expires_on": expires_on, "source": "attendance",
                                   "booking_id": booking_id, "score": None, "provider": None, "evidence": None,
                                   "recorded_at": chosen["starts_at"], "recorded_by_id": marker})
        if rng.random() < 0.3:
            audit_rows.append({"actor_id": marker, "action": "training.attendance_marked", "subject_id": uid,
                               "object_type": "Booking", "object_id": booking_id, "details": {"attendance": "present"}})
        return True
    return False


def write_rows(table, rows: list[dict]) -> None:
    """Insert rows (dicts with the same keys): Core executemany, or COPY on PostgreSQL (several times faster)."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    import json

    from sqlalchemy import JSON

    given = set(rows[0])
    columns = [c for c in table.columns if c.name in given or (c.default is not None and not c.primary_key)]
    defaults = {}
    for column in columns:
        if column.name not in given:
            arg = column.default.arg
            defaults[column.name] = (lambda a=arg: a(None)) if callable(arg) else (lambda a=arg: a)
    json_columns = {c.name for c in columns if isinstance(c.type, JSON)}
    names = [c.name for c in columns]
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
        for row in rows:
            values = []
            for name in names:
                value = row[name] if name in row else defaults[name]()
                if name in json_columns and value is not None:
                    value = json.dumps(value)
                elif hasattr(value, "value") and not isinstance(value, (int, str)):
                    value = value.value
                values.append(value)
            copy.write_row(values)
    cursor.close()


def _table(model):
    return model.__table__ if hasattr(model, "__table__") else model


def seed_scale(volunteers: int, seed: int = 1, today: date | None = None, password_hash: str | None = None,
               progress: Callable[[int], None] | None = None, policy_dir: str | None = None,
               courses_dir: str | None = None, area_count: int | None = None) -> ScaleReport:
    """Add `volunteers` people with realistic histories (and the staff who look after them). Does not commit.

    `area_count` puts everyone in the first few areas (the growth guard uses it so that one coordinator's lists
    are full pages at both of its sizes)."""
    from flask import current_app

    from app.applications.models import Application, Referee, application_areas
    from app.audit import AuditEvent
    from app.auth.models import User, UserRole
    from app.auth.passwords import hash_password
    from app.core.models import Area, user_areas
    from app.core.services import sync_areas
    from app.expenses.models import Batch, Claim, Line
    from app.readiness.models import (
        AgreementSignature,
        Client,
        ClientContact,
        EmergencyContact,
        Induction,
        MentorStanding,
        Pairing,
        StandDown,
    )
    from app.readiness.policy import current_policy as readiness_policy
    from app.training.models import Completion, Course, TrainingSession, Venue, session_trainers
    from app.training.models.sessions import Booking
    from app.vetting.models import DbsCheck, DbsDecision, IdentityCheck, PoliceVetting, SelfDeclaration

    rng = random.Random(seed)
    today = today or datetime.now(UTC).date()
    now = datetime.now(UTC)
    report = ScaleReport()
    tick = progress or (lambda n: None)
    policy = Path(policy_dir or current_app.config["POLICY_DIR"])
    sync_areas(policy / "areas.toml")
    if db.session.scalar(select(func.count()).select_from(Course)) == 0:
        from app.training.services_catalogue import sync_courses, sync_venues

        sync_courses(Path(courses_dir or current_app.config["COURSES_DIR"]))
        sync_venues(policy / "venues.toml")
    db.session.flush()
    areas = list(db.session.scalars(select(Area.id).where(Area.active.is_(True)).order_by(Area.position)))[:area_count]
    courses = list(db.session.execute(select(Course.id, Course.code, Course.duration_minutes, Course.validity_months,
                                             Course.default_capacity).where(Course.active.is_(True))
                                      .order_by(Course.position)))
    venues = list(db.session.execute(select(Venue.id, Venue.area_id).where(Venue.active.is_(True))))
    gate_courses = {gate.course for gate in readiness_policy().gates if gate.course}
    hashed = password_hash or hash_password("scale-password")
    ids = _Ids()
    out = _Writer(report, tick)
    t = {name: _table(m) for name, m in {
        "users": User, "roles": UserRole, "user_areas": user_areas, "apps": Application, "app_areas": application_areas,
        "referees": Referee, "dbs": DbsCheck, "decisions": DbsDecision, "identity": IdentityCheck,
        "nppv": PoliceVetting, "selfdec": SelfDeclaration, "sessions": TrainingSession, "trainers": session_trainers,
        "bookings": Booking, "completions": Completion, "agreements": AgreementSignature, "inductions": Induction,
        "contacts": EmergencyContact, "standings": MentorStanding, "standdowns": StandDown, "clients": Client,
        "pairings": Pairing, "client_contacts": ClientContact, "claims": Claim, "lines": Line, "batches": Batch,
    }.items()}
    run = ids.take(t["users"])  # a unique tag for this run's e-mail addresses
    ids.next["users"] = run

    def person(email: str, name: str, roles: list[str], person_areas: list[int], created: datetime) -> int:
        uid = ids.take(t["users"])
        out.add(t["users"], {"id": uid, "email": email, "full_name": name, "password_hash": hashed,
                             "email_verified_at": created, "created_at": created, "text_size": "normal",
                             "session_token": f"scale-{seed}-{uid}-{rng.getrandbits(64):016x}"})
        for role in roles:
            out.add(t["roles"], {"id": ids.take(t["roles"]), "user_id": uid, "role": role, "granted_at": created,
                                 "granted_by_id": None})
        for area in person_areas:
            out.add(t["user_areas"], {"user_id": uid, "area_id": area})
        return uid

    # ---------------------------------------------------------------- staff
    n_coord = max(2, volunteers // 400)
    staff_roles = {"coordinator": n_coord, "manager": max(2, volunteers // 5000), "trainer": max(3, volunteers // 500),
                   "admin": 1}
    staff: dict[str, list[int]] = {}
    for role, count in staff_roles.items():
        for i in range(count):
            email = f"{role}{i + 1}.r{run}@{STAFF_DOMAIN}"
            mine = [areas[i % len(areas)], areas[(i + 1) % len(areas)]] if role == "coordinator" else []
            uid = person(email, f"{rng.choice(FIRST)} {rng.choice(LAST)} ({role.capitalize()} {i + 1})",
                         [role], mine, now - timedelta(days=800))
            staff.setdefault(role, []).append(uid)
            report.staff.setdefault(role, []).append(email)
    coordinators, trainers = staff["coordinator"], staff["trainer"]

    # ---------------------------------------------------------------- training sessions (past year, next 2 months)
    sessions: dict[int, list[dict]] = {}  # course id -> sessions (dicts with id, starts, booked count)
    per_course = max(2, volunteers // 60)
    for course_id, _code, minutes, _valid, capacity in courses:
        for k in range(per_course):
            offset = -365 + int(425 * (k + rng.random()) / per_course)
            starts = datetime.combine(today + timedelta(days=offset), time(9 + rng.randrange(0, 6)), tzinfo=UTC)
            venue_id, _ = rng.choice(venues) if venues else (None, None)
            sid = ids.take(t["sessions"])
            row = {"id": sid, "course_id": course_id, "starts_at": starts,
                   "ends_at": starts + timedelta(minutes=max(minutes, 30)), "venue_id": venue_id,
                   "online_link": None if venue_id else "https://meet.example.org/scale", "capacity": capacity or 16,
                   "seats_taken": 0, "status": "cancelled" if rng.random() < 0.03 else "scheduled", "notes": "",
                   "sequence": 0, "part": 1, "register_closed_at": starts + timedelta(days=2) if offset < -3 else None,
                   "created_at": starts - timedelta(days=40), "created_by_id": rng.choice(coordinators)}
            sessions.setdefault(course_id, []).append(row)
    session_rows = [s for rows in sessions.values() for s in rows]
    for row in session_rows:  # seats_taken is set from the bookings at the end
        out.add(t["sessions"], row)
    out.flush()

    # ---------------------------------------------------------------- people
    audit_rows: list[dict] = []
    released_by_area: dict[int, list[int]] = {}
    claimants: list[tuple[int, int]] = []  # (user id, area id)
    for n in range(volunteers):
        status = _weighted(rng, APPLICATION_MIX)
        accepted = status == "accepted"
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        email = f"p{n}.r{run}@{PEOPLE_DOMAIN}"
        home = [rng.choice(areas)] + ([rng.choice(areas)] if rng.random() < 0.2 else [])
        home = list(dict.fromkeys(home))
        joined = now - timedelta(days=rng.randrange(90, 1100) if accepted else rng.randrange(1, 200))  # accepted, inducted and released in the past
        uid = person(email, name, ["volunteer"] if accepted else ["applicant"], home, joined)
        coordinator = coordinators[areas.index(home[0]) % len(coordinators)]
        submitted = None if status == "draft" else joined + timedelta(days=rng.randrange(1, 10))
        decided = submitted + timedelta(days=rng.randrange(14, 60)) if status in ("accepted", "declined") else None
        app_id = ids.take(t["apps"])
        out.add(t["apps"], {
            "id": app_id, "user_id": uid, "status": status, "full_name": name, "preferred_name": None,
            "date_of_birth": date(1950 + rng.randrange(50), rng.randrange(1, 13), rng.randrange(1, 28)),
            "phone": f"07700 9{rng.randrange(10**5):05d}", "email": email, "address": f"{rng.randrange(1, 200)} High Street",
            "postcode": "DH1 1AA", "availability": ["weekday_daytime"], "availability_note": None,
            "motivation": "I want to give something back.", "lived_experience": [], "consent_data": True,
            "consent_checks": True, "steps_done": ["about_you", "availability", "motivation", "references"],
            "possible_duplicate": False, "chat_booked_for": (today + timedelta(days=7)) if status == "chat_booked" else None,
            "chat_booking_note": None, "chat_held_on": (decided or now).date() - timedelta(days=5)
            if status in ("chat_held", "accepted", "declined") else None,
            "chat_outcome": "positive" if status in ("chat_held", "accepted") else None, "chat_notes": None,
            "decline_reason": "not_ready" if status == "declined" else None, "decline_note": None,
            "decided_by_id": coordinator if decided else None, "notes_purged_at": None, "anonymised_at": None,
            "created_at": joined, "updated_at": decided or submitted or joined, "submitted_at": submitted,
            "decided_at": decided})
        for area in home:
            out.add(t["app_areas"], {"application_id": app_id, "area_id": area})
        if status not in ("draft", "submitted"):
            for pos in (1, 2):
                asked = status not in ("in_review",)
                got = asked and (status != "references_requested" or pos == 1)
                out.add(t["referees"], {
                    "id": ids.take(t["referees"]), "application_id": app_id, "position": pos, "name": f"Referee {pos}",
                    "relationship_kind": "friend", "email": f"ref{pos}.{n}.r{run}@{PEOPLE_DOMAIN}",
                    "phone": "07700900001", "token_hash": None, "link_expires_at": None,
                    "requested_at": submitted + timedelta(days=3) if asked else None, "chased_at": None,
                    "received_at": submitted + timedelta(days=9) if got else None, "answers": {},
                    "satisfactory": (True if got and status != "references_requested" else None),
                    "assessed_by_id": coordinator if got else None, "assessed_at": submitted + timedelta(days=10) if got else None})
        if submitted:
            audit_rows.append({"actor_id": uid, "action": "application.submitted", "subject_id": uid,
                               "object_type": "Application", "object_id": app_id, "details": {}})
        if decided:
            audit_rows.append({"actor_id": coordinator, "action": f"application.{status}", "subject_id": uid,
                               "object_type": "Application", "object_id": app_id, "details": {"status": status}})
        if not accepted:
            continue
        report.volunteers += 1
        start = decided.date()
        # Decided first: a volunteer in client work has passed every gate (as a real scheme's have; the sweep
        # would stand down anyone who had not), apart from the ~10% whose DBS or police vetting is expiring.
        standing = _weighted(rng, STANDING_MIX)
        in_work = standing in ("released", "paused")

        # vetting: DBS (about 10% due for a recheck within 90 days), identity, self-declaration, NPPV
        if rng.random() < 0.1:
            issued = today - timedelta(days=3 * 365 - rng.randrange(1, 90))
        elif rng.random() < 0.04 and not in_work:
            issued = None  # still waiting for the certificate
        else:
            issued = today - timedelta(days=rng.randrange(20, 900))
        requested = (issued or today) - timedelta(days=rng.randrange(20, 40))
        dbs_id = ids.take(t["dbs"])
        disclosed = issued is not None and rng.random() < 0.05
        out.add(t["dbs"], {"id": dbs_id, "volunteer_id": uid, "level": "enhanced", "workforce": "adult",
                           "volunteer_check": True, "requested_on": requested, "submitted_on": requested + timedelta(days=1),
                           "certificate_number": f"{rng.randrange(10**11, 10**12)}" if issued else None,
                           "issued_on": issued, "outcome": ("disclosed" if disclosed else "clear") if issued else None,
                           "subscribed_on": None, "consent_on": None, "original_seen_on": issued,
                           "original_seen_by_id": coordinator if issued else None, "join_route": None,
                           "renews_on": None, "consent_withdrawn_on": None, "created_at": now - timedelta(days=60),
                           "created_by_id": coordinator})
        if disclosed and (in_work or rng.random() < 0.7):
            out.add(t["decisions"], {"id": ids.take(t["decisions"]), "dbs_check_id": dbs_id, "decision": "approved",
                                     "rationale": None, "rationale_purged_at": now, "decided_on": issued + timedelta(days=3),
                                     "decided_by_id": coordinator, "created_at": now - timedelta(days=30),
                                     "conditions": ["supervised_3_months"], "needs_confirmation": False})
        out.add(t["identity"], {"id": ids.take(t["identity"]), "volunteer_id": uid, "route": "route_1",
                                "documents": ["g1_passport", "g1_photo_licence"], "names_confirmed": True,
                                "addresses_confirmed": True, "checked_on": requested, "checked_by_id": coordinator,
                                "created_at": now - timedelta(days=60)})
        out.add(t["selfdec"], {"id": ids.take(t["selfdec"]), "volunteer_id": uid, "made_on": requested,
                               "has_something": disclosed, "details": None, "details_purged_at": None,
                               "created_at": now - timedelta(days=60)})
        nppv_submitted = requested + timedelta(days=2)
        if rng.random() < 0.1:
            expires = today + timedelta(days=rng.randrange(1, 90))
        else:
            expires = today + timedelta(days=rng.randrange(91, 3 * 365))
        granted = expires - timedelta(days=3 * 365)
        pending = rng.random() < 0.05 and not in_work
        out.add(t["nppv"], {"id": ids.take(t["nppv"]), "volunteer_id": uid, "level": "nppv2_abbreviated",
                            "force_reference": f"DUR-{rng.randrange(10**6):06d}", "submitted_on": min(nppv_submitted, granted),
                            "outcome": None if pending else "granted", "outcome_on": None if pending else granted,
                            "granted_on": None if pending else granted, "expires_on": None if pending else expires,
                            "recorded_by_id": coordinator, "created_at": now - timedelta(days=60)})
        audit_rows.append({"actor_id": coordinator, "action": "vetting.dbs_result", "subject_id": uid,
                           "object_type": "DbsCheck", "object_id": dbs_id, "details": {"outcome": "clear"}})

        # training: a few courses each, most by attending a session
        for course_id, code, _minutes, valid, _capacity in courses:
            needed = in_work and code in gate_courses
            if needed and not _attended(rng, out, ids, t, sessions[course_id], uid, course_id, valid, now, trainers,
                                        audit_rows):
                # no seat left in a past session: learning done elsewhere, recorded by a coordinator
                done = today - timedelta(days=rng.randrange(20, 200))
                out.add(t["completions"], {
                    "id": ids.take(t["completions"]), "user_id": uid, "course_id": course_id, "completed_on": done,
                    "expires_on": done + timedelta(days=int(valid * 30.44)) if valid else None, "source": "external",
                    "booking_id": None, "score": None, "provider": "Another peer mentor scheme", "evidence": None,
                    "recorded_at": now - timedelta(days=10), "recorded_by_id": coordinator})
            if needed:
                continue
            if rng.random() > 0.55 and not needed:
                continue
            pool = sessions[course_id]
            chosen = pool[rng.randrange(len(pool))]
            if chosen["status"] == "cancelled" or chosen["seats_taken"] >= chosen["capacity"]:
                continue
            past = chosen["starts_at"] < now
            attendance = _weighted(rng, [("present", 85), ("late", 4), ("absent", 6), ("excused", 5)]) if past else "unmarked"
            booking_id = ids.take(t["bookings"])
            chosen["seats_taken"] += 1
            out.add(t["bookings"], {"id": booking_id, "session_id": chosen["id"], "user_id": uid, "status": "booked",
                                    "queued_at": chosen["created_at"] + timedelta(days=1), "walk_in": False,
                                    "cancelled_at": None, "ical_sequence": 0, "attendance": attendance,
                                    "marked_at": chosen["starts_at"] if past else None,
                                    "minutes_missed": 10 if attendance == "late" else None,
                                    "marked_by_id": rng.choice(trainers) if past else None})
            if past and attendance in ("present", "late"):
                done = chosen["starts_at"].date()
                expires_on = None
                if valid:
                    expires_on = done + timedelta(days=int(valid * 30.44))
                out.add(t["completions"], {"id": ids.take(t["completions"]), "user_id": uid, "course_id": course_id,
                                           "completed_on": done, "expires_on": expires_on, "source": "attendance",
                                           "booking_id": booking_id, "score": None, "provider": None, "evidence": None,
                                           "recorded_at": chosen["starts_at"], "recorded_by_id": rng.choice(trainers)})
                if rng.random() < 0.3:
                    audit_rows.append({"actor_id": rng.choice(trainers), "action": "training.attendance_marked",
                                       "subject_id": uid, "object_type": "Booking", "object_id": booking_id,
                                       "details": {"attendance": attendance}})

        # readiness: agreement, induction, emergency contact, standing in every state
        out.add(t["agreements"], {"id": ids.take(t["agreements"]), "volunteer_id": uid, "version": 1,
                                  "typed_name": name, "signed_on": start, "signed_at": decided})
        if in_work or standing != "not_released" or rng.random() < 0.5:
            out.add(t["inductions"], {"id": ids.take(t["inductions"]), "volunteer_id": uid, "held_on": start + timedelta(days=7),
                                      "supervisor_id": coordinator, "recorded_by_id": coordinator,
                                      "created_at": decided + timedelta(days=7)})
        out.add(t["contacts"], {"id": ids.take(t["contacts"]), "volunteer_id": uid, "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                                "relationship_kind": "partner", "phone": "07700900002", "updated_at": decided})
        released_once = standing != "not_released"
        out.add(t["standings"], {"id": ids.take(t["standings"]), "volunteer_id": uid, "status": standing,
                                 "released_on": start + timedelta(days=14) if standing == "released" else None,
                                 "released_by_id": coordinator if released_once else None,
                                 "first_released_on": start + timedelta(days=14) if released_once else None,
                                 "release_count": 1 if released_once else 0, "changed_at": decided + timedelta(days=14),
                                 "changed_by_id": coordinator})
        if standing == "stood_down":
            out.add(t["standdowns"], {"id": ids.take(t["standdowns"]), "volunteer_id": uid, "release_number": 1,
                                      "stood_down_on": today - timedelta(days=rng.randrange(1, 60)),
                                      "gate_codes": ["dbs"], "created_at": now - timedelta(days=5)})
        if standing == "released":
            released_by_area.setdefault(home[0], []).append(uid)
            audit_rows.append({"actor_id": coordinator, "action": "readiness.released", "subject_id": uid,
                               "object_type": "MentorStanding", "object_id": None, "details": {}})
        if rng.random() < 0.25:
            claimants.append((uid, home[0]))
    out.flush()

    for row in session_rows:
        for trainer in rng.sample(trainers, min(2, len(trainers))):
            out.add(t["trainers"], {"session_id": row["id"], "user_id": trainer})
    out.flush()

    # ---------------------------------------------------------------- clients, pairings, contacts
    for area, released in released_by_area.items():
        rng.shuffle(released)
        for k in range(0, len(released) - 1, 2):
            if rng.random() > 0.6:
                continue
            client_id = ids.take(t["clients"])
            out.add(t["clients"], {"id": client_id, "reference": f"C{seed}-{client_id}", "area_id": area,
                                   "needs": rng.sample(["housing", "employment", "substance_misuse", "gambling"], 1),
                                   "created_at": now - timedelta(days=200), "created_by_id": coordinators[0]})
            pid = ids.take(t["pairings"])
            started = today - timedelta(days=rng.randrange(10, 300))
            ended = started + timedelta(days=rng.randrange(5, 60)) if rng.random() < 0.2 else None
            out.add(t["pairings"], {"id": pid, "client_id": client_id, "first_id": released[k],
                                    "second_id": released[k + 1], "started_on": started, "ended_on": ended,
                                    "end_reason": "goals_met" if ended else None, "flagged_on": None,
                                    "created_by_id": coordinators[0], "ended_by_id": coordinators[0] if ended else None})
            for _ in range(rng.randrange(1, 6)):
                out.add(t["client_contacts"], {"id": ids.take(t["client_contacts"]), "pairing_id": pid,
                                               "volunteer_id": released[k + rng.randrange(2)],
                                               "contact_on": started + timedelta(days=rng.randrange(0, 10)),
                                               "minutes": rng.choice([15, 30, 45, 60]),
                                               "kind": rng.choice(["phone", "text", "visit"]),
                                               "created_at": now - timedelta(days=3)})
    out.flush()

    # ---------------------------------------------------------------- expense claims (every state), paid in batches
    batch_id, in_batch = None, 0
    for uid, _area in claimants:
        status = _weighted(rng, CLAIM_MIX)
        claim_id = ids.take(t["claims"])
        created = now - timedelta(days=rng.randrange(5, 200))
        submitted = created + timedelta(days=2) if status != "draft" else None
        if status == "paid":
            if batch_id is None or in_batch >= 200:
                batch_id, in_batch = ids.take(t["batches"]), 0
                out.add(t["batches"], {"id": batch_id, "created_at": created, "created_by_id": staff["manager"][0],
                                       "paid_on": today - timedelta(days=3), "reference": f"BACS-{batch_id}",
                                       "paid_by_id": staff["manager"][0]})
            in_batch += 1
        out.add(t["claims"], {"id": claim_id, "claimant_id": uid, "status": status, "created_at": created,
                              "submitted_at": submitted,
                              "decided_at": submitted + timedelta(days=3) if status in ("approved", "rejected", "paid", "queried") else None,
                              "decided_by_id": coordinators[0] if status not in ("draft", "submitted") else None,
                              "comment": "Which day was this?" if status == "queried" else None,
                              "batch_id": batch_id if status == "paid" else None})
        for _ in range(rng.randrange(1, 4)):
            spent = (submitted or created).date() - timedelta(days=rng.randrange(1, 20))
            if rng.random() < 0.7:
                tenths = rng.randrange(20, 400)
                pence = tenths * 45 // 10
                line = {"kind": "mileage", "description": "", "from_place": "Home", "to_place": "Durham",
                        "miles_tenths": tenths, "vehicle": "car",
                        "priced": [{"miles": str(tenths / 10), "pence_per_mile": 45, "pence": pence, "band": "flat"}],
                        "pence": pence}
            else:
                line = {"kind": "parking", "description": "Car park", "from_place": None, "to_place": None,
                        "miles_tenths": None, "vehicle": None, "priced": None, "pence": rng.randrange(100, 900)}
            out.add(t["lines"], {"id": ids.take(t["lines"]), "claim_id": claim_id, "spent_on": spent,
                                 "stream": "mentoring", "training_session_id": None, "receipt_id": None,
                                 "reverses_line_id": None, "created_at": created, **line})
    out.flush()

    # ---------------------------------------------------------------- audit rows, chained
    bookings = t["bookings"]
    sessions_table = t["sessions"]
    taken = (select(func.count()).where(bookings.c.session_id == sessions_table.c.id, bookings.c.status == "booked")
             .scalar_subquery())
    if session_rows:
        db.session.execute(update(sessions_table).where(sessions_table.c.id >= session_rows[0]["id"])
                           .values(seats_taken=taken))
    report.rows["audit_events"] = append_audit_rows(audit_rows, AuditEvent.__table__, tick)
    report.people = volunteers
    _move_sequences([tbl for tbl in t.values() if "id" in tbl.c] + [AuditEvent.__table__])
    from app import kept

    # Records written in bulk, past the ORM: every kept table is marked out of date. The next work list and
    # volunteers list rewrite theirs; readiness pages decide from the records until the next readiness sweep.
    kept.forget_all(db.session)
    return report


def append_audit_rows(rows: Iterable[dict], table, tick: Callable[[int], None] | None = None) -> int:
    """Append audit rows in bulk, chained as app/audit.py chains one row: the head row is locked first (a
    write), each row's hash covers the one before, and every row carries the database's clock."""
    from app.audit import AuditChainHead, chain_hash

    rows = list(rows)
    if not rows:
        return 0
    head = AuditChainHead.__table__
    dialect = db.session.get_bind().dialect.name
    clock_sql = {"postgresql": "now()", "sqlite": "strftime('%Y-%m-%d %H:%M:%f', 'now')"}[dialect]
    next_id = (db.session.scalar(select(func.max(table.c.id))) or 0) + 1
    written = 0
    if dialect == "postgresql":
        # The trigger that moves the head on row by row rewrites one row 100,000 times in one transaction (each
        # version left for the next to step over). Lifted for this transaction only (DDL is transactional);
        # the head is moved to the last row's hash below, exactly where the trigger would have left it.
        db.session.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_chain_head"))
    locked = db.session.execute(update(head).where(head.c.id == 1).values(last_hash=head.c.last_hash)
                                .returning(head.c.last_hash)).first()  # a write: takes the lock until commit
    if locked is None:
        raise RuntimeError("The audit log's chain head (table audit_chain) is missing; run `flask db upgrade`.")
    prev = locked[0]
    for start in range(0, len(rows), BATCH):
        clock = db.session.scalar(select(literal_column(clock_sql)))  # SQLite refuses a time a minute out
        if isinstance(clock, str):
            clock = datetime.fromisoformat(clock).replace(tzinfo=UTC)
        clock = clock.astimezone(UTC)
        batch = []
        for row in rows[start:start + BATCH]:
            values = {"id": next_id, "occurred_at": clock, "ip_address": None, "object_type": None, "object_id": None,
                      "subject_id": None, "actor_id": None, "details": {}, **row}
            next_id += 1
            values["prev_hash"] = prev
            values["row_hash"] = prev = chain_hash(prev, _Row(values))
            batch.append(values)
        write_rows(table, batch)  # the trigger moves audit_chain.last_hash on, row by row (SQLite)
        written += len(batch)
        if tick:
            tick(len(batch))
    if dialect == "postgresql":
        db.session.execute(update(head).where(head.c.id == 1).values(last_hash=prev))
        db.session.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_chain_head"))
    return written


class _Row:
    def __init__(self, values: dict):
        self.__dict__.update(values)


def _move_sequences(tables) -> None:
    """PostgreSQL: move each id sequence past the ids chosen here."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        db.session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                f"GREATEST((SELECT max(id) FROM {table.name}), 1))"))


def estimate_rows(volunteers: int) -> int:
    """Roughly how many rows `seed_scale` writes, for the progress bar."""
    return volunteers * 20
