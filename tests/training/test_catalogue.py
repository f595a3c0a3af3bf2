"""The course catalogue: the shipped files load, sync is idempotent, and a bad file loads nothing."""
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.training.models import Course, Venue
from app.training.services_catalogue import CatalogueError, read_catalogue, sync_courses, sync_venues

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ["taster-day", "grow-model", "hear-principles", "adult-safeguarding-level-1", "gdpr-induction",
           "roles-and-responsibilities", "mediation", "recovery-coach", "mental-health-awareness"]


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "courses"
    shutil.copytree(ROOT / "courses", target)
    return target


def test_the_shipped_catalogue_loads_every_course():
    added, updated, retired = sync_courses(ROOT / "courses")
    assert (added, updated, retired) == (9, 0, 0)
    courses = {c.code: c for c in db.session.scalars(select(Course))}
    assert sorted(courses) == sorted(SHIPPED)
    safeguarding = courses["adult-safeguarding-level-1"]
    assert safeguarding.validity_months == 36 and safeguarding.accredited and safeguarding.certifies
    assert courses["grow-model"].prerequisites == ["taster-day"]
    assert "SARA" in courses["grow-model"].summary
    assert "Honesty, Empathy, Autonomy and Reflection" in courses["hear-principles"].summary
    gdpr = courses["gdpr-induction"]
    assert gdpr.self_paced and gdpr.check["pass_mark"] == 80 and len(gdpr.lessons) == 4
    assert all(0 <= q["answer"] < len(q["options"]) for q in gdpr.check["questions"])


def test_sync_is_idempotent_and_updates_changed_files(folder):
    sync_courses(folder)
    assert sync_courses(folder) == (0, 0, 0)
    path = folder / "mediation.toml"
    path.write_text(path.read_text().replace("default_capacity = 12", "default_capacity = 10"))
    assert sync_courses(folder) == (0, 1, 0)
    assert db.session.scalar(select(Course.default_capacity).where(Course.code == "mediation")) == 10
    assert db.session.scalar(select(func.count(Course.id))) == 9


def test_a_removed_file_retires_the_course_without_deleting_it(folder):
    sync_courses(folder)
    (folder / "mediation.toml").unlink()
    assert sync_courses(folder) == (0, 0, 1)
    assert db.session.scalar(select(Course.active).where(Course.code == "mediation")) is False


def _break(folder, name, old, new):
    path = folder / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize("name, old, new, field, problem", [
    ("mediation.toml", 'title = "Mediation skills for neighbour disputes"\n', "", "title", "is missing"),
    ("mediation.toml", "default_capacity = 12", "default_capacity = 0", "default_capacity", "must be more than 0"),
    ("mediation.toml", "default_capacity = 12", 'default_capacity = "twelve"', "default_capacity", "whole number"),
    ("mediation.toml", 'delivery = ["face_to_face"]', 'delivery = ["carrier_pigeon"]', "delivery", "carrier_pigeon"),
    ("mediation.toml", 'prerequisites = ["grow-model"]', 'prerequisites = ["grow"]', "prerequisites", "grow"),
    ("mediation.toml", 'code = "mediation"', 'code = "mediate"', "code", "must match"),
    ("gdpr-induction.toml", "pass_mark = 80", "pass_mark = 180", "online.check.pass_mark", "1 to 100"),
    ("gdpr-induction.toml", "answer = 2", "answer = 7", "online.check.questions[2].answer", "1 to 3"),
    ("mediation.toml", "certifies = true", "certifies = yes", "file", "not valid TOML"),
])
def test_a_bad_file_is_refused_naming_file_field_and_problem(folder, name, old, new, field, problem):
    _break(folder, name, old, new)
    with pytest.raises(CatalogueError) as caught:
        read_catalogue(folder)
    assert caught.value.path.name == name
    assert caught.value.field == field
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"{name}: {field}: ")


def test_nothing_is_half_loaded(folder, app):
    """A bad file anywhere means no course is added or changed, even ones earlier in the folder."""
    sync_courses(folder)
    db.session.commit()
    _break(folder, "adult-safeguarding-level-1.toml", "validity_months = 36", "validity_months = 24")
    _break(folder, "taster-day.toml", "default_capacity = 16", "default_capacity = -1")
    with pytest.raises(CatalogueError):
        sync_courses(folder)
    db.session.rollback()
    assert db.session.scalar(select(Course.validity_months).where(Course.code == "adult-safeguarding-level-1")) == 36


def test_the_cli_reports_the_bad_file_and_loads_nothing(folder, app):
    _break(folder, "hear-principles.toml", "duration_minutes = 180", "duration_minutes = -5")
    runner = app.test_cli_runner()
    app.config["COURSES_DIR"] = str(folder)
    try:
        result = runner.invoke(args=["courses", "sync"])
    finally:
        app.config["COURSES_DIR"] = str(ROOT / "courses")
    assert result.exit_code != 0
    assert "Nothing was loaded. hear-principles.toml: duration_minutes: must be more than 0" in result.output
    assert db.session.scalar(select(func.count(Course.id))) == 0


def test_the_cli_loads_courses_and_venues_twice_without_duplicates(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["courses", "sync"])
    assert "courses: 9 added" in first.output and "venues: 7 added" in first.output
    second = runner.invoke(args=["courses", "sync"])
    assert "courses: 0 added, 0 updated, 0 retired; venues: 0 added" in second.output


def test_venues_keep_coordinators_edits_and_refuse_unknown_areas(tmp_path):
    sync_venues(ROOT / "policy" / "venues.toml")
    hub = db.session.scalar(select(Venue).where(Venue.name == "Darlington Community Hub"))
    hub.access_notes = "Changed by a coordinator"
    assert sync_venues(ROOT / "policy" / "venues.toml") == 0
    assert hub.access_notes == "Changed by a coordinator"
    bad = tmp_path / "venues.toml"
    bad.write_text('[[venue]]\nname = "Somewhere"\naddress = "1 Road"\narea = "Narnia"\n')
    with pytest.raises(CatalogueError, match=r"venue\[1\]\.area: 'Narnia' is not one of the scheme's areas"):
        sync_venues(bad)


def test_demo_sessions_are_scheduled_once(app):
    from tests.factories import make_user

    sync_courses(ROOT / "courses")
    sync_venues(ROOT / "policy" / "venues.toml")
    make_user("trainer", email="trainer@example.org")
    runner = app.test_cli_runner()
    assert "6 demo sessions scheduled" in runner.invoke(args=["training", "seed-demo"]).output
    assert "0 demo sessions scheduled" in runner.invoke(args=["training", "seed-demo"]).output
