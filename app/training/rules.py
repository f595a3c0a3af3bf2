"""Pure training rules: eligibility, register windows, expiry dates, knowledge-check scores.

Plain functions of plain values, so they are tested exhaustively without a request or a database.
"""
import calendar
import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from app.dates import add_months


@dataclass(frozen=True)
class TrainingPolicy:
    opens_before: timedelta = timedelta(minutes=30)
    closes_after: timedelta = timedelta(hours=48)
    recertify_window: timedelta = timedelta(days=90)
    missed_minutes_allowed: int = 15  # late or leaving early still counts as attending up to this, in all
    missed_minutes_by_course: dict = field(default_factory=dict)
    catch_up_months: int = 6  # a part missed can be made up at a later run within this long of the first part

    def allowance_for(self, course_code: str) -> int:
        """Minutes a person may miss of a session of this course and still have attended it."""
        return int(self.missed_minutes_by_course.get(course_code, self.missed_minutes_allowed))


def load_policy(path: str | Path) -> TrainingPolicy:
    """Read and parse a training policy file."""
    from app.core.policy import read_policy_file

    return parse_policy(read_policy_file(path))


def parse_policy(data: dict, path: Path | None = None) -> TrainingPolicy:
    """The training policy from the parsed policy/training.toml, with defaults for what it leaves out."""
    register, bookings = data.get("register", {}), data.get("bookings", {})
    attendance = data.get("attendance", {})
    return TrainingPolicy(
        opens_before=timedelta(minutes=int(register.get("opens_minutes_before_start", 30))),
        closes_after=timedelta(hours=int(register.get("closes_hours_after_end", 48))),
        recertify_window=timedelta(days=int(bookings.get("recertify_window_days", 90))),
        missed_minutes_allowed=int(attendance.get("missed_minutes_allowed", 15)),
        missed_minutes_by_course={str(k): int(v) for k, v in attendance.get("by_course", {}).items()},
        catch_up_months=int(attendance.get("catch_up_months", 6)),
    )


def part_completions(attended: list[tuple[int, date, int]], parts: int, catch_up_months: int) -> list[tuple[date, int]]:
    """When a course in several parts was completed: (day, id of the attendance that completed it) each time.

    `attended` holds (part, day, attendance id) for every part attended in a way that counts. In date order,
    a completion needs every part attended within `catch_up_months` of the earliest of them; parts used for
    one completion do not count again (a later run starts afresh).
    """
    completions, since = [], {}
    for part, day, ref in sorted(attended, key=lambda a: (a[1], a[2])):
        since = {p: d for p, d in since.items() if add_months(d, catch_up_months) >= day}
        since.setdefault(part, day)
        if len(since) == parts and all(p in since for p in range(1, parts + 1)):
            completions.append((day, ref))
            since = {}
    return completions


def counts_as_attended(attendance: str, minutes_missed: int | None, allowed: int) -> bool:
    """Present counts; late or leaving early counts only when the minutes missed are recorded and within the
    allowance; excused, absent and unmarked never count."""
    if attendance == "present":
        return True
    if attendance in ("late", "left_early"):
        return minutes_missed is not None and 0 <= minutes_missed <= allowed
    return False


def expiry_date(completed_on: date, validity_months: int | None) -> date | None:
    """When a completion stops being current, or None for courses that never expire."""
    return None if validity_months is None else add_months(completed_on, validity_months)


def renewed_expiry(completed_on: date, validity_months: int | None, current_expires: date | None,
                   window: timedelta) -> date | None:
    """When a completion stops being current. A refresher inside the recertification window keeps the cover:
    the new validity runs on from the old expiry (Totara's "use expiry date"), so finishing early never
    shortens it; outside the window (or with nothing current) it runs from the completion."""
    if validity_months is None:
        return None
    if current_expires is not None and current_expires - window <= completed_on < current_expires:
        return add_months(current_expires, validity_months)
    return add_months(completed_on, validity_months)


# ------------------------------------------------------------------ a session's phase


class Phase(enum.Enum):
    """Where a session is in its life; the one answer to "has it started / been cancelled"."""

    UPCOMING = "upcoming"
    STARTED = "started"  # under way or over: no more bookings, cancellations or changes
    CANCELLED = "cancelled"

    @property
    def open_for_booking(self) -> bool:
        return self is Phase.UPCOMING


def session_phase(starts_at: datetime, cancelled: bool, now: datetime) -> Phase:
    """Cancelled, started (at or after its start), or upcoming."""
    if cancelled:
        return Phase.CANCELLED
    return Phase.STARTED if now >= starts_at else Phase.UPCOMING


# ------------------------------------------------------------------ registers

