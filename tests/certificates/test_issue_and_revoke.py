"""Issuing with the completion, superseding, revoking, register corrections, re-issue on a name change, e-mail."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.audit import AuditEvent
from app.certificates import queries
from app.certificates import services as certificates
from app.certificates.models import Certificate, SupersededBecause
from app.certificates.services import CertificateError
from app.db_types import utcnow
from app.extensions import db
from app.training import services as training
from app.training import services_registers as registers
from app.training.models import Attendance, Completion
from tests.certificates.factories import make_certificate
from tests.factories import make_user
from tests.training.factories import course, make_session, make_volunteer


def _ended_session(code="grow-model", people=1):
    """A session of `code` that ended an hour ago, with `people` booked."""
    item = make_session(code, starts_at=utcnow().replace(microsecond=0) + timedelta(days=1), hours=3,
                        capacity=people)
    done = ["taster-day"] if code != "taster-day" else []
    bookings = [training.book_session(item, make_volunteer(*done)) for _ in range(people)]
    item.starts_at = utcnow().replace(microsecond=0) - timedelta(hours=4)
    item.ends_at = item.starts_at + timedelta(hours=3)
    db.session.commit()
    return item, bookings


def _certificate_mail(smtp, user) -> list:
    return [m for m in smtp.to(user.email) if m["Subject"].strip().startswith("Your certificate")]


def _certificates(user) -> list[Certificate]:
    db.session.expire_all()
    return queries.certificates_of(user)


def test_a_register_tick_issues_the_certificate_in_the_same_transaction_and_emails_once(login_as, smtp):
    item, (booking,) = _ended_session()
    trainer = item.trainers[0]
    response = login_as(trainer).post(f"/training/sessions/{item.id}/register", data={f"b{booking.id}": "present"},
                                      follow_redirects=True)
    assert "Register saved (1 change)" in response.text
    (certificate,) = _certificates(booking.user)
    completion = db.session.scalar(select(Completion).where(Completion.booking_id == booking.id))
    assert certificate.completion_id == completion.id and certificate.issued_by_id == trainer.id
    assert certificate.holder_name == booking.user.full_name and certificate.course_title == course("grow-model").title
    assert certificate.trainer_names == trainer.full_name and certificate.learning_minutes == 180
    assert certificate.course_version == "1" and certificate.expires_on is None and certificate.live
    (message,) = _certificate_mail(smtp, booking.user)
    body = smtp.body(message)
    assert f"certificate for {course('grow-model').title}" in body
    assert f"/certificates/{certificate.id}" in body and not list(message.iter_attachments())
    # Saving the register again (nothing changed) neither issues nor e-mails again.
    login_as(trainer).post(f"/training/sessions/{item.id}/register", data={f"b{booking.id}": "present"})
    assert len(_certificates(booking.user)) == 1 and len(_certificate_mail(smtp, booking.user)) == 1


def test_a_course_that_does_not_certify_issues_nothing():
    item, (booking,) = _ended_session("taster-day")
    registers.mark_attendance(booking, Attendance.PRESENT, item.trainers[0])
    db.session.commit()
    assert db.session.scalar(select(Completion).where(Completion.booking_id == booking.id)) is not None
    assert _certificates(booking.user) == []


def test_a_failed_issue_rolls_the_completion_back_too(login_as, monkeypatch):
    item, (booking,) = _ended_session()

    def broken(*args, **kwargs):
        raise CertificateError("No certificate today.")

    monkeypatch.setattr(certificates, "issue_certificate", broken)
    response = login_as(item.trainers[0]).post(f"/training/sessions/{item.id}/register",
                                               data={f"b{booking.id}": "present"}, follow_redirects=True)
    assert "No certificate today." in response.text
    db.session.expire_all()
    assert db.session.scalar(select(Completion).where(Completion.booking_id == booking.id)) is None


def test_passing_an_online_knowledge_check_issues_a_certificate(login_as):
    volunteer = make_volunteer()
    questions = course("gdpr-induction").check["questions"]
    login_as(volunteer).post("/training/courses/gdpr-induction/check",
                             data={f"q{n}": q["answer"] for n, q in enumerate(questions)})
    (certificate,) = _certificates(volunteer)
    assert certificate.course_title.startswith("GDPR") and certificate.trainer_names == ""
    assert certificate.issued_by_id == volunteer.id


def test_a_later_completion_supersedes_the_earlier_certificate():
    first, _ = make_certificate(on=date.today() - timedelta(days=1200))
    second, _ = make_certificate(on=date.today() - timedelta(days=3), user=first.holder)
    db.session.expire_all()
    assert first.superseded_at is not None and first.superseded_by_id == second.id
    assert first.superseded_because is SupersededBecause.LATER_COMPLETION and second.live
    assert queries.find_by_code(queries.code_of(first)).status(date.today()).value == "superseded"


def test_a_coordinator_revokes_with_a_reason_which_is_kept_and_audited(login_as):
    certificate, code = make_certificate()
    coordinator = login_as("coordinator", areas=["Durham"])
    page = coordinator.get(f"/certificates/{certificate.id}")
    assert "Revoke this certificate" in page.text
    missing = coordinator.post(f"/certificates/{certificate.id}/revoke", data={"reason": ""})
    assert missing.status_code == 400 and "Enter why the certificate is revoked" in missing.text
    too_long = coordinator.post(f"/certificates/{certificate.id}/revoke", data={"reason": "x" * 501})
    assert "500 characters or fewer" in too_long.text
    done = coordinator.post(f"/certificates/{certificate.id}/revoke", data={"reason": "Issued in error"},
                            follow_redirects=True)
    assert "The certificate is revoked" in done.text and "Issued in error" in done.text
    db.session.expire_all()
    assert certificate.revoked_by_id == coordinator.user.id and certificate.revoke_reason == "Issued in error"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "certificates.revoked")).one()
    assert event.actor_id == coordinator.user.id and event.subject_id == certificate.user_id
    assert "Issued in error" not in str(event.details)
    again = coordinator.post(f"/certificates/{certificate.id}/revoke", data={"reason": "Again"}, follow_redirects=True)
    assert "already revoked" in again.text
    assert db.session.get(Certificate, certificate.id) is not None  # kept on record


@pytest.mark.parametrize("role", ["trainer", "manager", "volunteer"])
def test_only_coordinators_revoke(login_as, role):
    certificate, _ = make_certificate()
    response = login_as(role).post(f"/certificates/{certificate.id}/revoke", data={"reason": "No"})
    assert response.status_code == 403
    assert db.session.get(Certificate, certificate.id).revoked_at is None


def test_a_coordinator_cannot_revoke_their_own_certificate(login_as):
    coordinator = make_user("coordinator", "volunteer", areas=["Durham"])
    certificate, _ = make_certificate(user=coordinator)
    client = login_as(coordinator)
    assert "Revoke this certificate" not in client.get(f"/certificates/{certificate.id}").text
    assert client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "mine"}).status_code == 403


def test_correcting_the_register_revokes_the_certificate_rather_than_deleting_it_and_says_so(login_as):
    item, (booking,) = _ended_session()
    trainer = login_as(item.trainers[0])
    trainer.post(f"/training/sessions/{item.id}/register", data={f"b{booking.id}": "present"})
    (certificate,) = _certificates(booking.user)
    code = queries.code_of(certificate)
    response = trainer.post(f"/training/sessions/{item.id}/register", data={f"b{booking.id}": "absent"},
                            follow_redirects=True)
    assert "Register saved (1 change)" in response.text
    assert (f"{booking.user.full_name}&#39;s certificate for {course('grow-model').title} is revoked, because the "
            "register no longer shows them attending") in response.text
    db.session.expire_all()
    assert db.session.scalar(select(Completion).where(Completion.booking_id == booking.id)) is None
    kept = db.session.get(Certificate, certificate.id)
    assert kept is not None and kept.revoked_at is not None and kept.completion_id is None
    assert kept.revoked_by_id == item.trainers[0].id and "register was corrected" in kept.revoke_reason
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "certificates.revoked")) == 1
    assert "Revoked" in login_as("volunteer").get(f"/certificates/verify/{code}").text
    # Ticking them present again issues a new certificate; the revoked one stays revoked.
    trainer.post(f"/training/sessions/{item.id}/register", data={f"b{booking.id}": "present"})
    revoked, new = sorted(_certificates(booking.user), key=lambda c: c.id)
    assert revoked.revoked_at is not None and new.live and new.id != revoked.id


def test_a_name_change_reissues_and_the_old_certificate_verifies_as_superseded(login_as, smtp):
    certificate, old_code = make_certificate(name="Jo Bloggs")
    coordinator = login_as("coordinator", areas=["Durham"])
    page = coordinator.get(f"/certificates/{certificate.id}")
    assert "Re-issue in a new name" in page.text and 'value="Jo Bloggs"' in page.text
    same = coordinator.post(f"/certificates/{certificate.id}/reissue", data={"new_name": "Jo Bloggs"},
                            follow_redirects=True)
    assert "already in the name Jo Bloggs" in same.text
    blank = coordinator.post(f"/certificates/{certificate.id}/reissue", data={"new_name": " "})
    assert blank.status_code == 400 and "Enter the name to print on the new certificate" in blank.text
    too_long = coordinator.post(f"/certificates/{certificate.id}/reissue", data={"new_name": "J" * 201})
    assert too_long.status_code == 400 and "200 characters or fewer" in too_long.text
    smtp.clear()
    response = coordinator.post(f"/certificates/{certificate.id}/reissue", data={"new_name": "Jo  Smith "},
                                follow_redirects=True)
    assert "re-issued in the name Jo Smith" in response.text
    old, new = sorted(_certificates(certificate.holder), key=lambda c: c.id)
    assert old.superseded_because is SupersededBecause.NAME_CHANGE and old.superseded_by_id == new.id
    assert new.holder_name == "Jo Smith" and new.completion_id == old.completion_id and new.live
    assert new.holder.full_name == "Jo Smith"  # the account takes the new name, so later certificates carry it
    assert (new.completed_on, new.course_title, new.expires_on) == (old.completed_on, old.course_title, old.expires_on)
    assert queries.code_of(new) != old_code
    public = login_as("volunteer").get(f"/certificates/verify/{old_code}").text
    assert "Superseded" in public and "Jo Bloggs" in public
    assert len(_certificate_mail(smtp, certificate.holder)) == 1
    again = coordinator.post(f"/certificates/{old.id}/reissue", data={"new_name": "Jo Other"}, follow_redirects=True)
    assert "Only a current certificate can be re-issued" in again.text


def test_reissue_without_a_new_name_is_refused():
    certificate, _ = make_certificate()
    with pytest.raises(CertificateError, match="already in the name"):
        certificates.reissue_certificate(certificate, certificate.holder_name, make_user("coordinator", areas=["Durham"]))
