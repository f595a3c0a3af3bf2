"""Certificate pages: the public verify page, a certificate and its PDF, the transcript, share links, revoking."""
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.actions import perform, render_and_commit
from app.auth.models import Role
from app.certificates import queries, services
from app.certificates.forms import ReissueForm, RevokeForm, VerifyForm
from app.forms import ActionForm
from app.permissions import public, roles_required, signed_in
from app.timefmt import today_london

bp = Blueprint("certificates", __name__, url_prefix="/certificates")
NOINDEX = {"X-Robots-Tag": "noindex, nofollow, noarchive", "Referrer-Policy": "no-referrer"}


def _verify_page(typed: str | None, form: VerifyForm, typed_in_box: bool = False):
    """Count the attempt against the address (429 after a burst), then look the code up in constant time."""
    if typed is not None and not services.count_verify_attempt(request.remote_addr or "unknown"):
        html = render_template("certificates/verify.html", form=form, limited=True, checked=False)
        return make_response(html, 429, {**NOINDEX, "Retry-After": "600"})
    # The same look-up for every guess, well-formed or not, found or not: nothing to learn from the time it takes.
    certificate = queries.find_by_code(typed) if typed is not None else None
    # A malformed code typed in the box is shown as a problem next to the field instead of "not found".
    checked = typed is not None and not (typed_in_box and not form.validate())
    html = render_and_commit("certificates/verify.html", form=form, checked=checked, limited=False,
                             certificate=certificate, today=today_london())
    return make_response(html, 200, NOINDEX)


@bp.route("/verify")
@public
def verify():
    """Check a certificate by typing its code."""
    return _verify_page(request.args.get("code") if "code" in request.args else None, VerifyForm(request.args),
                        typed_in_box=True)


@bp.route("/verify/<code>")
@public
def verify_code(code):
    """The address in a certificate's QR code."""
    return _verify_page(code[:100], VerifyForm(data={"code": code[:100]}))


@bp.route("/<int:certificate_id>")
@signed_in
def show(certificate_id):
    """One certificate: its details, its PDF, its public check; coordinators revoke or re-issue it here."""
    certificate = queries.get_certificate_or_404(certificate_id, current_user)
    return _show(certificate, RevokeForm())


def _show(certificate, revoke_form, status: int = 200, reissue_form=None):
    reissue_form = reissue_form or ReissueForm(formdata=None, data={"new_name": certificate.holder.full_name})
    # `form` drives the page's error summary: whichever form was just sent.
    sent = reissue_form if reissue_form.errors else revoke_form
    return render_template("certificates/show.html", certificate=certificate, code=queries.code_of(certificate),
                           today=today_london(), form=sent, revoke_form=revoke_form, reissue_form=reissue_form,
                           action=ActionForm()), status


@bp.route("/<int:certificate_id>/revoke", methods=["POST"])
@roles_required(Role.COORDINATOR)
def revoke(certificate_id):
    """Revoke a certificate with a reason (kept on record, audited)."""
    certificate = queries.get_certificate_or_404(certificate_id, current_user)
    if not certificate.can_revoke(current_user):
        abort(403)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _show(certificate, form, 400)
    perform(services.revoke_certificate, certificate, form.reason.data, current_user).flash(
        "The certificate is revoked. It stays on record, and its public check now says revoked.")
    return redirect(url_for("certificates.show", certificate_id=certificate.id))


@bp.route("/<int:certificate_id>/reissue", methods=["POST"])
@roles_required(Role.COORDINATOR)
def reissue(certificate_id):
    """Re-issue in a new name, on the holder's request; the old certificate then verifies as superseded."""
    certificate = queries.get_certificate_or_404(certificate_id, current_user)
    if not certificate.can_revoke(current_user):
        abort(403)
    form = ReissueForm()
    if not form.validate_on_submit():
        return _show(certificate, RevokeForm(formdata=None), 400, reissue_form=form)
    outcome = perform(services.reissue_certificate, certificate, form.new_name.data, current_user).flash()
    if not outcome:
        return redirect(url_for("certificates.show", certificate_id=certificate.id))
    flash(f"The certificate is re-issued in the name {outcome.value.holder_name}. The old one now verifies as superseded.")
    return redirect(url_for("certificates.show", certificate_id=outcome.value.id))


@bp.route("/share", methods=["POST"])
@roles_required(Role.VOLUNTEER)
def share():
    """Turn on the share link to your training transcript."""
    if not ActionForm().validate_on_submit():
        abort(400)
    perform(services.share_transcript, current_user).flash(
        "Your share link is on. Anyone with the link can see your training transcript.")
    return redirect(url_for("training.record") + "#transcript")


@bp.route("/share/stop", methods=["POST"])
@roles_required(Role.VOLUNTEER)
def stop_sharing():
    """Turn the share link off: the address stops working at once."""
    if not ActionForm().validate_on_submit():
        abort(400)
    perform(services.stop_sharing_transcript, current_user).flash("Your share link is off. The address no longer works.")
    return redirect(url_for("training.record") + "#transcript")


@bp.route("/shared/<token>")
@public
def shared(token):
    """A volunteer's training transcript, through the share link they gave someone."""
    share_row = queries.share_by_token(token)
    if share_row is None or not share_row.user.is_active:
        abort(404)
    html = render_template("certificates/shared.html", person=share_row.user, token=token,
                           **queries.transcript_context(share_row.user, today_london()))
    return Response(html, headers=NOINDEX)


from app.certificates import views_documents  # noqa: E402,F401  (registers the PDF downloads on bp)
