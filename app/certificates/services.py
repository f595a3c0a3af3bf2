"""Every change to certificates: issue, supersede, revoke, re-issue in a new name, and transcript share links."""
import secrets
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app import audit, throttle
from app.actions import hold, on_duplicate
from app.certificates import rules
from app.certificates.models import Certificate, SupersededBecause, TranscriptShare
from app.certificates.queries import certificate_key
from app.db_types import utcnow
from app.email import send_email
from app.errors import DomainError
from app.extensions import db
from app.timefmt import format_date
from app.urls import external_url


class CertificateError(DomainError):
    """A certificate action that is not allowed in the certificate's current state."""


on_duplicate("certificates", "A certificate for this completion was issued a moment ago. Look at it again.")
on_duplicate("transcript_shares", "Your share link was made a moment ago. Look at it again.")

REASON_LIMIT = 500


def count_verify_attempt(address: str) -> bool:
    """Count one look-up from this address; False (and nothing counted) once it has had its burst."""
    limit, window = current_app.config["CERTIFICATE_VERIFY_LIMIT_PER_IP"]
    return throttle.claim("certificate-verify", "", address, limit, window).allowed


def _new_certificate(**snapshot) -> Certificate:
    nonce = secrets.token_bytes(16)
    code = rules.derive_code(certificate_key(), nonce)
    certificate = Certificate(nonce=nonce.hex(), code_hash=rules.code_hash(code), **snapshot)
    db.session.add(certificate)
    return certificate


def _trainer_names(completion) -> str:
    if completion.booking_id is None:
        return ""
    from app.training.models import Booking

    booking = db.session.get(Booking, completion.booking_id)
    return ", ".join(t.display_name for t in booking.session.trainers)[:500] if booking else ""


def _supersede(old: Certificate, new: Certificate, because: SupersededBecause, by, now: datetime) -> None:
    hold(old)
    old.superseded_at, old.superseded_by_id, old.superseded_because = now, new.id, because
    audit.record(by, "certificates.superseded", old.holder, obj=old, by_certificate=new.id, because=because)


def _announce(certificate: Certificate, subject: str) -> None:
    send_email(certificate.holder.email, subject, "certificates/issued", certificate=certificate,
               url=external_url("certificates.show", certificate_id=certificate.id))


def issue_certificate(completion, by, now: datetime | None = None) -> Certificate | None:
    """A completion of a certifying course: issue its certificate, superseding earlier ones for the same course."""
    course = completion.course
    if not course.certifies:
        return None
    now = now or utcnow()
    from app.auth.models import User

    holder = db.session.get(User, completion.user_id)
    earlier = list(db.session.scalars(select(Certificate).where(
        Certificate.user_id == holder.id, Certificate.course_id == course.id,
        Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None),
        Certificate.completed_on <= completion.completed_on).order_by(Certificate.id)))
    certificate = _new_certificate(
        user_id=holder.id, holder=holder, completion_id=completion.id, course_id=course.id,
        holder_name=holder.full_name or holder.email, course_title=course.title, course_version=course.course_version,
        completed_on=completion.completed_on, expires_on=completion.expires_on, learning_minutes=course.hours_minutes,
        trainer_names=_trainer_names(completion), accrediting_body=course.accrediting_body,
        accreditation_number=course.accreditation_number, issued_at=now, issued_by_id=getattr(by, "id", None))
    db.session.flush()
    for old in earlier:
        _supersede(old, certificate, SupersededBecause.LATER_COMPLETION, by, now)
    audit.record(by, "certificates.issued", holder, obj=certificate, course=course.code, completion=completion.id)
    _announce(certificate, f"Your certificate: {certificate.course_title}")
    db.session.flush()
    return certificate


