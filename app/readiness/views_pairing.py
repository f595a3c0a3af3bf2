"""Clients and pairs: coordinators add clients and pair released volunteers; volunteers see their pairings and
log contacts."""
from flask import abort, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select, true

from app.actions import perform
from app.auth.models import Role, User
from app.core.models import Area
from app.extensions import db
from app.navigation import register_nav
from app.pagination import govuk_pagination, page_number
from app.permissions import area_scope, roles_required
from app.readiness import forms, services_pairing
from app.readiness.models import Client, ClientContact, ContactKind, MentorStanding, Pairing, Standing
from app.readiness.policy import current_policy
from app.readiness.views import bp
from app.vetting.services_reminders import active_volunteers_query

STAFF = (Role.COORDINATOR, Role.MANAGER)
register_nav("Clients", "readiness.clients", *STAFF, order=32)
register_nav("Your clients", "readiness.my_pairings", Role.VOLUNTEER, order=31)


@bp.app_template_filter("need_words")
def need_words(codes) -> str:
    """A client's support-need tags in words."""
    words = dict(current_policy().support_needs)
    return ", ".join(words.get(c, c) for c in codes) or "None recorded"


@bp.app_template_filter("pair_names")
def pair_names(pairings) -> str:
    return "; ".join(f"{p.first.display_name} and {p.second.display_name}" for p in pairings) or "Not paired"


def get_client_or_404(client_id: int) -> Client:
    """A client in the areas this member of staff covers (managers: any); otherwise not found."""
    client = db.get_or_404(Client, client_id)
    if not client.can_manage(current_user):
        abort(404)
    return client


def _my_areas() -> list[Area]:
    scope = area_scope(current_user)
    return list(db.session.scalars(select(Area).where(Area.id.in_(scope) if scope is not None else true())
                                   .order_by(Area.position)))


def _volunteers_in(client: Client, released_only: bool) -> list[User]:
    query = active_volunteers_query().where(User.areas.any(Area.id == client.area_id), User.id != current_user.id)
    if released_only:
        query = query.where(User.id.in_(select(MentorStanding.volunteer_id)
                                        .where(MentorStanding.status == Standing.RELEASED)))
    return list(db.session.scalars(query))


@bp.route("/clients")
@roles_required(*STAFF)
def clients():
    """Clients in your areas, with their pairings; flagged pairings need a new partner."""
    area_ids = [a.id for a in _my_areas()]
    pager = db.paginate(select(Client).where(Client.area_id.in_(area_ids)).order_by(Client.reference, Client.id),
                        page=page_number(), per_page=25, error_out=False)
    found = pager.items
    pairings = db.session.scalars(select(Pairing).where(Pairing.client_id.in_([c.id for c in found]),
                                                        Pairing.ended_on.is_(None))).all()
    by_client: dict[int, list[Pairing]] = {}
    for pairing in pairings:
        by_client.setdefault(pairing.client_id, []).append(pairing)
    return render_template("readiness/clients.html", clients=found, pairings=by_client,
                           needs=dict(current_policy().support_needs),
                           pagination=govuk_pagination(pager, "readiness.clients"))


