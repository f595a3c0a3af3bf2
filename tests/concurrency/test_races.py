"""The same action from several people (or one person's several taps) at the same moment: exactly one wins.

Each test fires real requests from threads released together, on the suite's database (SQLite or PostgreSQL),
then checks there is one winner, one audit row, one e-mail, and counts that add up; the losers got a plain
message, never a 500.
"""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.applications.models import Application
from app.applications.rules import Status
from app.auth.models import Role, User
from app.extensions import db
from app.training import services as training
from app.training import services_seats as seats
from app.training.models import Booking, BookingStatus, TrainingSession
from app.vetting.enums import DbsOutcome
from app.vetting.models import DbsConfirmation, DbsDecision
from tests.applications.factories import ready_to_accept
from tests.concurrency.conftest import audit_count, settle
from tests.conftest import sign_in_client
from tests.factories import make_user
from tests.training.factories import make_session, make_volunteer
from tests.vetting.factories import make_dbs, make_nppv

pytestmark = pytest.mark.real_commits


def _post_all(app, race, people_and_requests):
    """Each (user, url, data) posted from its own thread at once; returns (status, final page text) for each."""
    clients = [(sign_in_client(app, user), url, data) for user, url, data in people_and_requests]

    def act(i):
        client, url, data = clients[i]
        response = client.post(url, data=data, follow_redirects=True)
        return response.status_code, response.get_data(as_text=True)

    results = race(len(clients), act)
    assert all(status == 200 for status, _ in results), [s for s, _ in results]
    return results


def assert_seats_add_up(session_id: int) -> None:
    db.session.expire_all()
    item = db.session.get(TrainingSession, session_id)
    assert item.seats_taken == seats.booked_count(session_id) <= item.capacity


# ---------------------------------------------------------------- applications


def test_accept_and_decline_sent_together_one_decision_stands(app, race, smtp):
    application = ready_to_accept(areas=("Durham",))
    coordinator = make_user(Role.COORDINATOR, areas=["Durham"])
    manager = make_user(Role.MANAGER)
    base = f"/applications/{application.id}"
    smtp.clear()
    results = _post_all(app, race, [(coordinator, f"{base}/accept", {"note": "Welcome"}),
                                    (manager, f"{base}/decline", {"reason": "not_ready", "note": "Next year"})])
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    person = db.session.get(User, application.user_id)
    accepted, declined = audit_count("application.accept"), audit_count("application.decline")
    assert (accepted, declined) in ((1, 0), (0, 1))
    if accepted:
        assert application.status == Status.ACCEPTED and person.has_role(Role.VOLUNTEER)
    else:
        assert application.status == Status.DECLINED and not person.has_role(Role.VOLUNTEER)
    assert len(settle(smtp, 1)) == 1
    loser = results[1] if accepted else results[0]
    assert "was changed a moment ago by" in loser[1] or "cannot" in loser[1]


def test_two_accepts_at_once_send_one_welcome(app, race, smtp):
    application = ready_to_accept(areas=("Durham",))
    first, second = make_user(Role.COORDINATOR, areas=["Durham"]), make_user(Role.COORDINATOR, areas=["Durham"])
    smtp.clear()
    results = _post_all(app, race, [(who, f"/applications/{application.id}/accept", {"note": "Welcome"})
                                    for who in (first, second)])
    assert audit_count("application.accept") == 1
    assert audit_count("account.role_granted") <= 1
    welcome = [m for m in settle(smtp, 1) if m["Subject"] == "Welcome to the team"]
    assert len(welcome) == 1 and len(smtp.messages) == 1
    assert sum("is now a volunteer" in page for _, page in results) == 1
    assert sum("changed a moment ago" in page for _, page in results) == 1


def test_five_first_saves_at_once_make_one_draft(app, race):
    applicant = make_user(Role.APPLICANT)
    about = {"full_name": "Alex Applicant", "preferred_name": "Al", "date_of_birth": ["27", "3", "1985"],
             "phone": "07700 900 982", "email": "alex@example.org", "address": "1 High Street\nDurham",
             "postcode": "dh1 3le"}
    results = _post_all(app, race, [(applicant, "/apply/about-you", about)] * 5)
    db.session.expire_all()
    drafts = db.session.scalars(select(Application).where(Application.user_id == applicant.id)).all()
    assert len(drafts) == 1 and drafts[0].postcode == "DH1 3LE" and "about-you" in drafts[0].steps_done
    assert audit_count("application.started") == 1
    assert all("is saved" in page for _, page in results)  # every tap kept what was typed


