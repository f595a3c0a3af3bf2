"""Policy files: read from POLICY_DIR, errors name the file, and an edited file takes effect without a restart."""
import os
import shutil
from pathlib import Path

import pytest

from app.core.policy import PolicyFileError, current_policy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def policy_dir(app, tmp_path, monkeypatch):
    for name in ("applications.toml", "training.toml", "vetting.toml", "areas.toml"):
        shutil.copy(ROOT / "policy" / name, tmp_path / name)
    monkeypatch.setitem(app.config, "POLICY_DIR", str(tmp_path))
    return tmp_path


def _touch_later(path: Path) -> None:
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 5))


def test_an_edited_policy_file_is_read_again(policy_dir):
    path = policy_dir / "sample.toml"
    path.write_text("value = 1\n")
    assert current_policy("sample.toml", lambda data, p: data["value"]) == 1
    path.write_text("value = 2\n")
    _touch_later(path)
    assert current_policy("sample.toml", lambda data, p: data["value"]) == 2


@pytest.mark.parametrize("content", [None, "not = [valid"])
def test_a_missing_or_broken_file_is_named(policy_dir, content):
    if content is not None:
        (policy_dir / "broken.toml").write_text(content)
    with pytest.raises(PolicyFileError, match="broken.toml"):
        current_policy("broken.toml", lambda data, p: data)


def test_every_domain_reads_its_policy_from_policy_dir(policy_dir):
    from app.applications.rules import policy as applications_policy
    from app.training.services import policy as training_policy
    from app.vetting.policy import current_policy as vetting_policy

    for name, old, new in [("applications.toml", "minimum_age = 18", "minimum_age = 21"),
                           ("training.toml", "opens_minutes_before_start = 30", "opens_minutes_before_start = 45"),
                           ("vetting.toml", "disclosure_note_months = 6", "disclosure_note_months = 4")]:
        path = policy_dir / name
        assert old in path.read_text(), f"{name} no longer says {old!r}"
        path.write_text(path.read_text().replace(old, new))
        _touch_later(path)
    assert applications_policy().minimum_age == 21
    assert training_policy().opens_before.total_seconds() == 45 * 60
    assert vetting_policy().note_retention_months == 4


def test_application_choices_follow_an_edited_policy(policy_dir, login_as):
    path = policy_dir / "applications.toml"
    text = path.read_text()
    assert 'label = "Weekday daytimes"' in text
    path.write_text(text.replace('label = "Weekday daytimes"', 'label = "Daytimes, Monday to Friday"'))
    _touch_later(path)
    client = login_as("applicant")
    page = client.get("/apply/where-and-when").get_data(as_text=True)
    assert "Daytimes, Monday to Friday" in page and "Weekday daytimes" not in page
