"""Factories for applications: a complete draft, or one already at a given status."""
import itertools
from datetime import date, timedelta

from app.applications.models import Application, Referee
from app.applications.rules import Status
from app.applications.services import STEPS
from app.auth.models import Role
from app.db_types import utcnow
from app.extensions import db
from app.timefmt import today_london
from tests.factories import area_named, make_user

_seq = itertools.count(1)


def make_application(user=None, status: Status = Status.DRAFT, areas=("Durham",), submitted_days_ago: int = 1,
                     commit: bool = True, **fields) -> Application:
    """A fully answered application for `user` (a new applicant if none) at `status`."""
    n = next(_seq)
    user = user or make_user(Role.APPLICANT, commit=False)
    values = dict(full_name=user.full_name, email=user.email, date_of_birth=date(1985, 3, 27), phone="07700900982",
                  address="1 High Street\nDurham", postcode="DH1 3LE", availability=["weekends"],
                  motivation="I want to give back.", lived_experience=["homelessness"],
                  consent_data=True, consent_checks=True,
                  steps_done=list(STEPS)) | fields
    application = Application(user=user, status=status, **values)
    application.areas = [area_named(a) for a in areas]
    application.referees = [
        Referee(position=1, name=f"Rita Referee{n}", relationship_kind="friend", email=f"rita{n}@example.net", phone="07700900001"),
        Referee(position=2, name=f"Sam Referee{n}", relationship_kind="employer", email=f"sam{n}@example.net", phone="07700900002"),
    ]
    if status != Status.DRAFT:
        application.submitted_at = utcnow() - timedelta(days=submitted_days_ago)
    db.session.add(application)
    if commit:
        db.session.commit()
    return application


def ready_to_accept(areas=("Weardale",)):
    """An application with a chat held and two satisfactory references."""
    application = make_application(status=Status.CHAT_HELD, areas=areas, chat_held_on=today_london())
    for referee in application.referees:
        referee.requested_at = referee.received_at = utcnow()
        referee.satisfactory = True
    db.session.commit()
    return application