# ---------------------------------------------------------------- accounts


def test_two_sign_ups_with_one_address_make_one_account(app, race, smtp):
    smtp.clear()
    data = {"full_name": "New Person", "email": "twice@example.org", "password": "river lantern meadow",
            "confirm": "river lantern meadow"}
    clients = [app.test_client() for _ in range(2)]

    def act(i):
        return clients[i].post("/sign-up", data=data | {"email": ["twice@example.org", "TWICE@example.org "][i]})

    responses = race(2, act)
    assert [r.status_code for r in responses] == [302, 302]
    assert all("/sign-up/check-your-email" in r.headers["Location"] for r in responses)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User).where(User.email == "twice@example.org")) == 1
    assert audit_count("account.created") == 1
    # One confirmation link. From one address the limits take the two in turn, so the second is then told
    # "you already have an account", as if sent a moment later; from two, the loser's insert fails and sends none.
    subjects = sorted(m["Subject"] for m in settle(smtp, 1))
    assert subjects in (["Confirm your e-mail address"], ["Confirm your e-mail address", "You already have an account"])


# ---------------------------------------------------------------- vetting


def test_two_managers_confirm_one_approval_at_once(app, race):
    from app.vetting.enums import Decision

    volunteer = make_user(Role.VOLUNTEER, areas=["Durham"])
    approver = make_user(Role.COORDINATOR, areas=["Durham"])
    check = make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED, issued_on=date(2026, 2, 1), decision=Decision.APPROVED,
                     decided_by=approver)
    decision = check.decisions[0]
    decision.needs_confirmation = True
    db.session.commit()
    clients = [sign_in_client(app, make_user(Role.MANAGER)) for _ in range(2)]
    url = f"/vetting/decisions/{decision.id}/confirm"
    responses = race(2, lambda i: clients[i].post(url))
    assert sorted(r.status_code for r in responses) == [302, 409]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(DbsConfirmation)) == 1
    assert audit_count("vetting.dbs_decision_confirmed") == 1


def test_dbs_approve_and_decline_at_once_one_decision(app, race, smtp):
    volunteer = make_user(Role.VOLUNTEER, areas=["Durham"])
    check = make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED, issued_on=date(2026, 2, 1))
    make_nppv(volunteer)
    one, two = make_user(Role.COORDINATOR, areas=["Durham"]), make_user(Role.MANAGER)
    smtp.clear()
    url = f"/vetting/dbs/{check.id}/decision"
    clients = [sign_in_client(app, one), sign_in_client(app, two)]
    choices = [{"decision": "approved", "rationale": "Old matter, strong references."},
               {"decision": "declined", "rationale": "Recent and relevant."}]
    responses = race(2, lambda i: clients[i].post(url, data=choices[i]))
    assert sorted(r.status_code for r in responses) == [302, 409]  # the loser is told on the form page
    loser = next(r for r in responses if r.status_code == 409).get_data(as_text=True)
    assert "changed a moment ago" in loser or "does not need a decision" in loser
    db.session.expire_all()
    decisions = db.session.scalars(select(DbsDecision).where(DbsDecision.dbs_check_id == check.id)).all()
    assert len(decisions) == 1 and audit_count("vetting.dbs_decision") == 1
    person = db.session.get(User, volunteer.id)
    if decisions[0].decision.value == "declined":
        assert not person.has_role(Role.VOLUNTEER) and len(settle(smtp, 1)) == 1
    else:
        assert person.has_role(Role.VOLUNTEER) and settle(smtp, 0) == []


# ---------------------------------------------------------------- training


def test_five_cancels_of_one_booking_free_one_seat_and_promote_one(app, race, smtp):
    session = make_session(capacity=3)
    people = [make_volunteer() for _ in range(5)]
    for person in people:
        training.book_session(session, person)
        db.session.commit()
    assert_seats_add_up(session.id)
    leaving = people[0]
    booking = db.session.scalar(select(Booking).where(Booking.user_id == leaving.id))
    smtp.clear()
    results = _post_all(app, race, [(leaving, f"/training/bookings/{booking.id}/cancel", {})] * 5)
    assert sum("Your booking is cancelled." in page for _, page in results) == 1
    assert audit_count("training.booking_cancelled") == 1
    assert audit_count("training.promoted_from_waitlist") == 1
    assert_seats_add_up(session.id)
    statuses = dict(db.session.execute(select(Booking.user_id, Booking.status)).all())
    assert statuses[leaving.id] is BookingStatus.CANCELLED
    assert statuses[people[3].id] is BookingStatus.BOOKED and statuses[people[4].id] is BookingStatus.WAITLISTED
    assert sorted(m["Subject"].split(":")[0] for m in settle(smtp, 2)) == ["Booking cancelled", "You now have a place"]


