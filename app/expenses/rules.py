"""The mileage rate engine and the other expenses rules: pure functions of plain values.

HMRC approved mileage allowance payments (kept as data in policy/expenses.toml, with the dates they are in force):
cars and vans 45p a mile for the first 10,000 business miles in a tax year and 25p after, motorcycles 24p,
bicycles 20p, and 5p per fellow-volunteer passenger per mile in a car or van. The rates are upper limits, so
every amount is rounded down, line by line, and never comes to more than the miles times the rate.

The 10,000 miles count car and van miles only (motorcycles and bicycles have one rate), in the tax year of the
journey's date, plus the miles the volunteer declares they drove for other organisations. Passenger miles do not
count. A journey that crosses the threshold is split between the two rates.
"""
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal, InvalidOperation


class Vehicle(enum.StrEnum):
    CAR = "car"
    VAN = "van"
    MOTORCYCLE = "motorcycle"
    BICYCLE = "bicycle"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def counts_toward_threshold(self) -> bool:
        """Cars and vans share the 10,000-mile threshold; motorcycles and bicycles have a single rate."""
        return self in (Vehicle.CAR, Vehicle.VAN)

    @property
    def carries_passengers(self) -> bool:
        return self in (Vehicle.CAR, Vehicle.VAN)

    @property
    def needs_licence(self) -> bool:
        """A driver's licence and insurance confirmation is needed for anything with an engine."""
        return self is not Vehicle.BICYCLE


@dataclass(frozen=True)
class Rates:
    """One set of mileage rates, in whole pence per mile, in force from `starts_on`."""

    starts_on: date
    car_van_first: int = 45
    car_van_after: int = 25
    threshold_miles: int = 10000
    motorcycle: int = 24
    bicycle: int = 20
    passenger: int = 5


class Band(enum.StrEnum):
    FIRST = "first"          # cars and vans, up to the threshold
    AFTER = "after"          # cars and vans, past the threshold
    FLAT = "flat"            # motorcycles and bicycles
    PASSENGER = "passenger"  # one line per passenger


@dataclass(frozen=True)
class PricedLine:
    """Part of a journey at one rate: `miles` at `pence_per_mile`, paid `pence` (rounded down)."""

    miles: Decimal
    pence_per_mile: int
    pence: int
    band: Band = Band.FLAT

    def describe(self) -> str:
        """'10 miles at 45p' or '1 passenger for 30 miles at 5p'."""
        if self.band is Band.PASSENGER:
            return f"1 passenger for {format_miles(self.miles)} at {self.pence_per_mile}p"
        return f"{format_miles(self.miles)} at {self.pence_per_mile}p"

    def as_dict(self) -> dict:
        return {"miles": str(self.miles), "pence_per_mile": self.pence_per_mile, "pence": self.pence,
                "band": self.band.value}

    @classmethod
    def from_dict(cls, data: dict) -> "PricedLine":
        return cls(Decimal(data["miles"]), int(data["pence_per_mile"]), int(data["pence"]), Band(data["band"]))


def format_miles(miles: Decimal) -> str:
    """'1 mile', '10 miles', '12.5 miles', '10,000 miles'."""
    text = f"{miles.normalize():,f}" if miles != miles.to_integral_value() else f"{int(miles):,}"
    return f"{text} mile" if miles == 1 else f"{text} miles"


def describe(lines: Iterable[PricedLine]) -> str:
    """The calculation in words, passengers grouped: '10 miles at 45p, 20 miles at 25p, 2 passengers for 30 miles at 5p'."""
    lines = list(lines)
    parts = [line.describe() for line in lines if line.band is not Band.PASSENGER]
    carried = [line for line in lines if line.band is Band.PASSENGER]
    if carried:
        n, miles = len(carried), sum((line.miles for line in carried), Decimal(0)) / len(carried)
        people = "1 passenger" if n == 1 else f"{n} passengers"
        parts.append(f"{people} for {format_miles(miles)} at {carried[0].pence_per_mile}p")
    return ", ".join(parts)


