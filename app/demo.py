"""Demo data for development: one account per role."""
from sqlalchemy import select

from app.auth.models import Role, User, UserRole
from app.auth.passwords import hash_password
from app.core.models import Area
from app.db_types import utcnow
from app.extensions import db

DEMO_NAMES = {
    Role.APPLICANT: "Alex Applicant",
    Role.VOLUNTEER: "Val Volunteer",
    Role.TRAINER: "Terry Trainer",
    Role.COORDINATOR: "Cora Coordinator",
    Role.MANAGER: "Morgan Manager",
    Role.ADMIN: "Ada Admin",
}


def seed_demo_accounts(password: str, reset_existing: bool) -> tuple[list[str], list[str]]:
    """Create <role>@example.org for each role; idempotent. Returns (created, updated) e-mails."""
    created, updated = [], []
    hashed = hash_password(password)
    areas = list(db.session.scalars(select(Area).order_by(Area.position).limit(3)))
    for role, name in DEMO_NAMES.items():
        email = f"{role.value}@example.org"
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, full_name=name, password_hash=hashed, email_verified_at=utcnow())
            user.role_grants.append(UserRole(role=role))
            if role in (Role.VOLUNTEER, Role.COORDINATOR):
                user.areas = areas
            db.session.add(user)
            created.append(email)
        elif reset_existing:
            user.password_hash = hashed
            updated.append(email)
    db.session.flush()
    return created, updated


# ---------------------------------------------------------------- readiness: volunteers at every stage

# (e-mail, name, gates done, standing)  "all" = every gate the records can show on this branch
DEMO_VOLUNTEERS = [
    ("rae.released@demo.example.org", "Rae Released", "all", "released"),
    ("rob.released@demo.example.org", "Rob Released", "all", "released"),
    ("rhea.ready@demo.example.org", "Rhea Ready", "all", None),
    ("vic.vetting@demo.example.org", "Vic Waiting-for-vetting", "application references training", None),
    ("tam.training@demo.example.org", "Tam Needs-training", "application references vetting", None),
    ("sid.stood-down@demo.example.org", "Sid Stood-down", "application references vetting training agreement induction", "stood_down"),
]
TRAINING = ("taster-day", "adult-safeguarding-level-1", "grow-model", "hear-principles", "gdpr-induction",
            "roles-and-responsibilities")


def _demo_records(user: User, done: str, supervisor: User, today) -> None:
    from datetime import timedelta

    from app.applications.models import Application, Referee
    from app.applications.rules import Status
    from app.readiness.models import AgreementSignature, EmergencyContact, Induction
    from app.training.models import Completion, CompletionSource, Course
    from app.training.rules import expiry_date
    from app.vetting.enums import DbsLevel, DbsOutcome, NppvLevel, NppvOutcome, Workforce
    from app.vetting.models import DbsCheck, PoliceVetting

    everything = done == "all"
    if everything or "application" in done:
        application = Application(user=user, status=Status.ACCEPTED, full_name=user.full_name, email=user.email,
                                  submitted_at=utcnow() - timedelta(days=120), decided_at=utcnow() - timedelta(days=100),
                                  decided_by_id=supervisor.id, areas=list(user.areas), steps_done=[])
        application.referees = [Referee(position=n, name=f"Referee {n}", relationship_kind="friend",
                                        email=f"referee{n}@example.net", phone="07700900001",
                                        satisfactory=everything or "references" in done) for n in (1, 2)]
        db.session.add(application)
    if everything or "application" in done:  # the identity check and self-declaration come before the DBS check
        disclosed = user.email.startswith("rhea")
        _demo_identity_and_declaration(user, supervisor, today, disclosed)
    if everything or "vetting" in done:
        if user.email.startswith("rhea"):
            _demo_disclosed_approval(user, supervisor, today)
        else:
            db.session.add(DbsCheck(volunteer_id=user.id, level=DbsLevel.ENHANCED, workforce=Workforce.ADULT,
                                    requested_on=today - timedelta(days=95), submitted_on=today - timedelta(days=94),
                                    issued_on=today - timedelta(days=80), outcome=DbsOutcome.CLEAR,
                                    certificate_number="001234567890"))
        granted = today - timedelta(days=70)
        db.session.add(PoliceVetting(volunteer_id=user.id, level=NppvLevel.NPPV2_ABBREVIATED, force_reference="DUR/DEMO",
                                     submitted_on=today - timedelta(days=95), outcome=NppvOutcome.GRANTED,
                                     outcome_on=granted, granted_on=granted, expires_on=granted.replace(year=granted.year + 3)))
    if everything or "training" in done:
        for course in db.session.scalars(select(Course).where(Course.code.in_(TRAINING))):
            completed = today - timedelta(days=60)
            if user.email.startswith("sid") and course.code == "adult-safeguarding-level-1":
                completed = today.replace(year=today.year - 3) - timedelta(days=5)  # lapsed: why Sid was stood down
            db.session.add(Completion(user_id=user.id, course=course, completed_on=completed,
                                      expires_on=expiry_date(completed, course.validity_months),
                                      source=CompletionSource.ATTENDANCE))
    if everything or "agreement" in done:
        db.session.add(AgreementSignature(volunteer_id=user.id, version=1, typed_name=user.full_name,
                                          signed_on=today - timedelta(days=50)))
    if everything or "induction" in done:
        db.session.add(Induction(volunteer_id=user.id, held_on=today - timedelta(days=45), supervisor_id=supervisor.id,
                                 recorded_by_id=supervisor.id))
    if everything:
        db.session.add(EmergencyContact(volunteer_id=user.id, name="Pat Contact", relationship_kind="partner",
                                        phone="07700900123"))


