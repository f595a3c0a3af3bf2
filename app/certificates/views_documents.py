"""The PDF downloads: a certificate, the holder's training transcript, and a shared transcript."""
from flask import Response, abort, current_app, render_template, url_for
from flask_login import current_user

from app.auth.models import Role
from app.certificates import queries, rules_pdf
from app.certificates.views import NOINDEX, bp
from app.permissions import public, roles_required, signed_in
from app.timefmt import format_date, today_london


def _pdf(data: bytes, filename: str, extra: dict | None = None) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', **(extra or {})})


def sheet_for(certificate) -> rules_pdf.Sheet | None:
    """What the certificate prints, or None when its code cannot be reproduced (the key changed)."""
    code = queries.code_of(certificate)
    if code is None:
        return None
    return rules_pdf.Sheet(
        scheme_name=current_app.config["SCHEME_NAME"], holder_name=certificate.holder_name,
        course_title=certificate.course_title, course_version=certificate.course_version,
        completed_on=format_date(certificate.completed_on), hours=certificate.hours_label,
        trainers=certificate.trainer_names, expires_on=format_date(certificate.expires_on) or None,
        accrediting_body=certificate.accrediting_body, accreditation_number=certificate.accreditation_number,
        code=code, verify_url=url_for("certificates.verify_code", code=code, _external=True),
        verify_base=url_for("certificates.verify", _external=True),
        issued_on=format_date(certificate.issued_at))


@bp.route("/<int:certificate_id>/certificate.pdf")
@signed_in
def certificate_pdf(certificate_id):
    """Download a certificate as a PDF (A4 landscape, with its code and QR code)."""
    certificate = queries.get_certificate_or_404(certificate_id, current_user)
    sheet = sheet_for(certificate)
    if sheet is None:
        return render_template("certificates/no_code.html", certificate=certificate), 409
    return _pdf(rules_pdf.certificate_pdf(sheet), f"certificate-{certificate.id}.pdf")


def _transcript(person) -> bytes:
    context = queries.transcript_context(person, today_london())
    lines = [rules_pdf.TranscriptLine(
        course_title=e.completion.course.title, completed_on=format_date(e.completion.completed_on),
        hours=e.hours_label, expires=format_date(e.completion.expires_on) or "Does not expire", status=e.status,
        code=e.code or "") for e in context["entries"]]
    return rules_pdf.transcript_pdf(rules_pdf.Transcript(
        scheme_name=current_app.config["SCHEME_NAME"], holder_name=person.full_name or person.email,
        made_on=format_date(today_london()), verify_base=url_for("certificates.verify", _external=True),
        lines=lines, total_hours=context["total_hours"]))


@bp.route("/transcript.pdf")
@roles_required(Role.VOLUNTEER)
def transcript_pdf():
    """Your training transcript: every completion on one document, for a CV or a job application."""
    return _pdf(_transcript(current_user), "training-transcript.pdf")


@bp.route("/shared/<token>/transcript.pdf")
@public
def shared_transcript_pdf(token):
    """The transcript PDF, through a share link."""
    share_row = queries.share_by_token(token)
    if share_row is None or not share_row.user.is_active:
        abort(404)
    return _pdf(_transcript(share_row.user), "training-transcript.pdf", NOINDEX)