def revoke_certificate(certificate: Certificate, reason: str, by, now: datetime | None = None) -> Certificate:
    """Revoke a certificate with a reason. It stays on record and verifies as revoked."""
    hold(certificate)
    if certificate.revoked_at is not None:
        raise CertificateError(f"This certificate was already revoked on {format_date(certificate.revoked_at)}.")
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_LIMIT:
        raise CertificateError(f"Give the reason for revoking, in {REASON_LIMIT} characters or fewer.")
    certificate.revoked_at, certificate.revoked_by_id, certificate.revoke_reason = now or utcnow(), by.id, reason
    # The reason is for the record page; the audit row keeps the decision, not the free text.
    audit.record(by, "certificates.revoked", certificate.holder, obj=certificate, course_title=certificate.course_title)
    db.session.flush()
    return certificate


def revoke_for_correction(completion, by, now: datetime | None = None) -> list[Certificate]:
    """A register correction withdraws a completion: revoke its live certificate (kept on record, never deleted)."""
    now = now or utcnow()
    revoked = []
    for certificate in db.session.scalars(select(Certificate).where(
            Certificate.completion_id == completion.id, Certificate.revoked_at.is_(None))):
        hold(certificate)
        certificate.revoked_at, certificate.revoked_by_id = now, getattr(by, "id", None)
        certificate.revoke_reason = "The attendance register was corrected: it no longer shows this person attended."
        audit.record(by, "certificates.revoked", certificate.holder, obj=certificate, register_correction=True)
        revoked.append(certificate)
    db.session.flush()
    return revoked


def reissue_certificate(certificate: Certificate, name: str, by, now: datetime | None = None) -> Certificate:
    """Re-issue in a new name, on the holder's request; the account takes the name too. The old one is superseded."""
    now = now or utcnow()
    hold(certificate)
    if not certificate.live:
        raise CertificateError("Only a current certificate can be re-issued: this one is revoked or superseded.")
    name = " ".join((name or "").split())
    if not name or len(name) > 200:
        raise CertificateError("Enter the name to print on the new certificate, in 200 characters or fewer.")
    if name == certificate.holder_name:
        raise CertificateError(f"The certificate is already in the name {name}. Enter the new name.")
    holder = certificate.holder
    if holder.full_name != name:
        holder.full_name = name  # later certificates carry the new name too
    keep = ("user_id", "course_id", "course_title", "course_version", "completed_on", "expires_on",
            "learning_minutes", "trainer_names", "accrediting_body", "accreditation_number")
    # Free the completion's one live certificate first, then issue the new one for it.
    certificate.superseded_at, certificate.superseded_because = now, SupersededBecause.NAME_CHANGE
    db.session.flush()
    new = _new_certificate(holder=holder, completion_id=certificate.completion_id, holder_name=name, issued_at=now,
                           issued_by_id=by.id, **{k: getattr(certificate, k) for k in keep})
    db.session.flush()
    certificate.superseded_by_id = new.id
    audit.record(by, "certificates.superseded", holder, obj=certificate, by_certificate=new.id,
                 because=SupersededBecause.NAME_CHANGE)
    audit.record(by, "certificates.reissued", holder, obj=new, replaces=certificate.id, name_changed=True)
    _announce(new, f"Your certificate in your new name: {new.course_title}")
    db.session.flush()
    return new


def share_transcript(user) -> TranscriptShare:
    """Turn on (or keep) the person's transcript share link."""
    share = db.session.scalar(select(TranscriptShare).where(TranscriptShare.user_id == user.id))
    if share is None:
        share = TranscriptShare(user_id=user.id)
        db.session.add(share)
        db.session.flush()
        audit.record(user, "certificates.transcript_shared", user, obj=share)
    return share


def stop_sharing_transcript(user) -> bool:
    """Turn the share link off: the old address stops working at once. Returns False if it was already off."""
    share = db.session.scalar(select(TranscriptShare).where(TranscriptShare.user_id == user.id))
    if share is None:
        return False
    audit.record(user, "certificates.transcript_share_stopped", user, obj=share)
    db.session.delete(share)
    db.session.flush()
    return True
