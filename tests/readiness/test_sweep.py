"""`flask readiness sweep`: stands down every released volunteer with a failing gate, e-mails once, warns once."""
from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.readiness.models import GateWarning, MentorStanding, StandDown, Standing
from app.timefmt import today_london
from tests.factories import make_user
from tests.readiness.factories import make_ready_volunteer, make_released
from tests.training.factories import make_completion


def _sweep(app, day):
    return app.test_cli_runner().invoke(args=["readiness", "sweep", "--today", day.isoformat(), "--no-progress"])


def test_the_sweep_run_twice_stands_down_and_emails_once(app, smtp):
    today = today_london()
    coordinator = make_user("coordinator", areas=["Durham"])
    lapsing = make_ready_volunteer(skip={"safeguarding"}, areas=("Durham",), supervisor=coordinator)
    make_completion(lapsing, "adult-safeguarding-level-1", today - timedelta(days=3 * 365 + 10))  # lapsed
    fine = make_ready_volunteer(areas=("Durham",), supervisor=coordinator)
    for person in (lapsing, fine):
        make_released(person)
    smtp.clear()
    first = _sweep(app, today)
    assert first.exit_code == 0, first.output
    assert "1 stood down" in first.output
    second = _sweep(app, today)
    assert "0 stood down" in second.output
    db.session.expire_all()
    rows = {r.volunteer_id: r.status for r in db.session.scalars(select(MentorStanding))}
    assert rows == {lapsing.id: Standing.STOOD_DOWN, fine.id: Standing.RELEASED}
    (record,) = db.session.scalars(select(StandDown)).all()
    assert record.gate_codes == ["safeguarding"] and record.volunteer_id == lapsing.id
    to = sorted(m["To"] for m in smtp.messages)
    assert lapsing.email in to and coordinator.email in to and fine.email not in to
    assert len([m for m in smtp.messages if "stood down" in m["Subject"]]) == 2  # volunteer + one coordinator
    from tests.conftest import sign_in_client

    page = sign_in_client(app, coordinator).get(f"/readiness/people/{lapsing.id}").get_data(as_text=True)
    assert f"{today.day} {today:%B %Y}: Adult safeguarding level 1 current" in page
    assert "Pat Contact (partner), 07700900123" in page


def test_fixing_the_gate_lets_a_coordinator_release_again_and_a_later_lapse_stands_down_again(app, smtp):
    from app.actions import perform
    from app.readiness import services

    today = today_london()
    volunteer = make_ready_volunteer(skip={"emergency-contact"})
    make_released(volunteer)
    _sweep(app, today)
    coordinator = make_user("coordinator", areas=["Durham"])
    assert not perform(services.release_volunteer, volunteer, coordinator).ok
    assert perform(services.save_emergency_contact, volunteer, "Pat", "partner", "07700900123").ok
    assert perform(services.release_volunteer, volunteer, coordinator).ok
    assert "0 stood down" in _sweep(app, today).output
    assert "1 stood down" in _sweep(app, today + timedelta(days=4000)).output  # everything has lapsed by then
    assert len(db.session.scalars(select(StandDown)).all()) == 2


def test_warnings_go_once_per_lead_time_before_safeguarding_lapses(app, smtp):
    today = today_london()
    volunteer = make_ready_volunteer(skip={"safeguarding"})
    completion = make_completion(volunteer, "adult-safeguarding-level-1", today - timedelta(days=900))
    lapses = completion.expires_on
    smtp.clear()
    for day in (lapses - timedelta(days=61), lapses - timedelta(days=60), lapses - timedelta(days=59),
                lapses - timedelta(days=30), lapses - timedelta(days=29), lapses - timedelta(days=7)):
        assert _sweep(app, day).exit_code == 0
    warnings = db.session.scalars(select(GateWarning).order_by(GateWarning.id)).all()
    assert [w.lead_days for w in warnings] == [60, 30, 7]
    assert {w.gate_code for w in warnings} == {"safeguarding"}
    subjects = [m["Subject"] for m in smtp.messages if m["To"] == volunteer.email]
    assert subjects == ["Adult safeguarding level 1: book a refresher"] * 3
    assert "/training/courses/adult-safeguarding-level-1" in smtp.messages[0].get_content()


def test_a_bad_date_is_refused(app):
    result = app.test_cli_runner().invoke(args=["readiness", "sweep", "--today", "31-02-2027"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output
