"""policy/readiness.toml: the shipped file loads; a file without DBS, police vetting or safeguarding is refused."""
import shutil
import tomllib
from pathlib import Path

import pytest

from app.core.policy import PolicyFileError
from app.readiness.policy import load_policy, parse_policy

SHIPPED = Path(__file__).resolve().parents[2] / "policy" / "readiness.toml"


def data() -> dict:
    return tomllib.loads(SHIPPED.read_text())


def test_the_shipped_policy_has_every_gate_the_issue_names_in_order():
    policy = load_policy(SHIPPED)
    assert policy.codes == ["application", "references", "identity", "self-declaration", "dbs", "police-vetting",
                            "taster-day", "safeguarding", "grow", "hear", "gdpr", "roles", "agreement", "induction",
                            "emergency-contact"]
    assert policy.agreement_version == 1 and "Volunteer agreement" in policy.agreement_text()
    assert policy.gate("safeguarding").expiring_days == 60 and policy.warning_days == (60, 30, 7)


def test_course_codes_in_the_policy_are_real_courses():
    courses = {p.stem for p in (SHIPPED.parent.parent / "courses").glob("*.toml")}
    assert {g.course for g in load_policy(SHIPPED).gates if g.course} <= courses


@pytest.mark.parametrize("drop, words", [
    (lambda g: g["rule"] == "dbs", "a DBS gate"),
    (lambda g: g["rule"] == "police_vetting", "a police vetting gate"),
    (lambda g: g.get("course") == "adult-safeguarding-level-1", "an adult safeguarding gate"),
])
def test_a_file_without_a_required_gate_is_refused(drop, words):
    changed = data()
    changed["gate"] = [g for g in changed["gate"] if not drop(g)]
    with pytest.raises(PolicyFileError, match=words):
        parse_policy(changed, SHIPPED)


def test_training_gates_can_be_dropped_or_added():
    changed = data()
    changed["gate"] = [g for g in changed["gate"] if g["code"] != "hear"] + [
        {"code": "mediation", "rule": "course", "course": "mediation", "volunteer": "Mediation", "staff": "Mediation"}]
    policy = parse_policy(changed, SHIPPED)
    assert "hear" not in policy.codes and policy.codes[-1] == "mediation"


@pytest.mark.parametrize("change, words", [
    (lambda d: d["gate"].append(dict(d["gate"][0])), "each gate code may be used once"),
    (lambda d: d["gate"][0].update(rule="magic"), "use one of"),
    (lambda d: d["gate"][0].update(code="Not A Code"), "lower-case letters"),
    (lambda d: d["gate"][6].pop("course"), "needs course"),
    (lambda d: d["gate"][0].update(expiring_days=-1), "whole number"),
    (lambda d: d["gate"][0].pop("staff"), "needs staff"),
    (lambda d: d["agreement"].update(file="agreements/missing.md"), "is not a file"),
    (lambda d: d["agreement"].update(version=0), "version"),
    (lambda d: d.pop("gate"), r"\[\[gate\]\]"),
])
def test_mistakes_are_refused_with_the_file_and_setting_named(change, words):
    changed = data()
    change(changed)
    with pytest.raises(PolicyFileError, match=words) as info:
        parse_policy(changed, SHIPPED)
    assert str(SHIPPED) in str(info.value)


def test_a_new_agreement_version_is_read_when_the_file_changes(app, tmp_path):
    for name in ("readiness.toml", "vetting.toml", "areas.toml", "applications.toml", "training.toml", "venues.toml"):
        shutil.copy(SHIPPED.parent / name, tmp_path / name)
    shutil.copytree(SHIPPED.parent / "agreements", tmp_path / "agreements")
    (tmp_path / "agreements" / "volunteer-agreement-v2.md").write_text("# Volunteer agreement (version 2)\n")
    text = (tmp_path / "readiness.toml").read_text().replace("version = 1", "version = 2").replace("-v1.md", "-v2.md")
    (tmp_path / "readiness.toml").write_text(text)
    from app.readiness.policy import current_policy

    app.config["POLICY_DIR"], saved = str(tmp_path), app.config["POLICY_DIR"]
    try:
        assert current_policy().agreement_version == 2
    finally:
        app.config["POLICY_DIR"] = saved
