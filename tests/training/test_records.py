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


# ---------------------------------------------------------------- courses in several parts

D = date(2026, 3, 2)


@pytest.mark.parametrize("attended,expected", [
    ([(1, D, 1)], []),                                                             # one part is not the course
    ([(1, D, 1), (2, D + timedelta(days=1), 2)], [(D + timedelta(days=1), 2)]),   # both days: complete on the 2nd
    ([(2, D, 1), (1, D + timedelta(days=7), 2)], [(D + timedelta(days=7), 2)]),   # in either order
    ([(1, D, 1), (2, date(2026, 9, 2), 2)], [(date(2026, 9, 2), 2)]),           # caught up on the last day allowed
    ([(1, D, 1), (2, date(2026, 9, 3), 2)], []),                                  # a day too late: start again
    ([(1, D, 1), (2, date(2026, 9, 3), 2), (1, date(2026, 9, 10), 3)], [(date(2026, 9, 10), 3)]),
    ([(1, D, 1), (2, D, 2), (1, D + timedelta(days=400), 3)], [(D, 2)]),          # a later part 1 alone: no more
])
def test_a_course_in_parts_completes_when_every_part_is_attended_within_the_catch_up(attended, expected):
    assert rules.part_completions(attended, parts=2, catch_up_months=6) == expected


def test_two_part_course_completes_on_the_second_register_and_a_correction_withdraws_it():
    from app.db_types import utcnow
    from app.training.models import Attendance, Completion
    from app.training.services_registers import mark_attendance

    recovery = course("recovery-coach")
    assert recovery.parts == 2
    volunteer = make_volunteer("taster-day")
    make_completion(volunteer, "adult-safeguarding-level-1", date.today() - timedelta(days=30))
    start = utcnow().replace(microsecond=0) + timedelta(days=2)
    day_one = make_session("recovery-coach", starts_at=start, hours=6)
    day_two = make_session("recovery-coach", starts_at=start + timedelta(days=1), hours=6, trainers=day_one.trainers)
    day_two.part = 2
    first, second = services.book_session(day_one, volunteer), services.book_session(day_two, volunteer)
    assert day_two.title == "Recovery coach (all addictions), part 2 of 2"
    now = utcnow().replace(microsecond=0)  # both days have now happened: yesterday and this morning
    day_one.starts_at, day_one.ends_at = now - timedelta(hours=30), now - timedelta(hours=24)
    day_two.starts_at, day_two.ends_at = now - timedelta(hours=8), now - timedelta(hours=2)
    db.session.commit()
    trainer = day_one.trainers[0]
    mark_attendance(first, Attendance.PRESENT, trainer)
    assert db.session.scalar(select(Completion).where(Completion.course_id == recovery.id)) is None
    mark_attendance(second, Attendance.PRESENT, trainer)
    done = db.session.scalar(select(Completion).where(Completion.course_id == recovery.id))
    assert done.booking_id == second.id
    mark_attendance(first, Attendance.ABSENT, trainer)  # a correction to day one
    assert db.session.scalar(select(Completion).where(Completion.course_id == recovery.id)) is None


def test_scheduling_a_part_the_course_does_not_have_is_refused():
    from app.training.services import TrainingError, schedule_session

    coordinator = make_user(Role.COORDINATOR)
    with pytest.raises(TrainingError, match="is one course, not in parts"):
        schedule_session(course("taster-day"), date_time(), date_time(hours=6), venue=None, online_link="https://x.example",
                         capacity=5, trainers=[], notes="", by=coordinator, part=2)
    with pytest.raises(TrainingError, match="has 2 parts"):
        schedule_session(course("recovery-coach"), date_time(), date_time(hours=6), venue=None,
                         online_link="https://x.example", capacity=5, trainers=[], notes="", by=coordinator, part=3)


def date_time(hours: int = 0):
    from app.db_types import utcnow

    return utcnow().replace(microsecond=0) + timedelta(days=3, hours=hours)


def test_course_text_states_the_rule_from_the_policy_file(app, login_as, tmp_path):
    """The roles course says how long there is to claim from policy/expenses.toml, so the two never disagree."""
    import shutil
    from pathlib import Path

    from app.training.services_catalogue import CatalogueError, read_course_file

    volunteer = login_as(make_volunteer())
    course("roles-and-responsibilities")
    pages = [volunteer.get(f"/training/courses/roles-and-responsibilities/lessons/{n}").get_data(as_text=True)
             for n in range(1, 6)]
    assert any("with receipts within 3 months" in p for p in pages) and not any("{policy:" in p for p in pages)
    policy_dir = tmp_path / "policy"
    shutil.copytree(Path(app.config["POLICY_DIR"]), policy_dir)
    expenses = policy_dir / "expenses.toml"
    expenses.write_text(expenses.read_text().replace("age_flag_months = 3", "age_flag_months = 2"))
    app.config["POLICY_DIR"], original = str(policy_dir), app.config["POLICY_DIR"]
    try:
        pages = [volunteer.get(f"/training/courses/roles-and-responsibilities/lessons/{n}").get_data(as_text=True)
                 for n in range(1, 6)]
        assert any("with receipts within 2 months" in p for p in pages)
        bad = tmp_path / "bad-course.toml"
        text = (Path(app.config["COURSES_DIR"]) / "roles-and-responsibilities.toml").read_text()
        bad.write_text(text.replace('code = "roles-and-responsibilities"', 'code = "bad-course"')
                       .replace("{policy:expenses.claims.age_flag_months}", "{policy:expenses.claims.no_such_thing}"))
        with pytest.raises(CatalogueError, match="no_such_thing"):
            read_course_file(bad)
    finally:
        app.config["POLICY_DIR"] = original
