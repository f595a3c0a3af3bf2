"""A small scheme whose every number is worked out by hand (the answers are written in the tests).

Today is 15 June 2026; the dashboard's dates are 1 January to 30 June 2026. Areas: Durham and Weardale.

    person  area      applied     accepted    DBS issued  police      trained     released    paired
    Ann     Durham    2026-01-10  2026-02-01  2026-02-20  2026-03-01  2026-03-15  2026-04-01  2026-05-01 (active)
    Ben     Durham    2026-02-05  2026-02-25  2026-03-10  2026-03-05  2026-03-20  2026-04-15  2026-05-01 (active)
    Cat     Durham    2026-03-01  2026-03-20  2026-04-10  -           taster only -           -
    Dan     Weardale  2026-04-01  2026-04-20  -           -           -           -           -
    Eve     Weardale  2026-05-10  (an applicant, still submitted)
    Fay     Durham    2025-10-01  2025-11-01  2023-07-01  2025-11-20  2025-12-01  2026-01-05  2026-01-20 (ended 03-01)
    Gus     Weardale  2025-10-05  2025-10-20  2023-08-20  2025-10-28  2025-11-10  2026-01-10  2026-01-20 (ended 03-01)

Lapses: Fay's DBS stops covering her on 2026-07-01, Gus's on 2026-08-20; Ann's police vetting ends 2026-07-30;
Ben's safeguarding ends 2026-07-10. Cat and Dan have not signed the agreement.
"""
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from app.applications.rules import Status
from app.auth.models import Role
from app.expenses.models import Batch, Claim, ClaimStatus, Line, LineKind
from app.extensions import db
from app.readiness.models import (
    AgreementSignature,
    Client,
    ClientContact,
    ContactKind,
    EmergencyContact,
    Induction,
    MentorStanding,
    Pairing,
    Standing,
)
from app.training.models import (
    Attendance,
    Booking,
    BookingStatus,
    Completion,
    CompletionSource,
    SessionStatus,
)
from app.vetting.enums import IdRoute
from app.vetting.models import IdentityCheck, SelfDeclaration
from tests.applications.factories import make_application
from tests.factories import area_named, make_user
from tests.training.factories import course, make_session
from tests.vetting.factories import make_dbs, make_nppv

TODAY = date(2026, 6, 15)
START, END = date(2026, 1, 1), date(2026, 6, 30)
COURSES = ("taster-day", "adult-safeguarding-level-1", "grow-model", "hear-principles", "gdpr-induction",
           "roles-and-responsibilities")


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


@dataclass
class Scheme:
    people: dict = field(default_factory=dict)
    durham: int = 0
    weardale: int = 0


def _person(name, area, applied, accepted=None, dbs=None, police=None, police_expires=None, trained=None,
            released=None, signed=True, role=Role.VOLUNTEER):
    user = make_user(role, name=f"{name} Tester", email=f"{name.lower()}@example.org",
                     areas=[area] if role == Role.VOLUNTEER else ())
    status = Status.ACCEPTED if accepted else Status.SUBMITTED
    application = make_application(user=user, status=status, areas=(area,), commit=False)
    application.submitted_at = noon(applied)
    if accepted:
        application.decided_at = noon(accepted)
        for referee in application.referees:
            referee.satisfactory = True
    if dbs:
        make_dbs(user, requested_on=dbs, submitted_on=dbs, issued_on=dbs, commit=False)
    if police:
        record = make_nppv(user, submitted_on=police, granted_on=police, commit=False)
        if police_expires:
            record.expires_on = police_expires
    if trained:
        for code in COURSES:
            db.session.add(Completion(user_id=user.id, course_id=course(code).id, completed_on=trained,
                                      source=CompletionSource.ATTENDANCE,
                                      expires_on=date(trained.year + 3, trained.month, trained.day)
                                      if code == "adult-safeguarding-level-1" else None))
    if released:
        db.session.add(MentorStanding(volunteer_id=user.id, status=Standing.RELEASED, released_on=released,
                                      first_released_on=released, release_count=1))
    if signed and accepted and trained:
        db.session.add(AgreementSignature(volunteer_id=user.id, version=1, typed_name=user.full_name,
                                          signed_on=trained))
        db.session.add(Induction(volunteer_id=user.id, held_on=trained, supervisor_id=None))
        db.session.add(EmergencyContact(volunteer_id=user.id, name="Pat", relationship_kind="partner",
                                        phone="07700900123"))
    db.session.commit()
    return user


