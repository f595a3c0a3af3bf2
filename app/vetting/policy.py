"""The vetting policy the scheme sets, read from policy/vetting.toml and checked before use."""
import re
from dataclasses import dataclass
from pathlib import Path

from app.core import policy as policy_files
from app.core.policy import PolicyFileError, read_policy_file
from app.vetting.enums import DbsLevel, NppvLevel, Workforce

RECHECK_MODES = ("period", "update_service")
CONDITION_CODE = re.compile(r"[a-z0-9_]{1,40}")


@dataclass(frozen=True)
class VettingPolicy:
    """Everything the vetting rules need to know about the scheme's choices."""

    dbs_level: DbsLevel = DbsLevel.ENHANCED
    dbs_workforce: Workforce = Workforce.ADULT
    recheck: str = "period"
    recheck_years: int = 3
    status_check_months: int = 12
    nppv_level: NppvLevel = NppvLevel.NPPV2_ABBREVIATED
    nppv_validity_years: int = 3
    # Per level, set by the force: (level, years). A level not listed uses nppv_validity_years.
    nppv_validity_by_level: tuple[tuple[NppvLevel, int], ...] = ()
    # An annual (or other) review of each clearance, reminded before it is due; None for none.
    nppv_review_months: int | None = None
    reminder_days: tuple[int, ...] = (90, 60, 30)
    note_retention_months: int = 6
    # A manager (not the approver) confirms every approval of a check that disclosed information.
    confirm_disclosed_approvals: bool = True
    # Conditions an approval may carry: (code, label) pairs. Codes reveal nothing of a disclosure.
    conditions: tuple[tuple[str, str], ...] = ()
    # The scheme's published policy on recruiting people with criminal records, linked from the self-declaration.
    criminal_records_policy_url: str = ""

    @property
    def uses_update_service(self) -> bool:
        return self.recheck == "update_service"

    @property
    def condition_labels(self) -> dict[str, str]:
        return dict(self.conditions)

    def nppv_years(self, level: NppvLevel) -> int:
        """How long the force's clearance at this level lasts."""
        return dict(self.nppv_validity_by_level).get(level, self.nppv_validity_years)


def _get(data: dict, section: str, key: str, path: Path):
    try:
        return data[section][key]
    except (KeyError, TypeError):
        raise PolicyFileError(f"{path}: [{section}] needs {key} = ...") from None


def _choice(enum_cls, value, where: str, path: Path):
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(m.value for m in enum_cls)
        raise PolicyFileError(f"{path}: {where} is {value!r}; use one of {allowed}") from None


def _positive(value, where: str, path: Path) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise PolicyFileError(f"{path}: {where} must be a whole number of 1 or more, not {value!r}")
    return value


def _flag(data: dict, section: str, key: str, default: bool, path: Path) -> bool:
    value = data.get(section, {}).get(key, default)
    if not isinstance(value, bool):
        raise PolicyFileError(f"{path}: [{section}] {key} must be true or false, not {value!r}")
    return value


def _conditions(data: dict, path: Path) -> tuple[tuple[str, str], ...]:
    table = data.get("conditions", {})
    if not isinstance(table, dict):
        raise PolicyFileError(f"{path}: [conditions] must be a table of code = \"label\" lines")
    for code, label in table.items():
        if not CONDITION_CODE.fullmatch(code) or not isinstance(label, str) or not label.strip():
            raise PolicyFileError(f"{path}: [conditions] {code} needs a code of lower-case letters, digits and "
                                  "underscores (up to 40) and a label in quotes")
    return tuple((code, label.strip()) for code, label in table.items())


def _nppv_validity(data: dict, path: Path) -> tuple[int, tuple[tuple[NppvLevel, int], ...]]:
    """[nppv] validity_years: one number for every level, or a table of years by level."""
    value = _get(data, "nppv", "validity_years", path)
    if not isinstance(value, dict):
        return _positive(value, "[nppv] validity_years", path), ()
    by_level = tuple((_choice(NppvLevel, level, "[nppv] validity_years", path),
                      _positive(years, f"[nppv] validity_years.{level}", path)) for level, years in value.items())
    missing = [lvl.value for lvl in NppvLevel if lvl not in dict(by_level)]
    if missing:
        raise PolicyFileError(f"{path}: [nppv] validity_years needs a number of years for {', '.join(missing)}")
    return max(years for _, years in by_level), by_level


def _url(value, path: Path) -> str:
    if not isinstance(value, str) or (value and not value.startswith(("https://", "http://", "/"))):
        raise PolicyFileError(f"{path}: [self_declaration] policy_url must be a web address, like \"https://...\"")
    return value


def parse_policy(data: dict, path: Path) -> VettingPolicy:
    """Check the parsed TOML and build the policy; every problem names the file and the setting."""
    recheck = _get(data, "dbs", "recheck", path)
    if recheck not in RECHECK_MODES:
        raise PolicyFileError(f"{path}: [dbs] recheck is {recheck!r}; use \"period\" or \"update_service\"")
    leads = _get(data, "reminders", "lead_days", path)
    if not isinstance(leads, list) or not leads:
        raise PolicyFileError(f"{path}: [reminders] lead_days must be a list of days, like [90, 60, 30]")
    nppv_years, nppv_by_level = _nppv_validity(data, path)
    return VettingPolicy(
        dbs_level=_choice(DbsLevel, _get(data, "dbs", "required_level", path), "[dbs] required_level", path),
        dbs_workforce=_choice(Workforce, _get(data, "dbs", "workforce", path), "[dbs] workforce", path),
        recheck=recheck,
        recheck_years=_positive(_get(data, "dbs", "recheck_years", path), "[dbs] recheck_years", path),
        status_check_months=_positive(_get(data, "dbs", "status_check_months", path), "[dbs] status_check_months", path),
        nppv_level=_choice(NppvLevel, _get(data, "nppv", "required_level", path), "[nppv] required_level", path),
        nppv_validity_years=nppv_years,
        nppv_validity_by_level=nppv_by_level,
        nppv_review_months=(None if data.get("nppv", {}).get("review_months") is None else
                            _positive(data["nppv"]["review_months"], "[nppv] review_months", path)),
        reminder_days=tuple(sorted({_positive(d, "[reminders] lead_days", path) for d in leads}, reverse=True)),
        note_retention_months=_positive(_get(data, "retention", "disclosure_note_months", path),
                                        "[retention] disclosure_note_months", path),
        confirm_disclosed_approvals=_flag(data, "dbs", "confirm_disclosed_approvals", True, path),
        conditions=_conditions(data, path),
        criminal_records_policy_url=_url(data.get("self_declaration", {}).get("policy_url", ""), path),
    )


def load_policy(path: Path) -> VettingPolicy:
    """Read and check a vetting policy file."""
    return parse_policy(read_policy_file(path), Path(path))


def current_policy() -> VettingPolicy:
    """The policy in force: policy/vetting.toml under POLICY_DIR, re-read when the file changes."""
    return policy_files.current_policy("vetting.toml", parse_policy)
