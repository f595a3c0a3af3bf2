"""Managers may open training pages and each volunteer's training record; scheduling, venues' changes and
registers stay with coordinators and trainers."""
from datetime import date, timedelta

from tests.factories import make_user
from tests.training.factories import make_completion, make_session, venue


def test_managers_read_the_sessions_and_venues_but_do_not_schedule(login_as):
    session = make_session("taster-day")
    manager = login_as("manager")
    page = manager.get("/training/manage").get_data(as_text=True)
    assert session.title in page and f'href="/training/sessions/{session.id}"' in page
    assert "Schedule a session" not in page
    venues = manager.get("/training/venues").get_data(as_text=True)
    assert venue().name in venues and "Add a venue" not in venues and "/training/venues/" not in venues
    assert manager.get("/training/sessions/new").status_code == 403
    assert manager.get(f"/training/venues/{venue().id}").status_code == 403
    assert manager.get(f"/training/sessions/{session.id}/register").status_code == 403
    coordinator = login_as("coordinator").get("/training/manage").get_data(as_text=True)
    assert "Schedule a session" in coordinator


def test_managers_open_any_volunteers_training_record(login_as):
    volunteer = make_user("volunteer", areas=["Weardale"], name="Rita Recorded")
    make_completion(volunteer, "taster-day", date.today() - timedelta(days=10))
    page = login_as("manager").get(f"/training/people/{volunteer.id}").get_data(as_text=True)
    assert "Rita Recorded" in page and "Taster day" in page


def test_the_manager_nav_has_training_sessions(login_as):
    assert 'href="/training/manage"' in login_as("manager").get("/").get_data(as_text=True)
