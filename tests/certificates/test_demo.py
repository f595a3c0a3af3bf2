"""`make run` leaves volunteer@example.org with an issued certificate, once."""
from pathlib import Path

from app.certificates import queries
from app.training.services_catalogue import sync_courses, sync_venues
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_volunteer_holds_a_verifiable_certificate(app, client):
    sync_courses(ROOT / "courses")
    sync_venues(ROOT / "policy" / "venues.toml")
    make_user("trainer", email="trainer@example.org", name="Terry Trainer")
    volunteer = make_user("volunteer", email="volunteer@example.org", name="Val Volunteer")
    runner = app.test_cli_runner()
    assert "holds a certificate" in runner.invoke(args=["training", "seed-demo"]).output
    assert "holds a certificate" not in runner.invoke(args=["training", "seed-demo"]).output
    (certificate,) = queries.certificates_of(volunteer)
    assert certificate.live and certificate.trainer_names == "Terry Trainer"
    page = client.get(f"/certificates/verify/{queries.code_of(certificate)}")
    assert "Valid" in page.text and "Val Volunteer" in page.text
