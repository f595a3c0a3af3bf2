"""Training records an accrediting body would accept: refreshers keep the cover, promotion re-checks, views logged."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.applications.rules import Status
from app.audit import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.training import rules, services
from app.training.models import Booking, BookingStatus
from tests.applications.factories import make_application
from tests.factories import make_user
from tests.training.factories import course, make_completion, make_session, make_volunteer

WINDOW = timedelta(days=90)
OLD_EXPIRY = date(2027, 6, 1)


@pytest.mark.parametrize("completed_on,expected", [
    (OLD_EXPIRY - WINDOW - timedelta(days=1), date(2030, 3, 2)),  # the day before the window: from completion
    (OLD_EXPIRY - WINDOW, date(2030, 6, 1)),                        # the window's first day: from the old expiry
    (OLD_EXPIRY - timedelta(days=1), date(2030, 6, 1)),            # its last day (still current): the same
    (OLD_EXPIRY, date(2030, 6, 1)),                                  # lapsed on the day: from completion
    (OLD_EXPIRY + timedelta(days=40), date(2030, 7, 11)),
])
def test_a_refresher_inside_the_window_runs_on_from_the_old_expiry(completed_on, expected):
    assert rules.renewed_expiry(completed_on, 36, OLD_EXPIRY, WINDOW) == expected


def test_refresher_rule_without_a_current_completion_or_validity():
    assert rules.renewed_expiry(date(2026, 3, 1), 36, None, WINDOW) == date(2029, 3, 1)
    assert rules.renewed_expiry(date(2026, 3, 1), None, OLD_EXPIRY, WINDOW) is None


def test_a_refresher_recorded_early_keeps_the_cover():
    """Through the service every completion path uses: completed a month before expiry, the cover runs on."""
    safeguarding = course("adult-safeguarding-level-1")
    volunteer = make_volunteer()
    make_completion(volunteer, safeguarding.code, date(2024, 6, 1))  # current until 1 June 2027
    assert services.expiry_for(volunteer.id, safeguarding, date(2027, 5, 1)) == date(2030, 6, 1)
    assert services.expiry_for(volunteer.id, safeguarding, date(2026, 6, 1)) == date(2029, 6, 1)  # before the window
    assert services.expiry_for(volunteer.id, safeguarding, date(2027, 6, 1)) == date(2030, 6, 1)  # lapsed that day
    assert services.expiry_for(make_volunteer().id, safeguarding, date(2027, 5, 1)) == date(2030, 5, 1)


def test_promotion_skips_someone_no_longer_eligible_and_tells_them_why(smtp):
    session = make_session(capacity=1)
    first, waiting, next_one = make_volunteer(), make_volunteer(), make_volunteer()
    for person in (first, waiting, next_one):
        services.book_session(session, person)
    db.session.commit()
    # Since joining the list, `waiting` has been booked on another session at the same time.
    clash = make_session(starts_at=session.starts_at, capacity=5, venue_name=None, online_link="https://meet.example/x")
    db.session.add(Booking(session=clash, user=waiting, status=BookingStatus.BOOKED))  # booked for them by staff
    clash.seats_taken = 1
    db.session.commit()
    smtp.clear()
    services.cancel_booking(db.session.scalar(select(Booking).where(Booking.user_id == first.id)), first)
    db.session.commit()
    statuses = dict(db.session.execute(select(Booking.user_id, Booking.status).where(Booking.session_id == session.id)).all())
    assert statuses[waiting.id] is BookingStatus.CANCELLED and statuses[next_one.id] is BookingStatus.BOOKED
    told = smtp.last(waiting.email)
    assert told["Subject"].startswith("A place came up, but you cannot take it")
    assert "You are booked on another session at the same time." in smtp.body(told)
    assert smtp.last(next_one.email)["Subject"].startswith("You now have a place")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "training.waitlist_skipped")) is not None


def test_promotion_skips_someone_who_lost_the_volunteer_role(smtp):
    session = make_session(capacity=1)
    first, waiting = make_volunteer(), make_volunteer()
    for person in (first, waiting):
        services.book_session(session, person)
    db.session.commit()
    waiting.role_grants.clear()
    db.session.commit()
    services.cancel_booking(db.session.scalar(select(Booking).where(Booking.user_id == first.id)), first)
    db.session.commit()
    assert db.session.scalar(select(Booking.status).where(Booking.user_id == waiting.id)) is BookingStatus.CANCELLED
    db.session.refresh(session)
    assert session.seats_taken == 0


def test_staff_views_of_an_application_are_logged_but_not_in_its_history(login_as):
    coordinator = login_as("coordinator", areas=["Durham"])
    application = make_application(status=Status.SUBMITTED, areas=("Durham",))
    page = coordinator.get(f"/applications/{application.id}").get_data(as_text=True)
    views = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "application.viewed")).all()
    assert len(views) == 1 and views[0].actor_id == coordinator.user.id and views[0].object_id == application.id
    assert views[0].details == {}  # which page, not what it showed
    assert "viewed" not in page.lower()


def test_trainers_cannot_read_applications(login_as):
    trainer = login_as(make_user(Role.TRAINER))
    application = make_application(status=Status.SUBMITTED, areas=("Durham",))
    assert trainer.get(f"/applications/{application.id}").status_code == 403


def test_a_coordinator_records_learning_done_elsewhere_and_it_counts(login_as):
    from app.training.models import Completion, CompletionSource
    from app.training.services import current_completions

    coordinator = login_as("coordinator", areas=["Durham"])
    volunteer = make_volunteer(areas=["Durham"])
    safeguarding = course("adult-safeguarding-level-1")
    page = coordinator.get(f"/training/people/{volunteer.id}").get_data(as_text=True)
    assert "Record training done elsewhere" in page
    url = f"/training/people/{volunteer.id}/done-elsewhere"
    bad = coordinator.post(url, data={"course": safeguarding.id, "provider": "Durham County Council",
                                      "completed_on": ["1", "1", "2099"], "evidence": "Original certificate seen"})
    assert "The date completed must be today or in the past" in bad.get_data(as_text=True)
    assert 'value="Durham County Council"' in bad.get_data(as_text=True)  # kept as typed
    done = coordinator.post(url, data={"course": safeguarding.id, "provider": "Durham County Council",
                                       "completed_on": ["3", "2", "2026"], "evidence": "Original certificate seen"},
                            follow_redirects=True)
    assert "Training recorded for" in done.get_data(as_text=True)
    assert "done elsewhere: Durham County Council" in done.get_data(as_text=True)
    completion = db.session.scalar(select(Completion).where(Completion.user_id == volunteer.id,
                                                            Completion.source == CompletionSource.EXTERNAL))
    assert completion.recorded_by_id == coordinator.user.id and completion.expires_on == date(2029, 2, 3)
    assert safeguarding.code in current_completions(volunteer, date(2026, 6, 1))
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "training.external_completion_recorded")).subject_id == volunteer.id


def test_nobody_records_their_own_training_and_others_areas_are_not_found(login_as):
    coordinator = login_as(make_user(Role.COORDINATOR, Role.VOLUNTEER, areas=["Durham"]))
    safeguarding = course("adult-safeguarding-level-1")
    data = {"course": safeguarding.id, "provider": "Elsewhere", "completed_on": ["3", "2", "2026"], "evidence": "Seen"}
    own = coordinator.post(f"/training/people/{coordinator.user.id}/done-elsewhere", data=data).get_data(as_text=True)
    assert "Nobody can record their own training" in own
    outside = make_volunteer(areas=["Weardale"])
    assert coordinator.get(f"/training/people/{outside.id}/done-elsewhere").status_code == 404
