"""Pure rules for the reports: UK financial quarters and years, the months of a range, the small-number rule and
the percentile method. No I/O.

Choices (documented and tested):
- Funder periods follow the UK financial year, 1 April to 31 March: Q1 is April to June, Q2 July to September,
  Q3 October to December, Q4 January to March. "2026 to 2027" is the year from 1 April 2026.
- Percentiles use the nearest-rank method: the p-th percentile of n values in order is the value at rank
  ceil(p * n / 100), so it is always one of the values seen (the median of 1, 2, 3, 4 is 2).
- The small-number rule: a count of people under the policy's threshold is shown as "fewer than 5" (the
  threshold's words), never the number. Zero is shown as 0 unless the policy suppresses it too.
"""
from dataclasses import dataclass
from datetime import date, timedelta

from app.expenses.rules import pounds as expenses_pounds

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
PERCENTILES = (50, 90)


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """A funder report's period: a financial quarter or a whole financial year (both ends inclusive)."""

    key: str       # "2026-q1", "2026-year"
    start: date
    end: date
    label: str

    @property
    def end_exclusive(self) -> date:
        return self.end + timedelta(days=1)


def financial_year_of(day: date) -> int:
    """The year a financial year starts in: 1 April 2026 to 31 March 2027 is 2026."""
    return day.year if day.month >= 4 else day.year - 1


def _year_words(year: int) -> str:
    return f"{year} to {year + 1}"


def quarter(year: int, number: int) -> Period:
    """Quarter 1 to 4 of the financial year starting in April of `year`."""
    if number not in (1, 2, 3, 4):
        raise ValueError("a quarter is 1 to 4")
    first_month = 4 + 3 * (number - 1)
    start_year = year + (first_month - 1) // 12
    start_month = (first_month - 1) % 12 + 1
    start = date(start_year, start_month, 1)
    after = date(start_year + (start_month + 2) // 12, (start_month + 2) % 12 + 1, 1)
    end = after - timedelta(days=1)
    label = (f"Q{number} {_year_words(year)} ({MONTHS[start.month - 1]} to {MONTHS[end.month - 1]} "
             f"{end.year})")
    return Period(f"{year}-q{number}", start, end, label)


def financial_year(year: int) -> Period:
    return Period(f"{year}-year", date(year, 4, 1), date(year + 1, 3, 31),
                  f"The year {_year_words(year)} (April {year} to March {year + 1})")


def parse_period(key: str) -> Period | None:
    """A period from its key ("2026-q1", "2026-year"); None for anything else."""
    text = (key or "").strip().lower()
    head, _, tail = text.partition("-")
    if not (head.isascii() and head.isdigit() and len(head) == 4) or not 1900 <= int(head) <= 2100:
        return None
    if tail == "year":
        return financial_year(int(head))
    if len(tail) == 2 and tail[0] == "q" and tail[1] in "1234":
        return quarter(int(head), int(tail[1]))
    return None


def periods_to_choose(today: date, years_back: int = 3) -> list[Period]:
    """Every quarter and year from `years_back` financial years ago to the current one, newest first."""
    current = financial_year_of(today)
    found = []
    for year in range(current, current - years_back - 1, -1):
        quarters = [quarter(year, n) for n in (4, 3, 2, 1)]
        found.extend(q for q in quarters if q.start <= today)
        found.append(financial_year(year))
    return found


def current_quarter(today: date) -> Period:
    year = financial_year_of(today)
    return quarter(year, (today.month - 4) % 12 // 3 + 1)


# ---------------------------------------------------------------- months


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def months_between(start: date, end: date) -> list[str]:
    """Every month from start's to end's, as "YYYY-MM" keys (the keys the queries group by)."""
    keys, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def month_label(key: str) -> str:
    """'2026-04' as 'April 2026'."""
    year, month = key.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def month_short(key: str) -> str:
    year, month = key.split("-")
    return f"{MONTHS[int(month) - 1][:3]} {year[2:]}"


def months_back(today: date, months: int) -> date:
    """The first day of the month `months - 1` months before today's (12 months: this month and 11 before)."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


# ---------------------------------------------------------------- the small-number rule


def shown(count: int, threshold: int, suppress_zero: bool = False) -> str:
    """A count of people as it may be shown: "fewer than 5" under the threshold (0 as 0 unless suppressed)."""
    if count == 0 and not suppress_zero:
        return "0"
    if count < threshold:
        return f"fewer than {threshold}"
    return f"{count:,}"


# ---------------------------------------------------------------- percentiles


def nearest_rank(p: int, n: int) -> int:
    """The rank (1-based) of the p-th percentile of n values: ceil(p * n / 100), in whole numbers."""
    return (p * n + 99) // 100


def hours(minutes: int | None) -> str:
    """Minutes as hours with one decimal place ('90' as '1.5')."""
    return f"{(minutes or 0) / 60:,.1f}"


def pounds(pence: int | None) -> str:
    """Money as expenses shows it ('£12.34'); nothing paid is £0.00."""
    return expenses_pounds(pence or 0)