def test_five_bookings_by_one_person_at_once_make_one(app, race, smtp):
    session = make_session(capacity=3)
    person = make_volunteer()
    smtp.clear()
    results = _post_all(app, race, [(person, f"/training/sessions/{session.id}/book", {})] * 5)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1
    assert audit_count("training.booked") == 1
    assert_seats_add_up(session.id)
    assert db.session.get(TrainingSession, session.id).seats_taken == 1
    assert len(settle(smtp, 1)) == 1
    assert sum("You are booked" in page for _, page in results) == 1
    assert all("You are booked" in page or "already" in page or "changed a moment ago" in page for _, page in results)


def test_many_people_booking_the_last_seats_never_overfill(app, race, smtp):
    session = make_session(capacity=2)
    people = [make_volunteer() for _ in range(6)]
    _post_all(app, race, [(p, f"/training/sessions/{session.id}/book", {}) for p in people])
    assert_seats_add_up(session.id)
    db.session.expire_all()
    statuses = db.session.scalars(select(Booking.status)).all()
    assert statuses.count(BookingStatus.BOOKED) == 2 and statuses.count(BookingStatus.WAITLISTED) == 4


def test_cancelling_a_session_while_people_book_leaves_nobody_booked(app, race):
    session = make_session(capacity=4)
    coordinator = make_user(Role.COORDINATOR)
    people = [make_volunteer() for _ in range(3)]
    requests = [(p, f"/training/sessions/{session.id}/book", {}) for p in people]
    requests.append((coordinator, f"/training/sessions/{session.id}/cancel", {"reason": "Trainer ill"}))
    _post_all(app, race, requests)
    db.session.expire_all()
    item = db.session.get(TrainingSession, session.id)
    assert item.cancelled and item.seats_taken == 0
    assert db.session.scalar(select(func.count()).select_from(Booking).where(Booking.status != BookingStatus.CANCELLED)) == 0


def test_everyone_cancelling_at_once_promotes_the_one_waiting(app, race):
    """Seats change in one module only; after many cancels at once the counter still equals the booked rows."""
    session = make_session(capacity=3)
    people = [make_volunteer() for _ in range(4)]
    _post_all(app, race, [(p, f"/training/sessions/{session.id}/book", {}) for p in people])
    waiting = db.session.scalar(select(Booking).where(Booking.status == BookingStatus.WAITLISTED))
    _post_all(app, race, [(db.session.get(User, b.user_id), f"/training/bookings/{b.id}/cancel", {})
                          for b in db.session.scalars(select(Booking).where(Booking.id != waiting.id)).all()])
    assert_seats_add_up(session.id)
    assert db.session.get(Booking, waiting.id).status is BookingStatus.BOOKED



# ---------------------------------------------------------------- accounts, by the person and by admins


def test_a_double_tap_on_sign_in_signs_in_once_each_without_error(app, race):
    from tests.factories import DEFAULT_PASSWORD

    person = make_user(Role.VOLUNTEER)
    clients = [app.test_client() for _ in range(3)]
    data = {"email": person.email, "password": DEFAULT_PASSWORD}
    responses = race(3, lambda i: clients[i].post("/sign-in", data=data))
    assert [r.status_code for r in responses] == [302, 302, 302]
    assert audit_count("auth.login") == 3


def test_two_admins_deactivating_one_account_at_once_audit_it_once(app, race):
    person = make_user(Role.VOLUNTEER)
    admins = [make_user(Role.ADMIN) for _ in range(2)]
    clients = [sign_in_client(app, a) for a in admins]
    responses = race(2, lambda i: clients[i].post(f"/admin/people/{person.id}/deactivate",
                                                  data={"reason": "Left the scheme"}))
    assert sorted(r.status_code for r in responses) == [302, 400]  # the loser sees why, by the reason field
    loser = next(r for r in responses if r.status_code == 400).get_data(as_text=True)
    assert "changed a moment ago" in loser or "already deactivated" in loser
    assert audit_count("account.deactivated") == 1