def register_state(starts_at: datetime, ends_at: datetime, now: datetime, policy: TrainingPolicy,
                   closed_at: datetime | None = None) -> str:
    """'not_open' before the window, 'open' during it, 'closed' after it (or once closed)."""
    if closed_at is not None or now >= ends_at + policy.closes_after:
        return "closed"
    if now < starts_at - policy.opens_before:
        return "not_open"
    return "open"


def can_mark(*, is_trainer: bool, is_coordinator: bool, state: str) -> bool:
    """Trainers of the session mark while the register is open; coordinators at any time after it opens."""
    if state == "not_open":
        return False
    if is_coordinator:
        return True
    return is_trainer and state == "open"


# ------------------------------------------------------------------ eligibility

@dataclass(frozen=True)
class Eligibility:
    ok: bool
    reason: str = ""


def booking_eligibility(*, is_volunteer: bool, prerequisites: list[str], prerequisite_titles: dict[str, str],
                        completed_current: dict[str, date | None], completed_ever: set[str], course_code: str,
                        course_expires: bool, session_day: date, overlaps: bool, started: bool, cancelled: bool,
                        policy: TrainingPolicy, is_trainer: bool = False, applicant: str | None = None,
                        open_to_applicants: bool = False, same_course_booked_on: date | None = None) -> Eligibility:
    """Whether a person may book a session, and if not, why (in words they can act on).

    same_course_booked_on: the day of another upcoming session of this course the person already has a place on.

    completed_current maps course codes completed and current on the session day to their expiry (or None).
    applicant is None for someone not applying, else "open" (application sent and not yet decided) or "not_sent".
    """
    if cancelled:
        return Eligibility(False, "This session has been cancelled.")
    if started:
        return Eligibility(False, "This session has already started.")
    if is_trainer:
        return Eligibility(False, "You are a trainer on this session, so you do not need to book a place.")
    if not is_volunteer and not (verdict := _applicant_eligibility(applicant, open_to_applicants)).ok:
        return verdict
    missing = [code for code in prerequisites if code not in completed_current]
    if missing:
        names = " and ".join(prerequisite_titles.get(code, code) for code in missing)
        return Eligibility(False, f"You need to complete {names} before you can book this course.")
    if course_code in completed_ever and not course_expires:
        return Eligibility(False, "You have already completed this course.")
    if course_expires and course_code in completed_current:
        expires = completed_current[course_code]
        if expires is not None and session_day < expires - policy.recertify_window:
            return Eligibility(False, f"Your completion is current until {expires.day} {expires:%B %Y}; "
                                      "you can book a refresher nearer the time.")
    if overlaps:
        return Eligibility(False, "You are booked on another session at the same time.")
    if same_course_booked_on is not None:
        return Eligibility(False, f"You already have a place on this course on {same_course_booked_on.day} "
                                  f"{same_course_booked_on:%B %Y}. To change the day, cancel that place first.")
    return Eligibility(True)


def _applicant_eligibility(applicant: str | None, open_to_applicants: bool) -> Eligibility:
    """Someone applying may come to a taster day (it helps them decide) once their application is sent."""
    if applicant is None:
        return Eligibility(False, "Only volunteers can book training sessions.")
    if not open_to_applicants:
        return Eligibility(False, "This course is for volunteers. While you are applying, you can book a taster day.")
    if applicant != "open":
        return Eligibility(False, "Send your application first. Then you can book a place on a taster day.")
    return Eligibility(True)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Two time ranges share some time (touching ends do not count)."""
    return a_start < b_end and b_start < a_end


# ------------------------------------------------------------------ month calendar

def parse_month(value: str | None, today: date) -> date:
    """'2026-12' as the first of that month; anything else (missing, malformed, out of range) is this month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if 2000 <= year <= 2100 and len(value) == 7:
            return date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


def parse_day(value: str | None) -> date | None:
    """'2026-12-08' as that date; anything else (missing, malformed, out of range) is None."""
    text = value or ""
    if len(text) != 10 or not text[:4].isdigit():
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def month_weeks(first: date) -> list[list[date | None]]:
    """The weeks of a month, Monday first, with None for days of the months either side."""
    return [[day if day.month == first.month else None for day in week]
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)]


def shift_month(first: date, months: int) -> date:
    """The first of the month `months` later (or earlier, when negative)."""
    return add_months(first, months).replace(day=1)


# ------------------------------------------------------------------ knowledge checks

def score_check(questions: list[dict], answers: dict[int, int | None]) -> int:
    """The percentage of questions answered correctly (answers maps question index to chosen option)."""
    if not questions:
        return 0
    right = sum(1 for n, q in enumerate(questions) if answers.get(n) == q["answer"])
    return round(100 * right / len(questions))


def passed(score: int, pass_mark: int) -> bool:
    return score >= pass_mark
