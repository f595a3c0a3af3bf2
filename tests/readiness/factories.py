"""A volunteer at any stage of readiness: every gate done except those named in `skip`, committed."""
from datetime import timedelta

from app.applications.rules import Status
from app.auth.models import Role
from app.db_types import utcnow
from app.extensions import db
from app.readiness.models import AgreementSignature, EmergencyContact, Induction, MentorStanding, Standing
from app.timefmt import today_london
from tests.applications.factories import make_application
from tests.factories import make_user
from tests.readiness.conftest_support import SKIPS
from tests.training.factories import make_completion
from tests.vetting.factories import make_dbs, make_nppv

COURSE_GATES = {"taster-day": "taster-day", "safeguarding": "adult-safeguarding-level-1", "grow": "grow-model",
                "hear": "hear-principles", "gdpr": "gdpr-induction", "roles": "roles-and-responsibilities"}


def make_ready_volunteer(*, skip=(), areas=("Durham",), supervisor=None, commit=True, **user_kwargs):
    """A volunteer who passes every gate today except those in `skip` (identity and self-declaration come from
    the `vetting_extras` fixture, standing in for the safer-recruitment records)."""
    today = today_london()
    volunteer = make_user(Role.VOLUNTEER, areas=areas, commit=False, **user_kwargs)
    db.session.flush()
    status = Status.CHAT_HELD if "application" in skip else Status.ACCEPTED
    application = make_application(user=volunteer, status=status, areas=areas, commit=False,
                                   chat_held_on=today - timedelta(days=70))
    if status == Status.ACCEPTED:
        application.decided_at = utcnow() - timedelta(days=60)
    for referee in application.referees:
        referee.satisfactory = "references" not in skip
    if "dbs" not in skip:
        make_dbs(volunteer, requested_on=today - timedelta(days=60), submitted_on=today - timedelta(days=59),
                 issued_on=today - timedelta(days=50), commit=False)
    if "police-vetting" not in skip:
        make_nppv(volunteer, submitted_on=today - timedelta(days=60), granted_on=today - timedelta(days=45), commit=False)
    for code, course in COURSE_GATES.items():
        if code not in skip:
            make_completion(volunteer, course, today - timedelta(days=40), commit=False)
    if "agreement" not in skip:
        db.session.add(AgreementSignature(volunteer_id=volunteer.id, version=1, typed_name=volunteer.full_name,
                                          signed_on=today - timedelta(days=30)))
    if "induction" not in skip:
        supervisor = supervisor or make_user(Role.COORDINATOR, areas=areas, commit=False)
        db.session.flush()
        db.session.add(Induction(volunteer_id=volunteer.id, held_on=today - timedelta(days=20),
                                 supervisor_id=supervisor.id))
    if "emergency-contact" not in skip:
        db.session.add(EmergencyContact(volunteer_id=volunteer.id, name="Pat Contact", relationship_kind="partner",
                                        phone="07700900123"))
    SKIPS[volunteer.id] = set(skip)  # identity and self-declaration: read by the vetting_extras fixture
    if commit:
        db.session.commit()
    return volunteer


def make_released(volunteer, on=None, by=None) -> MentorStanding:
    """Mark a volunteer released (without the checks: for sweep and list tests)."""
    on = on or today_london()
    row = MentorStanding(volunteer_id=volunteer.id, status=Standing.RELEASED, released_on=on, first_released_on=on,
                         release_count=1, released_by_id=by.id if by else None)
    db.session.add(row)
    db.session.commit()
    return row

