"""The privacy notice's retention table follows policy/retention.toml, and links people to their data."""
import shutil
from pathlib import Path

POLICY = Path(__file__).resolve().parents[2] / "policy"


def test_the_notice_states_every_period_from_the_retention_file(client, app, tmp_path):
    page = client.get("/privacy").get_data(as_text=True)
    assert "removed 6 years after you leave" in page
    assert "Deleted 6 years after the end of the tax year (5 April)" in page
    assert "7 years, then the oldest entries are removed" in page
    assert 'href="/account/your-data"' in page

    for name in POLICY.glob("*.toml"):
        shutil.copy(name, tmp_path / name.name)
    text = (tmp_path / "retention.toml").read_text()
    (tmp_path / "retention.toml").write_text(
        text.replace("years = 6\n", "years = 4\n", 1).replace("years = 7", "years = 9"))  # the first: [leavers]
    old, app.config["POLICY_DIR"] = app.config["POLICY_DIR"], str(tmp_path)
    try:
        page = client.get("/privacy").get_data(as_text=True)
    finally:
        app.config["POLICY_DIR"] = old
    assert "removed 4 years after you leave" in page and "9 years, then the oldest entries are removed" in page
    assert "Deleted 6 years after the end of the tax year" in page
