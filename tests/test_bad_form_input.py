"""Fuzzing every form: spaces, NUL, CR/LF, 10^20, far-off dates and very long text in each field: never a 500.

Each page below is fetched as someone who may use it; every POST form on it is read from the HTML (its action,
fields and the values a person would choose), filled in so that it would be accepted, and then posted once per
field per bad value, with every other field left valid, so each bad value reaches as far as it can. Finally
the untouched form is posted and must be accepted, which proves the fuzzing was not stopped by something else.
A test checks that the pages cover every POST route in app.url_map.
"""
import io
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app import create_app
from app.applications.rules import Status
from app.applications.services import hash_token
from app.auth.models import Role
from app.auth.tokens import make_token, password_fingerprint
from app.certificates import services as certificates
from app.db_types import utcnow
from app.expenses import services_finance, services_lines
from app.expenses.rules import Vehicle
from app.extensions import db
from app.readiness import services as readiness
from app.readiness.models import Client, Pairing
from app.timefmt import today_london
from app.training import services as training
from app.vetting.enums import ChangeKind, DbsOutcome, Decision, IdDocument
from app.vetting.models import NppvChange
from tests.applications.factories import make_application, ready_to_accept
from tests.certificates.factories import make_certificate
from tests.conftest import sign_in_client
from tests.expenses.factories import approved_claim, journey, make_claim, make_driver, photo_bytes
from tests.factories import DEFAULT_PASSWORD, area_named, make_user
from tests.readiness.factories import make_ready_volunteer, make_released
from tests.support.forms import HEADER_FORMS, Form, read_forms
from tests.training.factories import course, make_session, make_volunteer, venue
from tests.vetting.factories import make_dbs, make_identity, make_nppv

_APP = create_app("testing")
LONG = "x" * 20_000
TEXT_BAD = ["   ", "\x00", "Ann\r\nBcc: victim@example.org", "Ann\x1b[31m\u2028Smith", LONG, str(10**20), "9999-12-31",
            "²"]
CHOICE_BAD = [str(10**20), str(2**63), "-1", "\x00", "   ", LONG]
DATE_BAD = [["   ", "   ", "   "], ["31", "12", "9999"], ["1", "1", "0001"], ["\x00", "1", "2020"],
            [str(10**20), "1", str(10**20)], ["²", "1", "2020"], ["9999-12-31"]]
ALL_BAD = ["   ", "\x00", "Ann\r\nSmith", str(10**20)]  # put in every field at once


# ------------------------------------------------------------------ what a person would type

def valid_text(name: str, today) -> str | list[str]:
    """A value the form accepts for an empty field, by its name."""
    later, next_year = today + timedelta(days=7), today + timedelta(days=365)
    table = [
        ("date_of_birth", ["27", "3", "1985"]), ("end_day", ["", "", ""]),
        ("day", [str(later.day), str(later.month), str(later.year)]),
        ("one_email", "rita.fuzz@example.net"), ("two_email", "sam.fuzz@example.net"), ("email", "fuzz.person@example.net"),
        ("one_phone", "07700900111"), ("two_phone", "07700900222"), ("phone", "07700900333"),
        ("one_name", "Rita Fuzz"), ("two_name", "Sam Fuzz"), ("postcode", "DH1 3LE"),
        ("certificate_number", "001234567890"), ("force_reference", "DUR/2026/0099"), ("known_for", "3 years"),
        ("start", "10am"), ("end", "4pm"), ("current", DEFAULT_PASSWORD), ("password", "plum violin sunset harbour"),
        ("confirm", "plum violin sunset harbour"), ("online_link", ""), ("capacity", ""), ("name", "Fuzz Place"),
        ("preferred_name", ""), ("availability_note", ""), ("places", ""),
        ("renews_on", ["", "", ""]), ("consent_withdrawn_on", ["", "", ""]),  # optional: a year on; not withdrawn
        ("expires_on", [str(next_year.day), str(next_year.month), str(next_year.year)]),
        ("miles", "12.5"), ("other_miles", ""), ("amount", "3.50"), ("minutes", "45"), ("reference", "DUR-0099"),
        ("from_place", "Home"), ("to_place", "Durham Community Centre"), ("save_as", ""),
    ]
    for key, value in table:
        if name == key:
            return value
    if re.fullmatch(r"m\d+", name):  # minutes missed on the register: none
        return ""
    if name.endswith("_on") or name == "held_on":
        return [str(today.day), str(today.month), str(today.year)]
    return "Some plain words."