def build() -> Scheme:
    course("taster-day")  # the catalogue
    scheme = Scheme(durham=area_named("Durham").id, weardale=area_named("Weardale").id)
    p = scheme.people
    p["ann"] = _person("Ann", "Durham", date(2026, 1, 10), date(2026, 2, 1), date(2026, 2, 20), date(2026, 3, 1),
                       date(2026, 7, 30), date(2026, 3, 15), date(2026, 4, 1))
    p["ben"] = _person("Ben", "Durham", date(2026, 2, 5), date(2026, 2, 25), date(2026, 3, 10), date(2026, 3, 5),
                       None, date(2026, 3, 20), date(2026, 4, 15))
    p["cat"] = _person("Cat", "Durham", date(2026, 3, 1), date(2026, 3, 20), date(2026, 4, 10))
    p["dan"] = _person("Dan", "Weardale", date(2026, 4, 1), date(2026, 4, 20))
    p["eve"] = _person("Eve", "Weardale", date(2026, 5, 10), role=Role.APPLICANT)
    p["fay"] = _person("Fay", "Durham", date(2025, 10, 1), date(2025, 11, 1), date(2023, 7, 1), date(2025, 11, 20),
                       None, date(2025, 12, 1), date(2026, 1, 5))
    p["gus"] = _person("Gus", "Weardale", date(2025, 10, 5), date(2025, 10, 20), date(2023, 8, 20),
                       date(2025, 10, 28), None, date(2025, 11, 10), date(2026, 1, 10))
    ann, ben, cat, dan, fay, gus = (p[k] for k in ("ann", "ben", "cat", "dan", "fay", "gus"))
    # Ben's safeguarding ends soon; Cat has done the taster day, an identity check and a self-declaration.
    db.session.query(Completion).filter(Completion.user_id == ben.id,
                                        Completion.course_id == course("adult-safeguarding-level-1").id) \
        .update({"expires_on": date(2026, 7, 10)})
    db.session.add(Completion(user_id=cat.id, course_id=course("taster-day").id, completed_on=date(2026, 4, 1),
                              source=CompletionSource.ATTENDANCE))
    db.session.add(IdentityCheck(volunteer_id=cat.id, route=IdRoute.ROUTE_1, documents=["passport"],
                                 names_confirmed=True, addresses_confirmed=True, checked_on=date(2026, 3, 25)))
    db.session.add(SelfDeclaration(volunteer_id=cat.id, made_on=date(2026, 3, 25), has_something=False))
    # Clients and pairs.
    durham_client = Client(reference="DUR-0001", area_id=scheme.durham, needs=[])
    weardale_client = Client(reference="WEA-0001", area_id=scheme.weardale, needs=[])
    db.session.add_all([durham_client, weardale_client])
    db.session.flush()
    active = Pairing(client_id=durham_client.id, first_id=ann.id, second_id=ben.id, started_on=date(2026, 5, 1))
    ended = Pairing(client_id=weardale_client.id, first_id=fay.id, second_id=gus.id, started_on=date(2026, 1, 20),
                    ended_on=date(2026, 3, 1), end_reason="finished")
    db.session.add_all([active, ended])
    db.session.flush()
    for pairing, who, on, minutes in [(active, ann, date(2026, 5, 5), 60), (active, ben, date(2026, 5, 20), 30),
                                      (active, ann, date(2026, 6, 2), 90), (ended, gus, date(2026, 2, 10), 30),
                                      (active, ann, date(2026, 7, 2), 45)]:  # the last is after the dates
        db.session.add(ClientContact(pairing_id=pairing.id, volunteer_id=who.id, contact_on=on, minutes=minutes,
                                     kind=ContactKind.VISIT))
    # Training: a taster day in March (6 hours), safeguarding in April (3 hours), and a cancelled session.
    taster = make_session("taster-day", starts_at=datetime(2026, 3, 10, 10, 0, tzinfo=UTC), hours=6)
    safeguarding = make_session("adult-safeguarding-level-1", starts_at=datetime(2026, 4, 5, 9, 0, tzinfo=UTC),
                                hours=3)
    cancelled = make_session("grow-model", starts_at=datetime(2026, 4, 8, 9, 0, tzinfo=UTC), hours=2)
    cancelled.status = SessionStatus.CANCELLED
    for session, who, attendance, missed in [(taster, ann, Attendance.PRESENT, None),
                                             (taster, ben, Attendance.LATE, 30),
                                             (taster, cat, Attendance.ABSENT, None),
                                             (taster, dan, Attendance.PRESENT, None),
                                             (safeguarding, cat, Attendance.PRESENT, None),
                                             (cancelled, dan, Attendance.PRESENT, None)]:
        db.session.add(Booking(session_id=session.id, user_id=who.id, status=BookingStatus.BOOKED,
                               attendance=attendance, minutes_missed=missed))
    # Expenses: one batch paid on 31 May 2026, one paid in July, one not paid yet.
    for paid_on, lines in [(date(2026, 5, 31), [(ann, "mentoring", 1250), (ann, "training", 800),
                                                (ben, "mentoring", 500)]),
                           (date(2026, 7, 5), [(ann, "mentoring", 999)]),
                           (None, [(ben, "scheme", 700)])]:
        batch = Batch(paid_on=paid_on, reference="REF" if paid_on else None)
        db.session.add(batch)
        db.session.flush()
        claims = {}
        for who, stream, pence in lines:
            if who.id not in claims:
                claims[who.id] = Claim(claimant_id=who.id, status=ClaimStatus.PAID if paid_on else ClaimStatus.APPROVED,
                                       batch_id=batch.id, submitted_at=noon(date(2026, 5, 1)))
                db.session.add(claims[who.id])
                db.session.flush()
            db.session.add(Line(claim_id=claims[who.id].id, kind=LineKind.OTHER, spent_on=date(2026, 4, 30),
                                description="Bus", stream=stream, pence=pence))
    # Ann also told us of mental health.
    from app.applications.models import Application

    db.session.query(Application).filter(Application.user_id == ann.id).update(
        {"lived_experience": ["homelessness", "mental_health"]})
    db.session.commit()
    return scheme
