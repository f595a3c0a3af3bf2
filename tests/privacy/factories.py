"""A volunteer with something in every section of their data, committed."""
from datetime import timedelta

from sqlalchemy import select

from app import audit
from app.applications.models import ApplicationNote
from app.auth.models import Role
from app.expenses.models import Batch, Claim, ClaimStatus, Line, LineKind
from app.extensions import db
from app.readiness.models import Client, ClientContact, ContactKind, MentorStanding, Pairing, Standing
from app.timefmt import today_london
from app.vetting.enums import Decision, IdDocument, IdRoute
from app.vetting.models import DbsDecision, IdentityCheck, SelfDeclaration
from tests.factories import area_named, make_user
from tests.readiness.factories import make_ready_volunteer
from tests.vetting.factories import make_dbs


def rich_volunteer(name: str, areas=("Durham",), claims: int = 1, referee_answer: str = "Kind and reliable"):
    """A volunteer with something in every section."""
    today = today_london()
    person = make_ready_volunteer(areas=areas, name=name, commit=False)
    db.session.flush()
    application = person_application(person)
    application.chat_notes = f"Chat about {name}'s past"
    for referee in application.referees:
        referee.answers = {"character": referee_answer}
    check = make_dbs(person, issued_on=today - timedelta(days=400), requested_on=today - timedelta(days=420),
                     submitted_on=today - timedelta(days=419), commit=False)
    check.decisions.append(DbsDecision(decision=Decision.APPROVED, rationale=f"Risk assessment for {name}",
                                       decided_on=today - timedelta(days=390), conditions=["supervised_3_months"]))
    db.session.add(IdentityCheck(volunteer_id=person.id, route=IdRoute.ROUTE_1, documents=[IdDocument.PASSPORT.value],
                                 names_confirmed=True, addresses_confirmed=True, checked_on=today - timedelta(days=425)))
    db.session.add(SelfDeclaration(volunteer_id=person.id, made_on=today - timedelta(days=421), has_something=True,
                                   details=f"{name} declared a caution"))
    db.session.add(MentorStanding(volunteer_id=person.id, status=Standing.RELEASED, released_on=today,
                                  first_released_on=today, release_count=1))
    partner = make_user(Role.VOLUNTEER, areas=areas, name=f"Partner of {name}", commit=False)
    client = Client(reference=f"C-{name[:3].upper()}{person.id}", area=area_named(areas[0]), needs=[])
    db.session.add_all([partner, client])
    db.session.flush()
    pairing = Pairing(client_id=client.id, first_id=person.id, second_id=partner.id, started_on=today)
    db.session.add(pairing)
    db.session.flush()
    db.session.add(ClientContact(pairing_id=pairing.id, volunteer_id=person.id, contact_on=today, minutes=45,
                                 kind=ContactKind.PHONE))
    for n in range(claims):
        claim = Claim(claimant_id=person.id, status=ClaimStatus.PAID, batch=Batch(paid_on=today, reference=f"B{n}"))
        claim.lines.append(Line(kind=LineKind.PARKING, spent_on=today, description=f"{name} parking {n}",
                                stream="core", pence=300 + n))
        db.session.add(claim)
    event = audit.record(None, "application.step_noted", person, obj=application)
    db.session.flush()
    db.session.add(ApplicationNote(application_id=application.id, audit_event_id=event.id, text=f"Step note on {name}"))
    db.session.commit()
    return person


def person_application(person):
    from app.applications.models import Application

    return db.session.scalar(select(Application).where(Application.user_id == person.id))