def baseline(form: Form, today) -> dict:
    """The form as a person would send it: what the page shows, with empty fields filled in."""
    data = form.data()
    overrides = {"one_relationship": ["friend"], "two_relationship": ["employer"], "decision": ["approved"]}
    for name, kind in form.kinds().items():
        if name in overrides and overrides[name][0] in form.choices.get(name, overrides[name]):
            data[name] = overrides[name]
        elif kind in ("radio",) and not data[name] or kind == "checkbox" and not data[name]:
            data[name] = form.choices[name][:1]
        elif kind == "date" and not any(v.strip() for v in data[name]) or kind in ("text", "email", "tel", "textarea", "password", "number", "url") and not "".join(data[name]).strip():
            value = valid_text(name, today)
            data[name] = value if isinstance(value, list) else [value]
    return data


def mutations(form: Form):
    """(field, values) pairs: every bad value in every field a person fills in or chooses."""
    for name, kind in form.kinds().items():
        if name in ("csrf_token", "next", "submit"):
            continue
        if kind == "date":
            for value in DATE_BAD:
                yield name, value
        elif kind in ("select", "radio", "checkbox", "button", "hidden"):
            for value in CHOICE_BAD:
                yield name, [value]
        else:
            for value in TEXT_BAD:
                yield name, [value]


# ------------------------------------------------------------------ the pages, and the world behind them

@dataclass
class World:
    people: dict
    ids: dict


def build_world() -> World:
    """One of everything a form can act on, each in the state its form needs."""
    p = {r.value: make_user(r, areas=("Durham", "Darlington")) for r in Role}
    p["coordinator"] = make_user(Role.COORDINATOR, areas=("Durham", "Darlington", "Weardale"))
    ids = {}
    draft = make_application(user=p["applicant"], status=Status.DRAFT)
    ids["draft"] = draft.id
    for status in (Status.SUBMITTED, Status.IN_REVIEW, Status.CHAT_BOOKED):
        ids[status.value] = make_application(status=status).id
    asked = make_application(status=Status.REFERENCES_REQUESTED)
    for referee in asked.referees:
        referee.requested_at = utcnow()
    asked.referees[0].received_at = utcnow()  # its outcome can be recorded; the other can be chased
    asked.referees[0].answers = {"known_for": "3 years", "strengths": "Kind.", "concerns": ""}
    ids["asked"], ids["referee"] = asked.id, asked.referees[0].id
    ids["ready"] = ready_to_accept(areas=("Durham",)).id
    token = "fuzz-reference-token-" + "r" * 20
    pending = make_application(status=Status.REFERENCES_REQUESTED)
    pending.referees[0].token_hash = hash_token(token)
    pending.referees[0].requested_at = utcnow()
    pending.referees[0].link_expires_at = utcnow() + timedelta(days=7)
    ids["reference_token"] = token

    volunteer = make_volunteer("taster-day", areas=("Durham",))
    ids["volunteer"] = volunteer.id
    ids["new_check"] = make_dbs(volunteer, submitted_on=None).id
    ids["submitted_check"] = make_dbs(volunteer, outcome=None).id
    ids["result_check"] = make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED).id
    ids["decided_check"] = make_dbs(volunteer, decision=Decision.APPROVED, decided_by=p["manager"]).id
    ids["subscribed_check"] = make_dbs(volunteer, subscribed_on=date(2026, 2, 2), consent_on=date(2026, 2, 2),
                                       seen_on=date(2026, 2, 2)).id
    ids["waiting_police"] = make_nppv(volunteer, outcome=None).id
    make_identity(volunteer)  # so the subscribed check may have a status check
    granted = make_nppv(volunteer)
    ids["granted_police"] = granted.id
    granted.changes.append(NppvChange(kind=ChangeKind.ADDRESS, reported_on=date(2026, 3, 1)))
    db.session.flush()
    ids["nppv_change"] = granted.changes[0].id
    to_confirm = make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED, decision=Decision.APPROVED,
                          decided_by=p["coordinator"])
    to_confirm.decisions[0].needs_confirmation = True
    db.session.flush()
    ids["unconfirmed_decision"] = to_confirm.decisions[0].id

    trainer = p["trainer"]
    upcoming = make_session("taster-day", trainers=[trainer, make_user("trainer")])
    ids["upcoming"] = upcoming.id
    training.book_session(upcoming, p["volunteer"])
    p["booker"] = make_user(Role.VOLUNTEER)
    make_volunteer("taster-day", areas=("Durham",), name="Wendy Walkin")  # someone to add as a walk-in
    running = make_session("taster-day", starts_at=utcnow().replace(microsecond=0) + timedelta(days=2),
                           trainers=[trainer])
    for person in (make_volunteer(), make_volunteer()):
        training.book_session(running, person)
    running.starts_at = utcnow().replace(microsecond=0) - timedelta(hours=1)
    running.ends_at = running.starts_at + timedelta(hours=6)
    ids["running"] = running.id
    ids["venue"] = venue().id
    course("gdpr-induction")
    ids["area"] = p["admin"].areas[0].id
    ids["other_user"] = make_user(Role.VOLUNTEER).id
    unverified = make_user(verified=False)
    ids["verify_token"] = make_token("verify", {"uid": unverified.id, "email": unverified.email})
    reset_person = make_user(Role.VOLUNTEER)
    ids["reset_token"] = make_token("reset", {"uid": reset_person.id, "fp": password_fingerprint(reset_person.password_hash)})
    _certificates_world(p, ids)
    _expenses_world(p, ids)
    _readiness_world(p, ids)
    db.session.commit()
    return World(p, ids)