DEMO_DISCLOSURE = ("A conviction for theft in 2012 (not a protected conviction). I was in recovery then and "
                   "have been well since.")


def _demo_identity_and_declaration(user: User, checker: User, today, declared: bool) -> None:
    """An identity check (route 1: a passport and a bank statement, never a copy) and a self-declaration."""
    from datetime import timedelta

    from app.vetting.enums import IdDocument, IdRoute
    from app.vetting.models import IdentityCheck, SelfDeclaration

    db.session.add(IdentityCheck(volunteer_id=user.id, route=IdRoute.ROUTE_1,
                                 documents=[IdDocument.PASSPORT.value, IdDocument.BANK_STATEMENT.value],
                                 names_confirmed=True, addresses_confirmed=True,
                                 checked_on=today - timedelta(days=97), checked_by_id=checker.id))
    db.session.add(SelfDeclaration(volunteer_id=user.id, made_on=today - timedelta(days=96), has_something=declared,
                                   details=DEMO_DISCLOSURE if declared else None))


def _demo_disclosed_approval(user: User, coordinator: User, today) -> None:
    """A certificate that disclosed information, approved after a risk assessment with a condition, and
    confirmed by the demo manager (who did not make the decision)."""
    from datetime import timedelta

    from app.vetting.enums import DbsLevel, DbsOutcome, Decision, Workforce
    from app.vetting.models import DbsCheck, DbsConfirmation, DbsDecision

    manager = db.session.scalar(select(User).where(User.email == "manager@example.org"))
    check = DbsCheck(volunteer_id=user.id, level=DbsLevel.ENHANCED, workforce=Workforce.ADULT,
                     requested_on=today - timedelta(days=95), submitted_on=today - timedelta(days=94),
                     issued_on=today - timedelta(days=80), outcome=DbsOutcome.DISCLOSED,
                     certificate_number="001234567891", created_by_id=coordinator.id)
    decision = DbsDecision(decision=Decision.APPROVED, decided_on=today - timedelta(days=75),
                           decided_by_id=coordinator.id, conditions=["supervised_3_months"],
                           rationale="Risk assessment: one conviction over ten years ago, declared in full; "
                                     "strong references; supervised for the first three months.",
                           needs_confirmation=True)
    if manager is not None:
        decision.confirmation = DbsConfirmation(confirmed_by_id=manager.id)
    check.decisions.append(decision)
    db.session.add(check)


def seed_vetting_demo() -> bool:
    """volunteer@example.org's safer-recruitment records: an identity check, a self-declaration with a
    disclosure, and a risk-assessed approval with a condition, confirmed by the manager (idempotent)."""
    from app.timefmt import today_london
    from app.vetting.models import IdentityCheck

    volunteer = db.session.scalar(select(User).where(User.email == "volunteer@example.org"))
    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@example.org"))
    if volunteer is None or coordinator is None or db.session.scalar(
            select(IdentityCheck.id).where(IdentityCheck.volunteer_id == volunteer.id).limit(1)):
        return False
    today = today_london()
    _demo_identity_and_declaration(volunteer, coordinator, today, declared=True)
    _demo_disclosed_approval(volunteer, coordinator, today)
    db.session.flush()
    return True


def seed_readiness_demo(password: str) -> int:
    """Volunteers at every stage, a released pair with a client and logged contacts, one stood down (idempotent)."""
    from datetime import timedelta

    from app.readiness.models import (
        Client,
        ClientContact,
        ContactKind,
        MentorStanding,
        Pairing,
        StandDown,
        Standing,
    )
    from app.timefmt import today_london

    coordinator = db.session.scalar(select(User).where(User.email == "coordinator@example.org"))
    if coordinator is None or db.session.scalar(select(User.id).where(User.email == DEMO_VOLUNTEERS[0][0])):
        return 0
    today, hashed = today_london(), hash_password(password)
    made = {}
    for email, name, done, standing in DEMO_VOLUNTEERS:
        user = User(email=email, full_name=name, password_hash=hashed, email_verified_at=utcnow())
        user.role_grants.append(UserRole(role=Role.VOLUNTEER))
        user.areas = list(coordinator.areas[:1])
        db.session.add(user)
        db.session.flush()
        _demo_records(user, done, coordinator, today)
        if standing:
            db.session.add(MentorStanding(volunteer_id=user.id, status=Standing(standing), release_count=1,
                                          released_on=today - timedelta(days=40), released_by_id=coordinator.id,
                                          first_released_on=today - timedelta(days=200)))
        if standing == "stood_down":
            db.session.add(StandDown(volunteer_id=user.id, release_number=1, stood_down_on=today - timedelta(days=5),
                                     gate_codes=["safeguarding", "emergency-contact"]))
        made[email] = user
    client = Client(reference="DUR-0001", area_id=coordinator.areas[0].id, needs=["isolation", "housing"],
                    created_by_id=coordinator.id)
    db.session.add(client)
    db.session.flush()
    pairing = Pairing(client_id=client.id, first_id=made["rae.released@demo.example.org"].id,
                      second_id=made["rob.released@demo.example.org"].id, started_on=today - timedelta(days=30),
                      created_by_id=coordinator.id)
    db.session.add(pairing)
    db.session.flush()
    for days, minutes, kind in ((28, 60, ContactKind.VISIT), (21, 15, ContactKind.PHONE), (14, 5, ContactKind.TEXT)):
        db.session.add(ClientContact(pairing_id=pairing.id, volunteer_id=pairing.first_id,
                                     contact_on=today - timedelta(days=days), minutes=minutes, kind=kind))
    db.session.flush()
    return len(made)
