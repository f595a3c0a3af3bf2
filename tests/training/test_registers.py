"""Attendance registers, completions, knowledge checks, and the current-completions function."""
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.applications.rules import Status
from app.audit import AuditEvent
from app.auth.models import User
from app.db_types import utcnow
from app.extensions import db
from app.timefmt import to_london
from app.training import services
from app.training import services_registers as attendance
from app.training.models import Attendance, Completion, CompletionSource
from app.training.services import TrainingError, current_completions
from tests.applications.factories import make_application
from tests.factories import make_user
from tests.training.factories import course, make_completion, make_session, make_volunteer


def _running_session(code="taster-day", started_hours_ago=7, hours=6, people=2, **kwargs):
    """A session that has just ended (by default), with `people` booked before it started."""
    start = utcnow().replace(microsecond=0) + timedelta(days=1)
    item = make_session(code, starts_at=start, hours=hours, capacity=max(people, 1), **kwargs)
    volunteers = [make_volunteer(*(["taster-day"] if code != "taster-day" else [])) for _ in range(people)]
    bookings = [services.book_session(item, v) for v in volunteers]
    item.starts_at = utcnow().replace(microsecond=0) - timedelta(hours=started_hours_ago)
    item.ends_at = item.starts_at + timedelta(hours=hours)
    db.session.commit()
    return item, bookings


def test_trainer_marks_the_register_and_completions_are_recorded(login_as):
    item, (alice, bob) = _running_session()
    client = login_as(item.trainers[0])
    page = client.get(f"/training/sessions/{item.id}/register")
    assert page.status_code == 200 and alice.user.display_name in page.text
    response = client.post(f"/training/sessions/{item.id}/register",
                           data={f"b{alice.id}": "present", f"b{bob.id}": "excused"}, follow_redirects=True)
    assert "Register saved (2 changes)" in response.text
    assert alice.attendance is Attendance.PRESENT and alice.marked_by_id == item.trainers[0].id
    assert alice.marked_at is not None
    day = to_london(item.starts_at).date()
    done = current_completions(alice.user, day)
    assert list(done) == ["taster-day"] and done["taster-day"].completed_on == day
    assert done["taster-day"].source is CompletionSource.ATTENDANCE
    assert current_completions(bob.user, day) == {}
    assert f"Marked present by {item.trainers[0].display_name}" in client.get(
        f"/training/sessions/{item.id}/register").text


def test_marking_before_the_end_records_the_completion_when_the_register_closes():
    item, (alice,) = _running_session(started_hours_ago=1, people=1)
    attendance.mark_attendance(alice, Attendance.LATE, item.trainers[0], minutes_missed=10)
    assert db.session.scalar(select(Completion)) is None  # the session is not over yet
    attendance.close_register(item, None, now=item.ends_at + timedelta(hours=49))
    assert db.session.scalar(select(Completion)).booking_id == alice.id


def test_all_present_in_one_tap_skips_people_already_marked(login_as):
    item, (alice, bob, carol) = _running_session(people=3)
    trainer = item.trainers[0]
    attendance.mark_attendance(bob, Attendance.ABSENT, trainer)
    db.session.commit()
    response = login_as(trainer).post(f"/training/sessions/{item.id}/register/all-present", follow_redirects=True)
    assert "2 people marked present" in response.text
    assert [alice.attendance, bob.attendance, carol.attendance] == [Attendance.PRESENT, Attendance.ABSENT,
                                                                   Attendance.PRESENT]


def test_register_opens_shortly_before_the_start():
    item = make_session(starts_at=utcnow() + timedelta(hours=2))
    booking = services.book_session(item, make_volunteer())
    with pytest.raises(TrainingError, match="opens shortly before"):
        attendance.mark_attendance(booking, Attendance.PRESENT, item.trainers[0])
    assert attendance.mark_attendance(booking, Attendance.PRESENT, item.trainers[0],
                                      now=item.starts_at - timedelta(minutes=20))


def test_only_the_sessions_trainers_and_coordinators_mark(login_as):
    item, (alice, _) = _running_session()
    other_trainer = make_user("trainer")
    with pytest.raises(TrainingError):
        attendance.mark_attendance(alice, Attendance.PRESENT, other_trainer)
    assert login_as(other_trainer).post(f"/training/sessions/{item.id}/register",
                                        data={f"b{alice.id}": "present"}).status_code == 403
    assert login_as(alice.user).get(f"/training/sessions/{item.id}/register").status_code == 403
    coordinator = make_user("coordinator")
    assert attendance.mark_attendance(alice, Attendance.PRESENT, coordinator)