def _certificates_world(p, ids):
    ids["certificate"] = make_certificate()[0].id
    p["sharer"] = make_volunteer()
    certificates.share_transcript(p["sharer"])


def _expenses_world(p, ids):
    """A driver with a draft claim, an approved one and a saved journey; a submitted claim to decide; a batch."""
    today = today_london()  # journeys today: in the tax year the drivers confirmed
    p["claimant"] = claimant = make_driver()
    approved_claim(make_driver(), p["coordinator"], [journey(today, "10")])
    ids["batch"] = services_finance.create_batch(p["manager"]).id  # holds that claim
    ids["approved_claim"] = approved_claim(claimant, p["coordinator"], [journey(today, "10")]).id  # waits to be paid
    ids["draft_claim"] = make_claim(claimant, [journey(today, "8")]).id
    ids["submitted_claim"] = make_claim(make_driver(), [journey(today, "8")], submit=True).id
    services_lines.save_journey(claimant, "Home to the hub", "Home", "Durham", Decimal("5"), Vehicle.CAR)


def _readiness_world(p, ids):
    """A volunteer ready for release, one suspended, a client, and a pair of released mentors working with them."""
    ids["ready_volunteer"] = make_ready_volunteer().id
    suspended = make_ready_volunteer()
    readiness.suspend_volunteer(suspended, p["manager"])
    ids["suspended"] = suspended.id
    client = Client(reference="DUR-0001", area_id=area_named("Durham").id, needs=[])
    db.session.add(client)
    pair = []
    for _ in range(2):
        mentor = make_ready_volunteer()
        make_released(mentor)
        pair.append(mentor)
    p["paired"] = pair[0]
    db.session.flush()
    pairing = Pairing(client_id=client.id, first_id=pair[0].id, second_id=pair[1].id, started_on=today_london())
    db.session.add(pairing)
    db.session.flush()
    ids["client"], ids["pairing"] = client.id, pairing.id


