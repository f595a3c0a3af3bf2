"""Training policy from policy/training.toml: register windows and the recertification window."""
import re
from pathlib import Path

from app.core.policy import PolicyFileError, current_policy, read_policy_file
from app.training import rules


def policy() -> rules.TrainingPolicy:
    """The training policy from policy/training.toml (re-read when the file changes)."""
    return current_policy("training.toml", rules.parse_policy)


# Course files state some of the scheme's rules ("claim within 3 months"). Rather than copy a number that the
# scheme can change in its policy files, a course's text says {policy:FILE.KEY...}: the value in force now.
POLICY_WORD = re.compile(r"\{policy:([a-z_]+)\.([A-Za-z0-9_.]+)\}")


def _lookup(file: str, dotted: str):
    from flask import current_app

    value = read_policy_file(Path(current_app.config["POLICY_DIR"]) / f"{file}.toml")
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(f"{file}.toml has no {dotted}")
        value = value[part]
    if isinstance(value, (dict, list)):
        raise KeyError(f"{file}.toml {dotted} is not a single value")
    return value


def policy_words(text: str) -> str:
    """Course text with each {policy:...} replaced by the value the policy file holds now."""
    return POLICY_WORD.sub(lambda m: str(_lookup(m.group(1), m.group(2))), text or "")


def unknown_policy_words(text: str) -> list[str]:
    """The {policy:...} references in a course's text that no policy file holds (for `flask courses sync`)."""
    missing = []
    for m in POLICY_WORD.finditer(text or ""):
        try:
            _lookup(m.group(1), m.group(2))
        except (KeyError, PolicyFileError):
            missing.append(m.group(0))
    return missing