def test_after_closing_only_coordinators_change_it_and_it_is_audited(login_as):
    item, (alice, bob) = _running_session(started_hours_ago=60)
    trainer_client = login_as(item.trainers[0])
    page = trainer_client.get(f"/training/sessions/{item.id}/register").text  # viewing closes it lazily
    assert "The register has closed" in page
    db.session.expire_all()
    assert alice.attendance is Attendance.ABSENT and bob.attendance is Attendance.ABSENT  # unmarked became absent
    response = trainer_client.post(f"/training/sessions/{item.id}/register", data={f"b{alice.id}": "present"},
                                   follow_redirects=True)
    assert "The register has closed" in response.text
    db.session.expire_all()
    assert alice.attendance is Attendance.ABSENT
    coordinator = make_user("coordinator")
    assert attendance.mark_attendance(alice, Attendance.PRESENT, coordinator)
    db.session.commit()
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "training.attendance_marked",
                                                        AuditEvent.actor_id == coordinator.id)).one()
    assert event.details["after_close"] is True and event.details["previously"] == "absent"
    assert db.session.scalar(select(Completion).where(Completion.booking_id == alice.id)) is not None
    # A correction back to absent withdraws that one completion.
    attendance.mark_attendance(alice, Attendance.ABSENT, coordinator)
    assert db.session.scalar(select(Completion).where(Completion.booking_id == alice.id)) is None


def test_close_registers_command_for_cron(app):
    item, (alice, _) = _running_session(started_hours_ago=60)
    attendance.mark_attendance(alice, Attendance.PRESENT, make_user("coordinator"))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["training", "close-registers"])
    assert "registers: 1 closed" in result.output
    db.session.expire_all()
    assert item.register_closed_at is not None
    assert app.test_cli_runner().invoke(args=["training", "close-registers"]).output.strip() == "registers: 0 closed"


def test_walk_ins_must_be_eligible_volunteers(login_as):
    item, _ = _running_session("grow-model")
    ready = make_volunteer("taster-day", name="Wendy Walkin")
    not_ready = make_user("volunteer", name="Nora Notready")
    client = login_as(item.trainers[0])
    page = client.get(f"/training/sessions/{item.id}/register").text
    assert "Wendy Walkin" not in page  # nobody is listed until the trainer looks them up by name
    assert "Wendy Walkin" in client.get(f"/training/sessions/{item.id}/register?find=walk").text
    assert "Nora Notready" not in client.get(f"/training/sessions/{item.id}/register?find=nora").text
    assert "Nobody called 'nora' can join this session" in client.get(
        f"/training/sessions/{item.id}/register?find=nora").text
    assert "at least 3 letters" in client.get(f"/training/sessions/{item.id}/register?find=wa").text
    refused = client.post(f"/training/sessions/{item.id}/register/walk-in", data={"volunteer": not_ready.id},
                          follow_redirects=True)
    assert "Choose a volunteer from the list" in refused.text
    added = client.post(f"/training/sessions/{item.id}/register/walk-in", data={"volunteer": ready.id},
                        follow_redirects=True)
    assert "Wendy Walkin is added to the register" in added.text
    assert "Wendy Walkin (walk-in)" in added.text
    assert "grow-model" in current_completions(ready, to_london(item.starts_at).date())


def test_walk_in_search_finds_by_name_and_never_lists_everyone(login_as):
    item, _ = _running_session("taster-day")
    for n in range(14):
        make_volunteer(name=f"Sam Same{n:02d}")
    make_volunteer(name="Zoë Ångström")
    client = login_as(item.trainers[0])
    found = client.get(f"/training/sessions/{item.id}/register?find=same").text
    assert found.count("Sam Same") == 10  # at most ten matches: search again with more of the name
    assert "Zoë Ångström" in client.get(f"/training/sessions/{item.id}/register?find=ÅNGSTRÖM").text
    assert client.get(f"/training/sessions/{item.id}/register?find=%25%25%25").status_code == 200
    assert "Sam Same" not in client.get(f"/training/sessions/{item.id}/register?find=%25%25%25").text