# (who, page) for every page holding a POST form; who is a role, or None for anyone.
PAGES = [
    (None, "/sign-in"), (None, "/sign-up"), (None, "/password/forgot"), (None, "/confirm-email/send-again"),
    (None, "/password/reset/{reset_token}"), (None, "/confirm-email/{verify_token}"), (None, "/reference/{reference_token}"),
    ("volunteer", "/account/password"),
    ("applicant", "/apply/about-you"), ("applicant", "/apply/where-and-when"), ("applicant", "/apply/experience"),
    ("applicant", "/apply/referees"), ("applicant", "/apply/consents"), ("applicant", "/apply/check-answers"),
    ("applicant", "/apply/withdraw"),
    ("coordinator", "/applications/{submitted}"), ("coordinator", "/applications/{in_review}"),
    ("coordinator", "/applications/{asked}"), ("coordinator", "/applications/{ready}"),
    ("coordinator", "/applications/{in_review}/chat/book"), ("coordinator", "/applications/{chat_booked}/chat/record"),
    ("coordinator", "/applications/{submitted}/decline"),
    ("coordinator", "/vetting/people/{volunteer}/dbs/new"), ("coordinator", "/vetting/people/{volunteer}/police/new"),
    ("coordinator", "/vetting/dbs/{new_check}/submitted"), ("coordinator", "/vetting/dbs/{submitted_check}/certificate"),
    ("coordinator", "/vetting/dbs/{result_check}/decision"), ("coordinator", "/vetting/dbs/{decided_check}/update-service"),
    ("coordinator", "/vetting/dbs/{subscribed_check}/status-check"), ("coordinator", "/vetting/police/{waiting_police}/result"),
    ("coordinator", "/training/sessions/new"), ("coordinator", "/training/sessions/{upcoming}/edit"),
    ("coordinator", "/training/sessions/{upcoming}/cancel"), ("trainer", "/training/sessions/{running}/register"),
    ("trainer", "/training/sessions/{running}/register?find=Walkin"),
    ("trainer", "/training/sessions/{running}/register?find=Nobody+Known"),  # the form for someone without an account
    ("trainer", "/training/sessions/{running}/register/new-person"),
    ("coordinator", "/training/people/{volunteer}/done-elsewhere"),
    ("coordinator", "/training/venues/new"), ("coordinator", "/training/venues/{venue}"),
    ("volunteer", "/training/sessions/{upcoming}"), ("booker", "/training/sessions/{upcoming}"),
    ("volunteer", "/training/record"),
    ("volunteer", "/training/courses/gdpr-induction/check"),
    ("admin", "/admin/people/invite"), ("admin", "/admin/people/{other_user}"), ("admin", "/admin/areas"), ("admin", "/admin/areas/{area}"),
    ("coordinator", "/vetting/people/{volunteer}/identity/new"), ("volunteer", "/vetting/mine/declaration"),
    ("manager", "/vetting/decisions/{unconfirmed_decision}/confirm"),
    ("coordinator", "/vetting/police/{granted_police}/changes/new"),
    ("coordinator", "/vetting/police-changes/{nppv_change}/review"),
    ("coordinator", "/certificates/{certificate}"), ("sharer", "/training/record"),
    ("claimant", "/expenses"), ("claimant", "/expenses/claims/{draft_claim}"),
    ("claimant", "/expenses/claims/{draft_claim}/journeys"), ("claimant", "/expenses/claims/{draft_claim}/costs"),
    ("claimant", "/expenses/claims/{approved_claim}"), ("coordinator", "/expenses/claims/{submitted_claim}"),
    ("claimant", "/expenses/journeys"), ("claimant", "/expenses/driver"),
    ("manager", "/expenses/finance"), ("manager", "/expenses/finance/batches/{batch}/paid"),
    ("volunteer", "/readiness"), ("volunteer", "/readiness/agreement"), ("volunteer", "/readiness/emergency-contact"),
    ("coordinator", "/readiness/people/{ready_volunteer}"), ("manager", "/readiness/people/{suspended}"),
    ("coordinator", "/readiness/people/{ready_volunteer}/induction"),
    ("coordinator", "/readiness/clients/new"), ("coordinator", "/readiness/clients/{client}"),
    ("paired", "/readiness/pairings/{pairing}/contact"),
]
# POST routes fuzzed elsewhere or with nothing to send: the reason each is not reached from PAGES.
NOT_FROM_PAGES = {
    "applications.apply_again": "a button shown only after a decision; it takes no fields (posted below)",
    "admin.reactivate": "shown only for a deactivated account; it takes no fields (posted below)",
    "admin.accept_invitation": "reached only from an e-mailed invitation link (posted below with a made-up token)",
    "auth.keep_alive": "posted by the time-out warning's script; it takes no fields (posted below)",
    "training.cancel_booking": "its form is on the confirmation page of one booking (posted below)",
}
ACCEPTED = (301, 302, 303)
# Values a person would type or choose that the field's name alone does not give: an account that exists and its
# password; a join date within 30 days of the certificate's issue (make_dbs: 1 February 2026); documents that
# make up route 1; their own name to sign; a photo of the receipt.
OVERRIDES = {"/sign-in": lambda w: {"email": [w.people["volunteer"].email], "password": [DEFAULT_PASSWORD]},
             "/vetting/dbs/{decided_check}/update-service": lambda w: {"subscribed_on": ["2", "2", "2026"]},
             "/vetting/people/{volunteer}/identity/new": lambda w: {
                 "route": ["route_1"], "documents": [IdDocument.PASSPORT.value, IdDocument.BANK_STATEMENT.value]},
             "/readiness/agreement": lambda w: {"typed_name": [w.people["volunteer"].full_name]},
             "/expenses/claims/{draft_claim}/costs": lambda w: {"receipt": [Upload(photo_bytes(), "receipt.jpg")]}}


