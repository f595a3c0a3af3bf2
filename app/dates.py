"""Date arithmetic every domain shares (recheck periods, course expiry, validity): pure functions."""
import calendar
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the end of a shorter month (31 January + 1 month = 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def last_day_before(add, target: date) -> date:
    """The last day x with add(x) <= target, for a date function that never goes backwards (add_years/months).

    Starts a few days before the naive inverse and steps on, so clamped month ends are counted exactly:
    add_years(29 February 2024, 3) is 28 February 2027, so for that target the answer is 29 February 2024.
    Used to turn "recheck within N years" into a cut-off date an index can compare with.
    """
    day = target
    while add(day) > target:  # a rough start: at most a few years back
        day -= timedelta(days=28 if (add(day) - target).days > 31 else 1)
    while add(day + timedelta(days=1)) <= target:
        day += timedelta(days=1)
    return day