def test_walk_ins_may_fill_a_full_taster_day_with_applicants_but_not_its_trainers(login_as):
    trainer = make_user("trainer", "volunteer", name="Tom Trainer")
    item, _ = _running_session("taster-day", people=1, trainers=[trainer])
    applying = make_application(status=Status.SUBMITTED, user=make_user("applicant", name="Ann Applying")).user
    make_application(status=Status.DRAFT, user=make_user("applicant", name="Dan Draft"))
    client = login_as(trainer)
    page = client.get(f"/training/sessions/{item.id}/register").text
    assert "even when the session is full (1 of 1 seats taken now)" in page
    assert "Ann Applying" in client.get(f"/training/sessions/{item.id}/register?find=ann").text
    assert "Dan Draft" not in client.get(f"/training/sessions/{item.id}/register?find=dan").text
    assert f'<option value="{trainer.id}">Tom Trainer' not in client.get(
        f"/training/sessions/{item.id}/register?find=tom").text
    added = client.post(f"/training/sessions/{item.id}/register/walk-in", data={"volunteer": applying.id},
                        follow_redirects=True)
    assert "Ann Applying is added to the register" in added.text
    db.session.refresh(item)
    assert item.seats_taken == 2 and item.capacity == 1
    assert "taster-day" in current_completions(applying, to_london(item.starts_at).date())


def test_a_walk_in_checks_the_one_person_chosen_not_everyone(login_as, count_queries):
    """Adding a walk-in decides about the person chosen, in SQL: the same queries with 2 or 30 people able to
    join, and a draft applicant, a huge id or nonsense is refused plainly."""
    item, _ = _running_session("taster-day")
    draft = make_application(status=Status.DRAFT, user=make_user("applicant", name="Dan Draft")).user.id
    client, url = login_as(item.trainers[0]), f"/training/sessions/{item.id}/register"
    sizes, loaded = [], []

    def on_load(session, instance):
        loaded.append(instance)

    for people in (2, 30):
        chosen = [make_volunteer(name=f"Walk In{people}-{n:02d}") for n in range(people - len(sizes) * 2)][-1].id
        db.session.expunge_all()
        loaded.clear()
        event.listen(Session, "loaded_as_persistent", on_load)
        try:
            with count_queries() as ran:
                added = client.post(f"{url}/walk-in", data={"volunteer": chosen})
        finally:
            event.remove(Session, "loaded_as_persistent", on_load)
        assert added.status_code == 302
        sizes.append((len(ran), sum(isinstance(i, User) for i in loaded)))
    assert sizes[0] == sizes[1], sizes  # neither more queries nor more people loaded with more people able to join
    for wrong in (draft, "99999999999999999999", "-1", "x", ""):
        refused = client.post(f"{url}/walk-in", data={"volunteer": wrong}, follow_redirects=True)
        assert refused.status_code == 200 and "Choose a volunteer from the list" in refused.text
    assert "Dan Draft (walk-in)" not in client.get(url).text


def test_earlier_completions_are_kept_and_the_longest_lasting_is_current():
    volunteer = make_volunteer("taster-day")
    first = make_completion(volunteer, "adult-safeguarding-level-1", date(2023, 5, 1))
    second = make_completion(volunteer, "adult-safeguarding-level-1", date(2026, 3, 1))
    assert first.expires_on == date(2026, 5, 1) and second.expires_on == date(2029, 3, 1)
    assert current_completions(volunteer, date(2026, 4, 1))["adult-safeguarding-level-1"].id == second.id
    assert current_completions(volunteer, date(2025, 1, 1))["adult-safeguarding-level-1"].id == first.id
    assert "adult-safeguarding-level-1" not in current_completions(volunteer, date(2029, 3, 1))
    assert "adult-safeguarding-level-1" not in current_completions(volunteer, date(2023, 4, 30))
    assert len(services.completions_of(volunteer)) == 3


def test_knowledge_check_pass_records_a_completion_and_fail_does_not(login_as):
    volunteer = make_volunteer()
    client = login_as(volunteer)
    questions = course("gdpr-induction").check["questions"]
    right = {f"q{n}": q["answer"] for n, q in enumerate(questions)}
    wrong = right | {"q0": (questions[0]["answer"] + 1) % 3, "q1": (questions[1]["answer"] + 1) % 3}
    failed = client.post("/training/courses/gdpr-induction/check", data=wrong)
    assert "You scored 60%" in failed.text and "Not passed yet" in failed.text
    assert current_completions(volunteer) == {}
    missing = client.post("/training/courses/gdpr-induction/check", data={"q0": right["q0"]})
    assert "Answer question 2" in missing.text
    passed = client.post("/training/courses/gdpr-induction/check", data=right)
    assert "You passed" in passed.text
    done = current_completions(volunteer)["gdpr-induction"]
    assert done.source is CompletionSource.KNOWLEDGE_CHECK and done.score == 100
    record = client.get("/training/record").text
    assert "GDPR and confidentiality induction" in record


def test_sessions_only_courses_have_no_knowledge_check(login_as):
    course("gdpr-induction")
    client = login_as(make_volunteer())
    assert client.get("/training/courses/taster-day/check").status_code == 404
    assert client.get("/training/courses/gdpr-induction/lessons/9").status_code == 404
    assert client.get("/training/courses/gdpr-induction/lessons/1").status_code == 200