@dataclass
class Upload:
    """A file a person chooses (the page's file input): sent afresh with every request."""
    content: bytes
    filename: str


def _post(client, action: str, data: dict):
    return client.post(action, data={k: [(io.BytesIO(v.content), v.filename) if isinstance(v, Upload) else v
                                         for v in values] for k, values in data.items()})


@contextmanager
def as_it_was():
    """Undo whatever one request did, so every bad value meets the world as built (a bad value the form
    accepts must not use up the application, booking or token the next value needs)."""
    connection = db.session.get_bind()
    db.session.rollback()
    connection.exec_driver_sql("SAVEPOINT fuzz_case")
    try:
        yield
    finally:
        db.session.rollback()
        connection.exec_driver_sql("ROLLBACK TO SAVEPOINT fuzz_case")
        connection.exec_driver_sql("RELEASE SAVEPOINT fuzz_case")


def _client(app, world, who):
    return sign_in_client(app, world.people[who]) if who else app.test_client()


def _other_roles(app, action: str, who):
    """Signed-in clients for the other roles the form's route lets in."""
    endpoint = _endpoint(action)
    access = getattr(_APP.view_functions.get(endpoint), "access", None)
    if access is None or access.kind == "public":
        return []
    return [(role.value, sign_in_client(app, make_user(role, areas=("Durham", "Darlington"))))
            for role in Role if role.value != who and (access.kind == "signed_in" or role in access.roles)]


def _endpoint(path: str, method: str = "POST") -> str | None:
    adapter = _APP.url_map.bind("localhost")
    try:
        return adapter.match(path.split("?")[0], method=method)[0]
    except Exception:
        return None


def test_the_pages_hold_a_form_for_every_post_route(app):
    world = build_world()
    seen = set()
    for who, page in PAGES:
        url = page.format(**world.ids)
        response = _client(app, world, who).get(url)
        assert response.status_code == 200, f"{who}: GET {page} gave {response.status_code}"
        seen |= {_endpoint(f.action) for f in read_forms(response.get_data(as_text=True), url)}
    posts = {r.endpoint for r in _APP.url_map.iter_rules() if "POST" in r.methods}
    assert sorted(posts - seen - set(NOT_FROM_PAGES)) == []


