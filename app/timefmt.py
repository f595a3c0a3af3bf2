"""Dates and times shown in Europe/London; stored in UTC."""
from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def to_london(value: datetime) -> datetime:
    """Convert an aware datetime to UK local time."""
    return value.astimezone(LONDON)


def london_to_utc(day: date, at: time) -> datetime:
    """The UTC instant of a UK wall-clock time on a given day (GMT or BST as it falls)."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


def today_london() -> date:
    """Today's date in the UK."""
    return datetime.now(UTC).astimezone(LONDON).date()


@lru_cache(maxsize=8192)  # the readiness rules word the same few thousand days for every volunteer
def format_date(value) -> str:
    """'21 November 2026' (no leading zero), as GOV.UK style asks."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_london(value).date()
    return f"{value.day} {value:%B %Y}"


def format_datetime(value: datetime | None) -> str:
    """'21 November 2026 at 2:30pm' in UK time."""
    if value is None:
        return ""
    local = to_london(value)
    hour = local.hour % 12 or 12
    minutes = "" if local.minute == 0 else f":{local.minute:02d}"
    suffix = "am" if local.hour < 12 else "pm"
    if local.hour == 12 and local.minute == 0:
        return f"{format_date(local.date())} at midday"
    return f"{format_date(local.date())} at {hour}{minutes}{suffix}"


def format_time(value: datetime | None) -> str:
    """'2:30pm' in UK time."""
    if value is None:
        return ""
    return format_datetime(value).split(" at ", 1)[1]