def test_the_training_record_shows_completions_bookings_and_next_steps(login_as):
    volunteer = make_volunteer("taster-day")
    grow = make_session("grow-model")
    services.book_session(grow, volunteer)
    db.session.commit()
    page = login_as(volunteer).get("/training/record").text
    assert "Taster day" in page and "Does not expire" in page
    assert "The GROW model" in page
    assert "HEAR principles" in page  # next: its prerequisite is done
    assert "Recovery coach" not in page  # needs safeguarding first


def test_record_shows_when_a_refresher_is_due(login_as):
    volunteer = make_volunteer("taster-day")
    make_completion(volunteer, "adult-safeguarding-level-1", date.today() - timedelta(days=36 * 30 + 10))
    page = login_as(volunteer).get("/training/record").text
    assert "Refresh due" in page


def test_course_page_says_what_to_complete_first(login_as):
    course("recovery-coach")
    page = login_as(make_volunteer("taster-day")).get("/training/courses/recovery-coach").text
    assert "Before you can book this course, complete Adult safeguarding (level 1, accredited)." in page


@pytest.mark.parametrize("role", ["coordinator", "trainer", "applicant"])
def test_self_paced_course_links_its_lessons_only_for_volunteers(login_as, role):
    course("gdpr-induction")
    lesson_link = "/training/courses/gdpr-induction/lessons/1"
    assert lesson_link in login_as(make_volunteer()).get("/training/courses/gdpr-induction").text
    page = login_as(role).get("/training/courses/gdpr-induction")
    assert page.status_code == 200 and lesson_link not in page.text and "Volunteers can take it" in page.text


@pytest.mark.parametrize("mark,minutes,completes", [
    (Attendance.LATE, 15, True),         # late by exactly the allowance still counts
    (Attendance.LATE, 16, False),        # a minute more does not
    (Attendance.LEFT_EARLY, 0, True),
    (Attendance.LEFT_EARLY, 45, False),
    (Attendance.PRESENT, None, True),
    (Attendance.EXCUSED, None, False),
])
def test_late_or_leaving_early_counts_only_within_the_allowance(mark, minutes, completes):
    item, (alice,) = _running_session(people=1)
    attendance.mark_attendance(alice, mark, item.trainers[0], minutes_missed=minutes)
    assert (db.session.scalar(select(Completion)) is not None) is completes
    assert alice.minutes_missed == (minutes if mark.part_missed else None)


def test_the_register_asks_for_the_minutes_when_someone_was_late(login_as):
    item, (alice,) = _running_session(people=1)
    client = login_as(item.trainers[0])
    page = client.get(f"/training/sessions/{item.id}/register").text
    assert "counts as attending if they missed 15 minutes or less" in page
    missing = client.post(f"/training/sessions/{item.id}/register", data={f"b{alice.id}": "late"})
    assert f"Enter how many minutes {alice.user.display_name} missed" in missing.text
    assert alice.attendance is Attendance.UNMARKED
    client.post(f"/training/sessions/{item.id}/register", data={f"b{alice.id}": "late", f"m{alice.id}": "40"})
    db.session.refresh(alice)
    assert alice.attendance is Attendance.LATE and alice.minutes_missed == 40
    assert db.session.scalar(select(Completion)) is None  # 40 minutes missed is more than the allowance
    assert "Marked late (missed 40 minutes)" in client.get(f"/training/sessions/{item.id}/register").text


def test_a_course_may_allow_fewer_minutes():
    from app.training.rules import parse_policy

    policy = parse_policy({"attendance": {"missed_minutes_allowed": 15, "by_course": {"adult-safeguarding-level-1": 5}}})
    assert policy.allowance_for("adult-safeguarding-level-1") == 5 and policy.allowance_for("grow-model") == 15


def test_the_walk_in_list_preselects_nobody_and_speaks_of_the_person(login_as):
    from app.training.services_registers import about_them

    item, _ = _running_session("taster-day")
    make_volunteer(name="Wendy Walkin")
    client = login_as(item.trainers[0])
    page = client.get(f"/training/sessions/{item.id}/register?find=wendy").text
    assert page.index("Choose the person") < page.index("Wendy Walkin")
    refused = client.post(f"/training/sessions/{item.id}/register/walk-in", data={"volunteer": "0"},
                          follow_redirects=True)
    assert "Choose a volunteer from the list" in refused.text
    assert about_them("You are booked on another session at the same time.") == \
        "They are booked on another session at the same time."