# ---------------------------------------------------------------- readiness


def test_two_coordinators_releasing_at_once_release_once_with_one_email(app, race, smtp, monkeypatch):
    from app.readiness.models import MentorStanding, Standing
    from tests.readiness.conftest_support import patch_vetting_extras
    from tests.readiness.factories import make_ready_volunteer

    patch_vetting_extras(monkeypatch)
    first = make_user(Role.COORDINATOR, areas=["Durham"])
    second = make_user(Role.COORDINATOR, areas=["Durham"])
    volunteer = make_ready_volunteer(areas=("Durham",), supervisor=first)
    smtp.clear()
    url = f"/readiness/people/{volunteer.id}/release"
    results = _post_all(app, race, [(first, url, {}), (second, url, {}), (first, url, {})])
    assert sum("is released to client work. We have" in text for _, text in results) == 1
    db.session.expire_all()
    (row,) = db.session.scalars(select(MentorStanding)).all()
    assert row.status == Standing.RELEASED and row.release_count == 1
    assert audit_count("readiness.released") == 1
    assert [m["To"] for m in settle(smtp, 1)] == [volunteer.email]


def test_two_sweeps_at_once_stand_down_once(app, race, smtp, monkeypatch):
    from app.readiness.models import StandDown
    from app.readiness.services_sweep import sweep
    from app.timefmt import today_london
    from app.urls import portal_url_context
    from tests.readiness.conftest_support import patch_vetting_extras
    from tests.readiness.factories import make_ready_volunteer, make_released

    patch_vetting_extras(monkeypatch)
    coordinator = make_user(Role.COORDINATOR, areas=["Durham"])
    volunteers = [make_ready_volunteer(skip={"emergency-contact"}, supervisor=coordinator) for _ in range(3)]
    for volunteer in volunteers:
        make_released(volunteer)
    smtp.clear()

    def run(i):
        with portal_url_context():
            return sweep(today_london())[0]

    assert sum(race(2, run)) == 3
    db.session.expire_all()
    assert len(db.session.scalars(select(StandDown)).all()) == 3
    assert audit_count("readiness.stood_down") == 3
    messages = settle(smtp, 4)
    assert all(len([m for m in messages if m["X-Envelope-To"] == v.email]) == 1 for v in volunteers)
    digests = [m for m in messages if m["X-Envelope-To"] == coordinator.email]
    assert 1 <= len(digests) <= 2  # one digest per sweep that stood someone down (one, on PostgreSQL: the lock)
    assert sum(m.get_content().count("/readiness/people/") for m in digests) == 3  # each volunteer listed once


def test_two_pairings_at_once_cannot_take_a_mentor_past_the_cap(app, race, monkeypatch):
    from datetime import timedelta

    from app.readiness.models import Client, Pairing
    from app.timefmt import today_london
    from tests.factories import area_named
    from tests.readiness.conftest_support import patch_vetting_extras
    from tests.readiness.factories import make_ready_volunteer, make_released

    patch_vetting_extras(monkeypatch)
    coordinator = make_user(Role.COORDINATOR, areas=["Durham"])
    busy = make_ready_volunteer(supervisor=coordinator)
    partners = [make_ready_volunteer(supervisor=coordinator) for _ in range(4)]
    for person in (busy, *partners):
        make_released(person, on=today_london() - timedelta(days=200))
    clients = [Client(reference=f"DUR-R{n}", area_id=area_named("Durham").id, needs=[]) for n in range(4)]
    db.session.add_all(clients)
    db.session.commit()
    for n in range(2):  # two of the three allowed already
        db.session.add(Pairing(client_id=clients[n].id, first_id=busy.id, second_id=partners[n].id,
                               started_on=today_london()))
    db.session.commit()
    url = "/readiness/clients/{}/pairings"
    results = _post_all(app, race, [(coordinator, url.format(clients[2].id), {"first": busy.id, "second": partners[2].id}),
                                    (coordinator, url.format(clients[3].id), {"first": busy.id, "second": partners[3].id})])
    assert sum("are paired with client" in text for _, text in results) == 1
    db.session.expire_all()
    active = db.session.scalars(select(Pairing).where(Pairing.ended_on.is_(None))).all()
    assert sum(busy.id in p.member_ids() for p in active) == 3
