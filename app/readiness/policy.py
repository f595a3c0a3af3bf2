"""The readiness gates the scheme sets, read from policy/readiness.toml and checked before use."""
import re
from dataclasses import dataclass
from pathlib import Path

from app.core import policy as policy_files
from app.core.policy import PolicyFileError, read_policy_file

RULES = ("application", "references", "identity", "self_declaration", "dbs", "police_vetting", "course",
         "agreement", "induction", "emergency_contact")
SAFEGUARDING_COURSE = "adult-safeguarding-level-1"
CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


@dataclass(frozen=True)
class Gate:
    """One gate: its code, the rule that decides it, its parameters and its words."""

    code: str
    rule: str
    volunteer: str
    staff: str
    expiring_days: int = 0
    course: str | None = None
    count: int = 2


@dataclass(frozen=True)
class ReadinessPolicy:
    gates: tuple[Gate, ...]
    agreement_version: int
    agreement_file: Path
    warning_days: tuple[int, ...] = (60, 30, 7)
    probation_months: int = 3
    max_active_clients: int = 3
    support_needs: tuple[tuple[str, str], ...] = ()  # (code, words), in the file's order
    # Approval-condition codes (policy/vetting.toml [conditions]) and the support-need tags each rules out.
    conditions_rule_out: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def gate(self, code: str) -> Gate | None:
        return next((g for g in self.gates if g.code == code), None)

    @property
    def codes(self) -> list[str]:
        return [g.code for g in self.gates]

    def agreement_text(self) -> str:
        return self.agreement_file.read_text(encoding="utf-8")


def _whole(value, where: str, path: Path, least: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise PolicyFileError(f"{path}: {where} must be a whole number of {least} or more, not {value!r}")
    return value


def _text(entry: dict, key: str, where: str, path: Path) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > 120:
        raise PolicyFileError(f"{path}: {where} needs {key} = \"...\" (1 to 120 characters)")
    return value.strip()


def parse_gate(entry: dict, n: int, path: Path) -> Gate:
    """One [[gate]] table, checked."""
    where = f"gate {n}"
    if not isinstance(entry, dict):
        raise PolicyFileError(f"{path}: {where} must be a table")
    code = entry.get("code")
    if not isinstance(code, str) or not CODE.fullmatch(code):
        raise PolicyFileError(f"{path}: {where} needs code = \"...\" (lower-case letters, digits and hyphens)")
    rule = entry.get("rule")
    if rule not in RULES:
        raise PolicyFileError(f"{path}: gate {code!r} has rule {rule!r}; use one of {', '.join(RULES)}")
    course = entry.get("course")
    if rule == "course" and (not isinstance(course, str) or not CODE.fullmatch(course)):
        raise PolicyFileError(f"{path}: gate {code!r} needs course = \"<course code>\"")
    return Gate(code=code, rule=rule, volunteer=_text(entry, "volunteer", f"gate {code!r}", path),
                staff=_text(entry, "staff", f"gate {code!r}", path),
                expiring_days=_whole(entry.get("expiring_days", 0), f"gate {code!r} expiring_days", path),
                course=course if rule == "course" else None,
                count=_whole(entry.get("count", 2), f"gate {code!r} count", path, least=1))


def parse_policy(data: dict, path: Path) -> ReadinessPolicy:
    """Check the parsed TOML and build the policy; refuse a file without DBS, police vetting and safeguarding."""
    path = Path(path)
    entries = data.get("gate")
    if not isinstance(entries, list) or not entries:
        raise PolicyFileError(f"{path}: list the gates as [[gate]] tables")
    gates = tuple(parse_gate(entry, n, path) for n, entry in enumerate(entries, 1))
    codes = [g.code for g in gates]
    if len(set(codes)) != len(codes):
        raise PolicyFileError(f"{path}: each gate code may be used once; repeated: "
                              f"{', '.join(sorted({c for c in codes if codes.count(c) > 1}))}")
    rules = {g.rule for g in gates}
    missing = [what for what, present in (("a DBS gate (rule = \"dbs\")", "dbs" in rules),
                                          ("a police vetting gate (rule = \"police_vetting\")", "police_vetting" in rules),
                                          (f"an adult safeguarding gate (rule = \"course\", course = \"{SAFEGUARDING_COURSE}\")",
                                           any(g.course == SAFEGUARDING_COURSE for g in gates))) if not present]
    if missing:
        raise PolicyFileError(f"{path}: no volunteer meets a client without these gates, so the file must have "
                              + "; ".join(missing))
    agreement = data.get("agreement")
    if not isinstance(agreement, dict):
        raise PolicyFileError(f"{path}: [agreement] needs version = ... and file = \"...\"")
    version = _whole(agreement.get("version"), "[agreement] version", path, least=1)
    file = agreement.get("file")
    agreement_file = path.parent / str(file)
    if not isinstance(file, str) or not agreement_file.is_file():
        raise PolicyFileError(f"{path}: [agreement] file {file!r} is not a file next to readiness.toml")
    leads = data.get("warnings", {}).get("lead_days", [60, 30, 7])
    if not isinstance(leads, list) or not leads:
        raise PolicyFileError(f"{path}: [warnings] lead_days must be a list of days, like [60, 30, 7]")
    pairing = data.get("pairing", {})
    needs = pairing.get("support_needs", {})
    if not isinstance(needs, dict) or not all(isinstance(k, str) and CODE.fullmatch(k) and isinstance(v, str) and v
                                              for k, v in needs.items()):
        raise PolicyFileError(f"{path}: [pairing.support_needs] lists tags as code = \"words\"")
    rule_out = pairing.get("conditions_rule_out", {})
    if not isinstance(rule_out, dict) or not all(
            isinstance(tags, list) and all(t in needs for t in tags) for tags in rule_out.values()):
        raise PolicyFileError(f"{path}: [pairing.conditions_rule_out] maps a condition code to a list of "
                              "support-need tags from [pairing.support_needs]")
    return ReadinessPolicy(gates=gates, agreement_version=version, agreement_file=agreement_file,
                           warning_days=tuple(sorted({_whole(d, "[warnings] lead_days", path, 1) for d in leads},
                                                     reverse=True)),
                           probation_months=_whole(pairing.get("probation_months", 3), "[pairing] probation_months", path),
                           max_active_clients=_whole(pairing.get("max_active_clients", 3),
                                                     "[pairing] max_active_clients", path, least=1),
                           support_needs=tuple(needs.items()),
                           conditions_rule_out=tuple((c, tuple(t)) for c, t in rule_out.items()))


def load_policy(path: Path | str) -> ReadinessPolicy:
    """Read and check a readiness policy file."""
    return parse_policy(read_policy_file(path), Path(path))


def current_policy() -> ReadinessPolicy:
    """The policy in force: policy/readiness.toml under POLICY_DIR, re-read when the file changes."""
    return policy_files.current_policy("readiness.toml", parse_policy)
