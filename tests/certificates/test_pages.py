"""The volunteer's training record offers certificates, the transcript and a share link they can turn off."""
from datetime import date, timedelta

from sqlalchemy import select

from app.audit import AuditEvent
from app.certificates.models import TranscriptShare
from app.db_types import utcnow
from app.extensions import db
from tests.certificates.factories import make_certificate
from tests.training.factories import make_completion


def test_the_training_record_offers_each_certificate_and_the_transcript(login_as):
    certificate, _ = make_certificate()
    client = login_as(certificate.holder)
    page = client.get("/training/record").text
    assert f"/certificates/{certificate.id}/certificate.pdf" in page and f"/certificates/{certificate.id}\"" in page
    assert "/certificates/transcript.pdf" in page and "Make a share link" in page
    details = client.get(f"/certificates/{certificate.id}").text
    assert "Valid" in details and "ESAB-L1-0001" in details and "public check page" in details
    assert "Revoke this certificate" not in details  # the holder decides nothing about their own record


def test_staff_see_a_volunteers_certificates_from_their_record(login_as):
    certificate, _ = make_certificate()
    page = login_as("coordinator", areas=["Durham"]).get(f"/training/people/{certificate.user_id}").text
    assert f"/certificates/{certificate.id}" in page
    assert "Make a share link" not in page  # that is the volunteer's own choice


def test_a_trainer_cannot_open_a_volunteers_certificate(login_as):
    certificate, _ = make_certificate()
    assert login_as("trainer").get(f"/certificates/{certificate.id}").status_code == 404
    assert login_as("manager").get(f"/certificates/{certificate.id}").status_code == 200


def test_the_share_link_shows_the_transcript_until_the_volunteer_turns_it_off(app, login_as):
    certificate, _ = make_certificate(name="Rae Patel")
    make_completion(certificate.holder, "grow-model", date.today() - timedelta(days=2000))
    client = login_as(certificate.holder)
    on = client.post("/certificates/share", follow_redirects=True)
    assert "Your share link is on" in on.text
    share = db.session.scalar(select(TranscriptShare).where(TranscriptShare.user_id == certificate.user_id))
    assert f"/certificates/shared/{share.token}" in on.text and len(share.token) >= 43
    anonymous = app.test_client()
    shared = anonymous.get(f"/certificates/shared/{share.token}")
    assert shared.status_code == 200 and "Rae Patel" in shared.text and "Adult safeguarding" in shared.text
    assert "GROW" in shared.text and shared.headers["X-Robots-Tag"].startswith("noindex")
    assert certificate.holder.email not in shared.text
    pdf = anonymous.get(f"/certificates/shared/{share.token}/transcript.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    token = share.token
    off = client.post("/certificates/share/stop", follow_redirects=True)
    assert "Your share link is off" in off.text and "Make a share link" in off.text
    assert anonymous.get(f"/certificates/shared/{token}").status_code == 404
    assert anonymous.get(f"/certificates/shared/{token}/transcript.pdf").status_code == 404
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == certificate.user_id)))
    assert {"certificates.transcript_shared", "certificates.transcript_share_stopped"} <= actions
    again = client.post("/certificates/share", follow_redirects=True)
    new = db.session.scalar(select(TranscriptShare).where(TranscriptShare.user_id == certificate.user_id))
    assert "Your share link is on" in again.text and new.token != token  # a new address, the old one stays dead


def test_an_unknown_share_token_is_404(client):
    assert client.get("/certificates/shared/nope").status_code == 404
    assert client.get("/certificates/shared/" + "x" * 300).status_code == 404


def test_a_deactivated_volunteers_share_link_stops_working(app, login_as):
    certificate, _ = make_certificate()
    login_as(certificate.holder).post("/certificates/share")
    share = db.session.scalar(select(TranscriptShare))
    certificate.holder.deactivated_at = utcnow()
    db.session.commit()
    assert app.test_client().get(f"/certificates/shared/{share.token}").status_code == 404


def test_the_verify_page_works_signed_in_too(login_as):
    _, code = make_certificate()
    assert "Valid" in login_as("manager").get(f"/certificates/verify/{code}").text


def test_the_transcript_marks_a_revoked_certificate_and_leaves_its_hours_out(login_as):
    from datetime import date as day

    from app.certificates import queries, services
    from tests.factories import make_user

    certificate, _ = make_certificate()
    make_completion(certificate.holder, "grow-model", day.today() - timedelta(days=3))
    services.revoke_certificate(certificate, "Issued in error", make_user("coordinator", areas=["Durham"]))
    db.session.commit()
    context = queries.transcript_context(certificate.holder, day.today())
    statuses = {e.completion.course.code: e.status for e in context["entries"]}
    assert statuses == {"adult-safeguarding-level-1": "Certificate revoked", "grow-model": "Current"}
    assert context["total_hours"] == "3 hours"
    page = login_as(certificate.holder).get("/training/record").text
    assert "No current certificate" in page


def test_the_certificate_page_shows_its_code_as_text(login_as):
    certificate, code = make_certificate()
    page = login_as(certificate.holder).get(f"/certificates/{certificate.id}").text
    assert code in page and "&lt;" not in page
