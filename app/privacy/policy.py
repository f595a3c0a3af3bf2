"""The retention schedule, read from policy/retention.toml and checked before use."""
from dataclasses import dataclass

from app.core import policy as policy_files
from app.core.policy import PolicyFileError


@dataclass(frozen=True)
class RetentionPolicy:
    unsuccessful_months: int  # declined and withdrawn applications
    leaver_years: int
    finance_years: int
    audit_years: int


def _whole(data: dict, section: str, key: str, path) -> int:
    value = data.get(section, {}).get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise PolicyFileError(f"{path}: [{section}] {key} must be a whole number of 1 or more")
    return value


def parse(data: dict, path) -> RetentionPolicy:
    policy = RetentionPolicy(
        unsuccessful_months=_whole(data, "applications", "unsuccessful_months", path),
        leaver_years=_whole(data, "leavers", "years", path),
        finance_years=_whole(data, "finance", "years", path),
        audit_years=_whole(data, "audit", "years", path),
    )
    if policy.audit_years <= max(policy.leaver_years, policy.finance_years):
        raise PolicyFileError(f"{path}: [audit] years must be longer than [leavers] and [finance] years, so the "
                              "trail outlives the records it explains")
    return policy


def current_policy() -> RetentionPolicy:
    """policy/retention.toml, re-read when it changes; PolicyFileError says what is wrong with it."""
    return policy_files.current_policy("retention.toml", parse)
