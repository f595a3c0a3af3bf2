"""The expenses policy from policy/expenses.toml: mileage rates with dates, claim age, receipts, cost codes."""
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.core.policy import PolicyFileError, current_policy
from app.expenses.rules import Rates

RATE_KEYS = ("car_van_first", "car_van_after", "threshold_miles", "motorcycle", "bicycle", "passenger")
# HMRC's approved amounts: the scheme may pay less, never more (more would be taxable income).
HMRC_LIMITS = {"car_van_first": 45, "car_van_after": 25, "motorcycle": 24, "bicycle": 20, "passenger": 5}


@dataclass(frozen=True)
class Stream:
    """A funding stream an expense belongs to, and the cost code finance books it to."""

    key: str
    label: str
    cost_code: str


@dataclass(frozen=True)
class ExpensesPolicy:
    rates: tuple[Rates, ...]
    age_flag_months: int
    warn_at_miles: int
    receipt_max_bytes: int
    streams: dict[str, Stream]
    default_stream: str
    training_stream: str

    def stream(self, key: str | None) -> Stream:
        """The stream for a key, or the default one for an unknown or missing key."""
        return self.streams.get(key or "", self.streams[self.default_stream])

    def threshold_on(self, on: date) -> int:
        from app.expenses.rules import rates_on

        return rates_on(self.rates, on).threshold_miles


def _whole(value, where: str, path: Path, low: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise PolicyFileError(f"{path}: {where} must be a whole number of {low} or more, not {value!r}")
    return value


def _section(data: dict, name: str, path: Path) -> dict:
    section = data.get(name)
    if not isinstance(section, dict):
        raise PolicyFileError(f"{path}: needs a [{name}] section")
    return section


def _rates(data: dict, path: Path) -> tuple[Rates, ...]:
    blocks = data.get("rates")
    if not isinstance(blocks, list) or not blocks:
        raise PolicyFileError(f"{path}: needs at least one [[rates]] block")
    rates = []
    for n, block in enumerate(blocks, 1):
        starts = block.get("from")
        if not isinstance(starts, date):
            raise PolicyFileError(f"{path}: [[rates]] block {n} needs from = YYYY-MM-DD")
        values = {k: _whole(block.get(k), f"[[rates]] block {n} {k}", path, 1) for k in RATE_KEYS}
        for key, limit in HMRC_LIMITS.items():
            if values[key] > limit:
                raise PolicyFileError(f"{path}: [[rates]] block {n} {key} = {values[key]} is above HMRC's "
                                      f"approved {limit}p a mile; paying more would be taxable income")
        rates.append(Rates(starts_on=starts, **values))
    if len({r.starts_on for r in rates}) != len(rates):
        raise PolicyFileError(f"{path}: two [[rates]] blocks start on the same day")
    return tuple(sorted(rates, key=lambda r: r.starts_on))


def _streams(funding: dict, path: Path) -> dict[str, Stream]:
    streams = funding.get("streams")
    if not isinstance(streams, dict) or not streams:
        raise PolicyFileError(f"{path}: [funding.streams.<name>] needs at least one stream")
    result = {}
    for key, item in streams.items():
        if not isinstance(item, dict) or not item.get("label") or not item.get("cost_code"):
            raise PolicyFileError(f"{path}: [funding.streams.{key}] needs label and cost_code")
        result[key] = Stream(key, str(item["label"]), str(item["cost_code"]))
    for name in ("default_stream", "training_stream"):
        if funding.get(name) not in result:
            raise PolicyFileError(f"{path}: [funding] {name} must name one of the streams: {', '.join(result)}")
    return result


def parse_policy(data: dict, path: Path) -> ExpensesPolicy:
    """Check the parsed TOML and build the policy; every problem names the file and the setting."""
    claims, receipts = _section(data, "claims", path), _section(data, "receipts", path)
    funding = _section(data, "funding", path)
    return ExpensesPolicy(
        rates=_rates(data, path),
        age_flag_months=_whole(claims.get("age_flag_months"), "[claims] age_flag_months", path, 1),
        warn_at_miles=_whole(claims.get("warn_at_miles"), "[claims] warn_at_miles", path, 1),
        receipt_max_bytes=_whole(receipts.get("max_kib"), "[receipts] max_kib", path, 1) * 1024,
        streams=_streams(funding, path),
        default_stream=funding["default_stream"],
        training_stream=funding["training_stream"],
    )


def policy() -> ExpensesPolicy:
    """The expenses policy in force: policy/expenses.toml under POLICY_DIR, re-read when the file changes."""
    return current_policy("expenses.toml", parse_policy)
