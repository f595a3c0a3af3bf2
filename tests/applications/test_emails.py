"""The e-mails an applicant gets: on sending, and on each decision. Kind, plain, and addressed to them."""
import pytest

from app.applications import services
from app.applications.rules import Status
from app.auth.models import Role
from app.db_types import utcnow
from app.extensions import db
from app.timefmt import today_london
from tests.applications.factories import make_application
from tests.factories import area_named, make_user

PHONE = "0191 000 0000"
CONTACT = "peer.mentors@example.org"


def decider():
    return make_user(Role.COORDINATOR, areas=[area_named("Durham")])


def ready(**fields):
    application = make_application(status=Status.CHAT_HELD, chat_held_on=today_london(), preferred_name="Jo", **fields)
    for referee in application.referees:
        referee.requested_at = referee.received_at = utcnow()
        referee.satisfactory = True
    db.session.commit()
    return application


def sent(smtp, application, subject):
    mail = smtp.last(application.email)
    assert mail is not None and mail["Subject"] == subject
    body = smtp.body(mail)
    assert body.startswith("Hello Jo,")  # their preferred name
    assert PHONE in body and CONTACT in body  # a person to talk to
    assert "{{" not in body and "None" not in body
    return body


def test_on_sending(request_ctx, smtp):
    application = make_application(preferred_name="Jo")
    services.submit_application(application)
    db.session.commit()
    body = sent(smtp, application, "We have received your application")
    assert "Thank you for applying" in body and "not an interview" in body and "/apply" in body
    assert "reply to" not in body  # the sender is a no-reply address


def test_on_acceptance(request_ctx, smtp):
    application = ready()
    services.accept_application(application, decider(), note="Lovely chat")
    db.session.commit()
    body = sent(smtp, application, "Welcome to the team")
    assert "we would love you to join" in body and "DBS check, police vetting and training" in body
    assert "Lovely chat" not in body


@pytest.mark.parametrize("reason", ["references", "risk", "not_ready", "no_contact", "other"])
def test_on_decline_whatever_the_reason(request_ctx, smtp, reason):
    application = ready()
    services.decline_application(application, reason, "Private note for the record", decider())
    db.session.commit()
    body = sent(smtp, application, "Your application to be a peer mentor")
    assert "Thank you for applying" in body and "This is not a judgement of you as a person" in body
    assert "welcome to apply again" in body
    # neither the note nor the category reaches the applicant: they are invited to talk instead
    assert "Private note" not in body and "reference" not in body.lower() and "risk" not in body.lower()


def test_on_withdrawing(request_ctx, smtp):
    application = make_application(status=Status.IN_REVIEW, preferred_name="Jo")
    services.withdraw_application(application, application.user, "Moving away")
    db.session.commit()
    body = sent(smtp, application, "You have withdrawn your application")
    assert "Thank you for your interest" in body and "start a new application" in body and "/apply" in body


def test_no_e_mail_when_a_decision_is_refused(request_ctx, smtp):
    application = ready(areas=("Weardale",))
    with pytest.raises(services.ApplicationError):
        services.accept_application(application, decider())
    db.session.rollback()
    db.session.commit()
    assert smtp.to(application.email) == []
