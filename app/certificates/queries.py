"""Reads: a certificate by its typed code (in the same time whether or not it exists), a person's certificates."""
import hmac
from dataclasses import dataclass
from datetime import date

from flask import abort, current_app
from sqlalchemy import select

from app.certificates import rules
from app.certificates.models import Certificate, TranscriptShare
from app.extensions import db
from app.training.models import Completion

# Hashed in place of a malformed code, so a malformed guess takes the same path as a well-formed one.
_NO_CODE = rules.code_hash("0" * rules.CODE_LENGTH + "-not-a-code")


def find_by_code(typed: str | None) -> Certificate | None:
    """The certificate with this code, or None. One hash, one indexed look-up, one comparison, whatever was typed."""
    code = rules.normalise(typed)
    digest = rules.code_hash(code) if code else _NO_CODE
    row = db.session.scalar(select(Certificate).where(Certificate.code_hash == digest))
    matches = hmac.compare_digest(row.code_hash if row is not None else _NO_CODE, digest)
    return row if (row is not None and matches and code) else None


def certificate_key() -> bytes:
    """The key certificate codes are derived with (CERTIFICATE_KEY, else SECRET_KEY)."""
    return (current_app.config.get("CERTIFICATE_KEY") or current_app.config["SECRET_KEY"]).encode()


def code_of(certificate: Certificate) -> str | None:
    """The certificate's code, grouped for print; None if the key has changed (never print a code that fails)."""
    code = rules.derive_code(certificate_key(), bytes.fromhex(certificate.nonce))
    return rules.grouped(code) if hmac.compare_digest(rules.code_hash(code), certificate.code_hash) else None


def certificates_of(user) -> list[Certificate]:
    """Every certificate a person holds (revoked and superseded too), newest first."""
    return list(db.session.scalars(select(Certificate).where(Certificate.user_id == user.id)
                                   .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def live_by_completion(user) -> dict[int, Certificate]:
    """Each completion's current certificate, by completion id, for the training record page."""
    return {c.completion_id: c for c in certificates_of(user) if c.live and c.completion_id is not None}


def get_certificate_or_404(certificate_id: int, user) -> Certificate:
    """A certificate the user may see; others' (and unknown ids) are 404, as if they did not exist."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or not certificate.can_view(user):
        abort(404)
    return certificate


def share_of(user) -> TranscriptShare | None:
    return db.session.scalar(select(TranscriptShare).where(TranscriptShare.user_id == user.id))


def share_by_token(token: str) -> TranscriptShare | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(TranscriptShare).where(TranscriptShare.token == token))


@dataclass(frozen=True)
class TranscriptEntry:
    """One completion on a transcript, with its current certificate if it has one."""

    completion: Completion
    certificate: Certificate | None
    status: str
    minutes: int
    code: str | None

    @property
    def hours_label(self) -> str:
        return rules.hours_label(self.minutes)


def transcript_context(user, today: date) -> dict:
    """Every completion (expired ones too, marked), with hours, dates and certificate codes: two queries."""
    from app.training.services import completions_of

    certificates = certificates_of(user)
    live = {c.completion_id: c for c in certificates if c.live and c.completion_id is not None}
    revoked = {c.completion_id for c in certificates if c.revoked_at is not None}
    entries = []
    for completion in completions_of(user):
        certificate = live.get(completion.id)
        if completion.id in revoked and certificate is None:
            status = "Certificate revoked"
        elif completion.expires_on is not None and today >= completion.expires_on:
            status = "Expired"
        else:
            status = "Current"
        minutes = certificate.learning_minutes if certificate else completion.course.hours_minutes
        entries.append(TranscriptEntry(completion, certificate, status, minutes,
                                       code_of(certificate) if certificate else None))
    counted = sum(e.minutes for e in entries if e.status != "Certificate revoked")
    return {"entries": entries, "total_hours": rules.hours_label(counted) if counted else "0 hours"}
