"""What certifying needs from the course files: accrediting body and number, hours and version, checked."""
import shutil
from pathlib import Path

import pytest

from app.training.services_catalogue import CatalogueError, read_catalogue, read_course_file

ROOT = Path(__file__).resolve().parents[2]
SAFEGUARDING = "adult-safeguarding-level-1.toml"


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "courses"
    shutil.copytree(ROOT / "courses", target)
    return target


def _edit(folder, name, old, new):
    path = folder / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_the_shipped_files_carry_what_certificates_print(folder):
    courses = {c["code"]: c for c in read_catalogue(folder)}
    safeguarding = courses["adult-safeguarding-level-1"]
    assert safeguarding["accrediting_body"] == "Example Safeguarding Accreditation Board"
    assert safeguarding["accreditation_number"] == "ESAB-L1-0001"
    assert safeguarding["learning_minutes"] == 360 and safeguarding["course_version"] == "2026.1"
    grow = courses["grow-model"]
    assert (grow["accrediting_body"], grow["learning_minutes"], grow["course_version"]) == (None, None, "1")


@pytest.mark.parametrize("old, new, field, problem", [
    ('accrediting_body = "Example Safeguarding Accreditation Board"\n', "", "accrediting_body", "is missing"),
    ('accreditation_number = "ESAB-L1-0001"\n', "", "accreditation_number", "is missing"),
    ("accredited = true", "accredited = false", "accredited", "must be true"),
    ("hours = 6", "hours = 0", "hours", "0.25 to 1000"),
    ("hours = 6", 'hours = "six"', "hours", "0.25 to 1000"),
    ("hours = 6", "hours = 0.1", "hours", "0.25 to 1000"),
    ("hours = 6", "hours = true", "hours", "0.25 to 1000"),
    ('version = "2026.1"', 'version = ""', "version", "must not be empty"),
    ('version = "2026.1"', "version = " + '"' + "v" * 41 + '"', "version", "40 characters or fewer"),
    ('accreditation_number = "ESAB-L1-0001"', "accreditation_number = 12", "accreditation_number", "must be text"),
])
def test_bad_certificate_fields_are_refused_naming_the_field(folder, old, new, field, problem):
    _edit(folder, SAFEGUARDING, old, new)
    with pytest.raises(CatalogueError) as caught:
        read_course_file(folder / SAFEGUARDING)
    assert (caught.value.field, caught.value.path.name) == (field, SAFEGUARDING)
    assert problem in caught.value.problem


def test_hours_may_be_fractional(folder):
    _edit(folder, SAFEGUARDING, "hours = 6", "hours = 3.5")
    assert read_course_file(folder / SAFEGUARDING)["learning_minutes"] == 210