def pence_for(miles: Decimal, pence_per_mile: int) -> int:
    """Whole pence for `miles` at a rate, rounded down: never more than the rate allows."""
    return int((miles * pence_per_mile).to_integral_value(rounding=ROUND_FLOOR))


def as_miles(value, what: str = "miles") -> Decimal:
    """A Decimal number of miles from a Decimal, int or string; ValueError if it is not a number of 0 or more."""
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a number, not {value!r}")
    try:
        miles = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{what} must be a number, not {value!r}") from None
    if not miles.is_finite() or miles < 0:
        raise ValueError(f"{what} must be 0 or more, not {value!r}")
    return miles


def as_vehicle(value) -> Vehicle:
    try:
        return Vehicle(value)
    except ValueError:
        raise ValueError(f"vehicle must be one of {', '.join(v.value for v in Vehicle)}, not {value!r}") from None


def price_journey(rates: Rates, vehicle, miles, passengers: int, miles_before) -> list[PricedLine]:
    """The priced lines of one journey at `rates`, after `miles_before` car and van miles this tax year.

    Passengers are paid as one line each, in cars and vans only (none are paid on a motorcycle or bicycle).
    """
    vehicle, miles, miles_before = as_vehicle(vehicle), as_miles(miles), as_miles(miles_before, "miles_before")
    if isinstance(passengers, bool) or not isinstance(passengers, int) or passengers < 0:
        raise ValueError(f"passengers must be a whole number of 0 or more, not {passengers!r}")
    if miles == 0:
        return []
    if vehicle is Vehicle.MOTORCYCLE:
        lines = [PricedLine(miles, rates.motorcycle, pence_for(miles, rates.motorcycle))]
    elif vehicle is Vehicle.BICYCLE:
        lines = [PricedLine(miles, rates.bicycle, pence_for(miles, rates.bicycle))]
    else:
        first = min(miles, max(Decimal(0), rates.threshold_miles - miles_before))
        after = miles - first
        lines = [PricedLine(part, rate, pence_for(part, rate), band)
                 for part, rate, band in ((first, rates.car_van_first, Band.FIRST),
                                          (after, rates.car_van_after, Band.AFTER)) if part > 0]
    if vehicle.carries_passengers:
        lines += [PricedLine(miles, rates.passenger, pence_for(miles, rates.passenger), Band.PASSENGER)] * passengers
    return lines


def rates_on(schedule: Sequence[Rates], on: date) -> Rates:
    """The set of rates in force on a day: the latest that starts on or before it."""
    in_force = [r for r in schedule if r.starts_on <= on]
    if not in_force:
        raise ValueError(f"no mileage rates are in force on {on.isoformat()}")
    return max(in_force, key=lambda r: r.starts_on)


def mileage_lines(*, vehicle, miles, passengers: int = 0, miles_before=Decimal(0), on: date) -> list[PricedLine]:
    """The contract: a journey priced at the rates in force on `on`, read from policy/expenses.toml.

    Needs an app context (for the policy file); everything else is `price_journey`.
    """
    from app.expenses.policy import policy  # the one read of the outside world

    return price_journey(rates_on(policy().rates, on), vehicle, miles, passengers, miles_before)


def tax_year_of(d: date) -> int:
    """The year a UK tax year starts in (6 April to 5 April): 5 April 2026 -> 2025, 6 April 2026 -> 2026."""
    return d.year if (d.month, d.day) >= (4, 6) else d.year - 1


def tax_year_label(year: int) -> str:
    """2025 -> '2025 to 2026'."""
    return f"{year} to {year + 1}"


def tax_year_bounds(year: int) -> tuple[date, date]:
    """First and last day of the tax year starting in `year`."""
    return date(year, 4, 6), date(year + 1, 4, 5)


# ---------------------------------------------------------------- a tax year's journeys, in order


@dataclass(frozen=True)
class Journey:
    """One mileage line as the year's pricing sees it. `frozen` lines (approved or paid) keep `priced`."""

    id: int
    on: date
    vehicle: Vehicle
    miles: Decimal
    passengers: int = 0
    frozen: bool = False
    priced: tuple[PricedLine, ...] = field(default_factory=tuple)