@pytest.mark.parametrize(("who", "page"), PAGES, ids=[p for _, p in PAGES])
def test_bad_values_in_every_field_never_give_500(app, who, page):
    world = build_world()
    url = page.format(**world.ids)
    client = _client(app, world, who)
    today = today_london()
    forms = read_forms(client.get(url).get_data(as_text=True), url)
    assert forms, f"no POST form on {url}"
    for form in forms:
        good = baseline(form, today) | OVERRIDES.get(page, lambda w: {})(world)
        for name, values in mutations(form):
            with as_it_was():
                response = _post(client, form.action, good | {name: values})
            assert response.status_code != 500, f"{who}: POST {form.action} {name}={values!r} gave 500"
            assert response.status_code in (*ACCEPTED, 200, 400, 403, 404, 409, 410), (
                f"{who}: POST {form.action} {name}={values!r} gave {response.status_code}")
        for role, other in [(who, client), *_other_roles(app, form.action, who)]:
            for values in ([v] for v in ALL_BAD):  # every field bad at once, as everyone let in
                with as_it_was():
                    response = other.post(form.action, data={k: values for k in good if k != "csrf_token"})
                assert response.status_code != 500, f"{role}: POST {form.action} all={values!r} gave 500"


@pytest.mark.parametrize(("who", "page"), PAGES, ids=[p for _, p in PAGES])
def test_the_fuzzed_forms_are_accepted_when_filled_in_properly(app, who, page):
    """Guard: the form the fuzzing starts from is one the app accepts, so each bad value was the only one."""
    world = build_world()
    client = _client(app, world, who)
    url = page.format(**world.ids)
    forms = read_forms(client.get(url).get_data(as_text=True), url)
    refused = []
    for form in forms:
        if form.action in HEADER_FORMS:
            continue
        good = baseline(form, today_london()) | OVERRIDES.get(page, lambda w: {})(world)
        response = _post(client, form.action, good)
        shown = response.get_data(as_text=True)
        if response.status_code not in ACCEPTED and not (response.status_code == 200 and "govuk-error-summary" not in shown):
            errors = re.findall(r'govuk-error-message">\s*<span[^>]*>[^<]*</span>\s*([^<]*)', shown)
            refused.append(f"POST {form.action} gave {response.status_code}: {errors} for {good}")
    assert not refused, "\n".join(refused)


@pytest.mark.parametrize("endpoint", sorted(NOT_FROM_PAGES))
def test_bare_buttons_with_bad_fields_never_give_500(app, endpoint):
    world = build_world()
    url = {"applications.apply_again": "/apply/again", "admin.reactivate": f"/admin/people/{world.ids['other_user']}/reactivate",
           "admin.accept_invitation": "/admin/invitation/not-a-real-token", "auth.keep_alive": "/session/keep-alive",
           "training.cancel_booking": "/training/bookings/987654/cancel"}[endpoint]
    who = {"applications.apply_again": "applicant", "admin.reactivate": "admin"}.get(endpoint, "volunteer")
    client = _client(app, world, who)
    for value in TEXT_BAD:
        assert client.post(url, data={"reason": value, "submit": value}).status_code != 500


def test_each_bad_value_meets_the_world_as_built(app):
    """Guard for as_it_was(): an accepted POST inside it leaves no trace for the next one."""
    from app.applications.models import Application

    world = build_world()
    client = _client(app, world, "coordinator")
    with as_it_was():
        response = client.post(f"/applications/{world.ids['submitted']}/decline",
                               data={"reason": "not_ready", "note": "Plain words."})
        assert response.status_code in ACCEPTED
        assert db.session.get(Application, world.ids["submitted"]).status == Status.DECLINED
    assert db.session.get(Application, world.ids["submitted"]).status == Status.SUBMITTED


def test_every_form_is_a_gov_form_so_the_guards_apply():
    """The strip / control-character / length guards live in GovForm: a form built on FlaskForm directly would skip them."""
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import app as package
    from app.forms import GovForm

    for module in pkgutil.walk_packages(package.__path__, "app."):
        if module.name.split(".")[-1].startswith("forms"):
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [c for c in subclasses(FlaskForm) if c.__module__.startswith("app.")]
    assert len(ours) > 20
    assert [c.__qualname__ for c in ours if not issubclass(c, GovForm)] == []