@bp.route("/clients/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def new_client():
    """Add a client: a reference code, an area and support-need tags."""
    areas = _my_areas()
    form = forms.ClientForm(areas=areas, needs=current_policy().support_needs)
    if form.validate_on_submit():
        area = next(a for a in areas if str(a.id) == form.area.data)
        outcome = perform(services_pairing.add_client, form.reference.data, area, form.needs.data or [], current_user)
        if outcome.flash(f"Client {form.reference.data} added."):
            return redirect(url_for("readiness.client", client_id=outcome.value.id))
    return render_template("readiness/client_new.html", form=form), 400 if form.errors else 200


def _client_page(client: Client, pair_form=None, known_form=None, status: int = 200):
    released = _volunteers_in(client, released_only=True)
    everyone = _volunteers_in(client, released_only=False)
    pairings = db.session.scalars(select(Pairing).where(Pairing.client_id == client.id)
                                  .order_by(Pairing.ended_on.is_(None).desc(), Pairing.started_on.desc())).all()
    return render_template(
        "readiness/client.html", client=client, pairings=pairings, needs=dict(current_policy().support_needs),
        pair_form=pair_form or forms.PairForm(volunteers=released, formdata=None),
        known_form=known_form or forms.KnownForm(volunteers=everyone, formdata=None),
        end_form=forms.EndPairingForm(reasons=services_pairing.END_REASONS.items(), formdata=None)), status


@bp.route("/clients/<int:client_id>")
@roles_required(*STAFF)
def client(client_id):
    """One client: their pairings, and pairing two released volunteers."""
    return _client_page(get_client_or_404(client_id))


@bp.route("/clients/<int:client_id>/pairings", methods=["POST"])
@roles_required(*STAFF)
def pair(client_id):
    """Pair two released volunteers with this client (refused with every reason that applies)."""
    client = get_client_or_404(client_id)
    form = forms.PairForm(volunteers=_volunteers_in(client, released_only=True))
    if not form.validate_on_submit():
        return _client_page(client, pair_form=form, status=400)
    first, second = db.session.get(User, int(form.first.data)), db.session.get(User, int(form.second.data))
    perform(services_pairing.pair_volunteers, client, first, second, current_user).flash(
        f"{first.display_name} and {second.display_name} are paired with client {client.reference}.")
    return redirect(url_for("readiness.client", client_id=client.id))


@bp.route("/clients/<int:client_id>/known", methods=["POST"])
@roles_required(*STAFF)
def known(client_id):
    """Record that a volunteer knows this client, so they are never paired with them."""
    client = get_client_or_404(client_id)
    form = forms.KnownForm(volunteers=_volunteers_in(client, released_only=False))
    if not form.validate_on_submit():
        return _client_page(client, known_form=form, status=400)
    volunteer = db.session.get(User, int(form.volunteer.data))
    perform(services_pairing.record_acquaintance, client, volunteer, current_user).flash(
        f"Recorded: {volunteer.display_name} knows this client.")
    return redirect(url_for("readiness.client", client_id=client.id))


@bp.route("/pairings/<int:pairing_id>/end", methods=["POST"])
@roles_required(*STAFF)
def end_pairing(pairing_id):
    """End a pairing, with the reason."""
    pairing = db.get_or_404(Pairing, pairing_id)
    client = get_client_or_404(pairing.client_id)
    form = forms.EndPairingForm(reasons=services_pairing.END_REASONS.items())
    if not form.validate_on_submit():
        return _client_page(client, status=400)
    perform(services_pairing.end_pairing, pairing, form.reason.data, current_user).flash("The pairing has ended.")
    return redirect(url_for("readiness.client", client_id=client.id))


# ---------------------------------------------------------------- the volunteer's pairings


def get_my_pairing_or_404(pairing_id: int) -> Pairing:
    pairing = db.get_or_404(Pairing, pairing_id)
    if current_user.id not in pairing.member_ids():
        abort(404)
    return pairing


@bp.route("/pairings")
@roles_required(Role.VOLUNTEER)
def my_pairings():
    """Your clients: reference code, area, support needs and your partner; the time you have logged."""
    pairings = db.session.scalars(select(Pairing).where(
        (Pairing.first_id == current_user.id) | (Pairing.second_id == current_user.id))
        .order_by(Pairing.ended_on.is_(None).desc(), Pairing.started_on.desc())).all()
    contacts = db.session.scalars(select(ClientContact).where(ClientContact.volunteer_id == current_user.id)
                                  .order_by(ClientContact.contact_on.desc(), ClientContact.id.desc()).limit(20)).all()
    return render_template("readiness/my_pairings.html", pairings=pairings, contacts=contacts,
                           minutes=services_pairing.contact_minutes(current_user),
                           needs=dict(current_policy().support_needs))


@bp.route("/pairings/<int:pairing_id>/contact", methods=["GET", "POST"])
@roles_required(Role.VOLUNTEER)
def log_contact(pairing_id):
    """Log a contact with your client: the day, how long and how (no notes about the client)."""
    pairing = get_my_pairing_or_404(pairing_id)
    form = forms.ContactForm()
    if form.validate_on_submit():
        outcome = perform(services_pairing.log_contact, pairing, current_user, form.contact_on.data,
                          form.minutes.data, ContactKind(form.kind.data))
        if outcome.flash("Contact logged."):
            return redirect(url_for("readiness.my_pairings"))
    return render_template("readiness/contact.html", form=form, pairing=pairing), 400 if form.errors else 200


