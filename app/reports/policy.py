"""The reports policy from policy/reports.toml: the small-number rule and the dashboard's windows."""
from dataclasses import dataclass
from pathlib import Path

from app.core.policy import PolicyFileError, current_policy


@dataclass(frozen=True)
class ReportsPolicy:
    threshold: int            # counts of people below this are shown as "fewer than {threshold}"
    suppress_zero: bool       # whether 0 is suppressed too
    lapse_windows: tuple[int, ...]
    default_months: int
    max_months: int
    per_page: int
    fresh_minutes: int = 10   # the dashboard's panels are worked out again when older than this


def _whole(value, where: str, path: Path, least: int = 1) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise PolicyFileError(f"{path}: {where} must be a whole number of at least {least}")
    return value


def parse_policy(data: dict, path: Path) -> ReportsPolicy:
    small, dashboard = data.get("small_numbers", {}), data.get("dashboard", {})
    suppress_zero = small.get("suppress_zero", False)
    if not isinstance(suppress_zero, bool):
        raise PolicyFileError(f"{path}: [small_numbers] suppress_zero must be true or false")
    windows = dashboard.get("lapse_windows", [30, 60, 90])
    if not isinstance(windows, list) or not windows:
        raise PolicyFileError(f"{path}: [dashboard] lapse_windows must be a list of days")
    return ReportsPolicy(
        threshold=_whole(small.get("threshold"), "[small_numbers] threshold", path),
        suppress_zero=suppress_zero,
        lapse_windows=tuple(sorted(_whole(w, "[dashboard] lapse_windows", path) for w in windows)),
        default_months=_whole(dashboard.get("default_months", 12), "[dashboard] default_months", path),
        max_months=_whole(dashboard.get("max_months", 36), "[dashboard] max_months", path),
        per_page=_whole(dashboard.get("per_page", 25), "[dashboard] per_page", path),
        fresh_minutes=_whole(dashboard.get("fresh_minutes", 10), "[dashboard] fresh_minutes", path),
    )


def policy() -> ReportsPolicy:
    """The reports policy in force: policy/reports.toml under POLICY_DIR, re-read when the file changes."""
    return current_policy("reports.toml", parse_policy)