def threshold_miles_of(journey: Journey) -> Decimal:
    """The miles of a journey that count toward the threshold (cars and vans only; never passengers)."""
    return journey.miles if journey.vehicle.counts_toward_threshold else Decimal(0)


def price_year(journeys: Iterable[Journey], other_miles: Decimal, schedule: Sequence[Rates]) -> dict[int, list[PricedLine]]:
    """New prices for the not-yet-approved journeys of one volunteer's tax year.

    Approved and paid journeys never change, and their miles count first (so a journey claimed late, dated
    before an approved one, can never take the higher rate twice); then the pending journeys in date order
    (ties by id). `other_miles` are car and van miles the volunteer drove for other organisations.
    """
    journeys = list(journeys)
    before = as_miles(other_miles, "other miles") + sum((threshold_miles_of(j) for j in journeys if j.frozen), Decimal(0))
    prices = {}
    for journey in sorted((j for j in journeys if not j.frozen), key=lambda j: (j.on, j.id)):
        prices[journey.id] = price_journey(rates_on(schedule, journey.on), journey.vehicle, journey.miles,
                                           journey.passengers, before)
        before += threshold_miles_of(journey)
    return prices


def year_miles(journeys: Iterable[Journey], other_miles: Decimal = Decimal(0)) -> Decimal:
    """Car and van miles counted toward the threshold in a tax year."""
    return other_miles + sum((threshold_miles_of(j) for j in journeys), Decimal(0))


def near_threshold(miles: Decimal, warn_at: int, threshold: int) -> str | None:
    """A warning when a volunteer's car and van miles this tax year are near or past the threshold."""
    if miles >= threshold:
        return f"{format_miles(miles)} this tax year: past {threshold:,}, so further car and van miles are at the lower rate."
    if miles >= warn_at:
        return f"{format_miles(miles)} this tax year: nearing {threshold:,}, after which the lower rate applies."
    return None


# ---------------------------------------------------------------- claims


def months_before(d: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when it has fewer days)."""
    year, month = divmod(d.year * 12 + d.month - 1 - months, 12)
    month += 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def is_old(oldest: date | None, today: date, months: int) -> bool:
    """True when a claim's oldest item is older than the policy's age: flagged for the approver, not refused."""
    return oldest is not None and oldest < months_before(today, months)


def pounds(pence: int) -> str:
    """1234 -> '£12.34'; -50 -> '-£0.50'."""
    sign = "-" if pence < 0 else ""
    return f"{sign}£{abs(pence) // 100:,}.{abs(pence) % 100:02d}"


def parse_pounds(text: str) -> int | None:
    """'12.34', '£12.34', '12' -> pence; None when it is not an amount of money with at most 2 decimal places."""
    cleaned = (text or "").strip().removeprefix("£").replace(",", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    if not value.is_finite() or value.as_tuple().exponent < -2:
        return None
    return int(value * 100)


# ---------------------------------------------------------------- receipts

# The receipt types accepted, by the type read from the file's content (never its name): MIME -> extension.
RECEIPT_TYPES = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf", "image/heic": "heic",
                 "image/heif": "heic"}


def sniff_receipt(head: bytes) -> str | None:
    """The MIME type of an accepted receipt from its first bytes, or None if it is not one we accept."""
    import filetype  # reads magic numbers only: no I/O

    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else None
    return mime if mime in RECEIPT_TYPES else None


def receipt_problem(head: bytes, size: int, max_bytes: int) -> str | None:
    """Why a file cannot be a receipt (None when it can): empty, too big, or not a photo or PDF by its content."""
    if size == 0:
        return "The selected file is empty"
    if size > max_bytes:
        return f"The selected file must be smaller than {max_bytes // (1024 * 1024) or 1} MB"
    if sniff_receipt(head) is None:
        return "The selected file must be a JPG, PNG, HEIC photo or a PDF"
    return None
