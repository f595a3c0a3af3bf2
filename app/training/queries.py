"""Read-only loading for training pages: helpers that 404 or 403, and lists with fixed query counts."""
from datetime import date, datetime, time, timedelta

from flask import abort
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import lazyload, selectinload

from app.auth.models import Role, User, UserRole
from app.extensions import db
from app.timefmt import LONDON, london_to_utc
from app.training.models import (
    Booking,
    BookingStatus,
    Course,
    SessionStatus,
    TrainingSession,
    Venue,
    session_trainers,
)
from app.training.services import completions_of


def get_session_or_404(session_id: int) -> TrainingSession:
    return db.get_or_404(TrainingSession, session_id)


def get_course_or_404(code: str) -> Course:
    course = db.session.scalar(select(Course).where(Course.code == code, Course.active.is_(True)))
    if course is None:
        abort(404)
    return course


def active_courses() -> list[Course]:
    """Every course in the catalogue, by title."""
    return list(db.session.scalars(select(Course).where(Course.active.is_(True)).order_by(Course.title)))


def get_venue_or_404(venue_id: int) -> Venue:
    return db.get_or_404(Venue, venue_id)


def get_managed_session_or_404(session_id: int, user) -> TrainingSession:
    """A session this person may change or keep the register of (404 unknown, 403 not theirs)."""
    session = get_session_or_404(session_id)
    if not session.can_manage(user):
        abort(403)
    return session


def _catalogue_filters(now: datetime, course_code: str | None, area_id: int | None, month: str | None,
                       day: date | None) -> list:
    """The catalogue's conditions on sessions (joined to their course): upcoming, then course, area, month, day."""
    conditions = [TrainingSession.status == SessionStatus.SCHEDULED, TrainingSession.starts_at > now]
    if course_code:
        conditions.append(Course.code == course_code)
    if area_id:
        conditions.append(TrainingSession.venue.has(Venue.area_id == area_id))
    if month:
        year, number = (int(p) for p in month.split("-"))
        first = datetime(year, number, 1, tzinfo=LONDON)
        after = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=LONDON)
        conditions += [TrainingSession.starts_at >= first, TrainingSession.starts_at < after]
    if day:
        conditions += [TrainingSession.starts_at >= london_to_utc(day, time(0)),
                       TrainingSession.starts_at < london_to_utc(day + timedelta(days=1), time(0))]
    return conditions


def catalogue_sessions(now: datetime, course_code: str | None = None, area_id: int | None = None,
                       month: str | None = None, day: date | None = None):
    """A select of upcoming sessions, soonest first, filtered by course, area, month and day. Their trainers
    are not loaded: the catalogue, the calendar and a course's page do not show them."""
    return (select(TrainingSession).join(TrainingSession.course)
            .where(*_catalogue_filters(now, course_code, area_id, month, day))
            .options(lazyload(TrainingSession.trainers))
            .order_by(TrainingSession.starts_at, TrainingSession.id))


def _london_day_in_month(first: date):
    """The day of the month (1 to 31), in UK time, of a session starting in the month beginning `first`: a SQL
    CASE on the UTC instant each UK day starts, so it is the same on every database and across the clock change."""
    days = [first + timedelta(days=n) for n in range(31) if (first + timedelta(days=n)).month == first.month]
    return case(*[(TrainingSession.starts_at < london_to_utc(d + timedelta(days=1), time(0)), d.day) for d in days],
                else_=0)


def calendar_day_counts(now: datetime, first: date, course_code: str | None = None,
                        area_id: int | None = None) -> dict[date, int]:
    """How many upcoming sessions (matching the filters) start on each day of a month: one GROUP BY, at most a
    row a day however many sessions the month holds."""
    days = (select(_london_day_in_month(first).label("day")).select_from(TrainingSession)
            .join(TrainingSession.course).where(*_catalogue_filters(now, course_code, area_id, f"{first:%Y-%m}", None))
            .subquery())
    rows = db.session.execute(select(days.c.day, func.count()).group_by(days.c.day))
    return {first.replace(day=number): count for number, count in rows if number}


CALENDAR_DAY_SHOWN = 3  # sessions shown in a day's cell; the rest are a link to that day's list


def calendar_first_sessions(now: datetime, first: date, course_code: str | None = None, area_id: int | None = None,
                            per_day: int = CALENDAR_DAY_SHOWN) -> list[TrainingSession]:
    """The first `per_day` upcoming sessions of each day of a month, soonest first (a window function numbers
    each day's sessions), so a month cell holds a few however busy the day."""
    day = _london_day_in_month(first)
    numbered = (select(TrainingSession.id, func.row_number().over(
        partition_by=day, order_by=(TrainingSession.starts_at, TrainingSession.id)).label("n"))
        .join(TrainingSession.course)
        .where(*_catalogue_filters(now, course_code, area_id, f"{first:%Y-%m}", None)).subquery())
    return list(db.session.scalars(
        select(TrainingSession).where(TrainingSession.id.in_(select(numbered.c.id).where(numbered.c.n <= per_day)))
        .options(lazyload(TrainingSession.trainers)).order_by(TrainingSession.starts_at, TrainingSession.id)))


def my_bookings_for(user, session_ids) -> dict[int, Booking]:
    """This person's active bookings on these sessions, by session id (one query)."""
    if not session_ids:
        return {}
    rows = db.session.scalars(select(Booking).where(Booking.user_id == user.id,
                                                    Booking.session_id.in_(session_ids),
                                                    Booking.status != BookingStatus.CANCELLED))
    return {b.session_id: b for b in rows}


def upcoming_bookings(user, now: datetime) -> list[Booking]:
    return list(db.session.scalars(
        select(Booking).join(Booking.session)
        .where(Booking.user_id == user.id, Booking.status != BookingStatus.CANCELLED,
               TrainingSession.ends_at > now, TrainingSession.status == SessionStatus.SCHEDULED)
        .order_by(TrainingSession.starts_at)))


def register_bookings(session: TrainingSession) -> list[Booking]:
    """Everyone with a place, by name, with who marked them (a fixed number of queries)."""
    return list(db.session.scalars(
        select(Booking).join(Booking.user)
        .where(Booking.session_id == session.id, Booking.status == BookingStatus.BOOKED)
        .order_by(User.full_name, Booking.id)))


def waitlist(session: TrainingSession) -> list[Booking]:
    return list(db.session.scalars(select(Booking).where(Booking.session_id == session.id,
                                                         Booking.status == BookingStatus.WAITLISTED)
                                   .order_by(Booking.queued_at, Booking.id)))


WALK_IN_MATCHES = 10  # a trainer finds a person by name; never a list of everyone


def walk_in_matches(session: TrainingSession, name: str) -> list[User]:
    """People eligible to join this session whose name contains `name` (3 letters or more), at most ten."""
    name = " ".join(name.split())
    if len(name) < 3:
        return []
    return walk_in_candidates(session, name)


WALK_IN_LOOKED_AT = 200  # people whose name matches looked at, at most: a trainer types more of the name


def walk_in_candidates(session: TrainingSession, name: str | None = None) -> list[User]:
    """Volunteers (and, for a taster day, applicants who have applied) not already on the register or
    teaching it, who have the course's prerequisites (decided in SQL, a fixed number of queries); narrowed by
    name if given (then at most WALK_IN_LOOKED_AT people, by name, of whom only the matches are loaded)."""
    conditions = _candidate_conditions(session)
    query = select(User).where(*conditions).order_by(User.full_name, User.id)
    if name:
        wanted = " ".join(name.split()).casefold()
        # The name first: SQLite tests a row's conditions in the order written, and the name rules out nearly
        # everyone before the costlier tests of role, register and prerequisites (55 ms to 24 ms at 50,000).
        looked_at = db.session.execute(select(User.id, User.full_name).where(_name_contains(name), *conditions)
                                       .order_by(User.full_name, User.id).limit(WALK_IN_LOOKED_AT))
        ids = [i for i, full_name in looked_at if wanted in full_name.casefold()][:WALK_IN_MATCHES]
        query = query.where(User.id.in_(ids or [-1]))
    return list(db.session.scalars(query.options(selectinload(User.role_grants))))


def walk_in_candidate(session: TrainingSession, user_id: int) -> User | None:
    """The one person a trainer chose to add, if they may join this session (the same rules, for one id)."""
    return db.session.scalar(_candidates(session).where(User.id == user_id))


def _candidates(session: TrainingSession):
    """A select of the people who may join this session as walk-ins (see walk_in_candidates)."""
    return select(User).where(*_candidate_conditions(session))


def _candidate_conditions(session: TrainingSession) -> list:
    """Who may join this session as a walk-in: for a course open to applicants, an applicant only while their
    application is sent and not yet decided."""
    from app.applications.models import Application
    from app.applications.rules import OPEN
    from app.training.models import Completion

    on_register = select(Booking.user_id).where(Booking.session_id == session.id,
                                                Booking.status == BookingStatus.BOOKED)
    day = session.starts_at.astimezone(LONDON).date()
    prerequisites = [
        select(Completion.id).join(Course, Course.id == Completion.course_id)
        .where(Completion.user_id == User.id, Course.code == code, Completion.completed_on <= day,
               (Completion.expires_on.is_(None)) | (Completion.expires_on > day)).exists()
        for code in sorted(set(session.course.prerequisites))]
    if session.course.open_to_applicants:
        applying = select(Application.id).where(Application.user_id == User.id, Application.status.in_(OPEN))
        roles_held = or_(User.role_grants.any(UserRole.role == Role.VOLUNTEER),
                         and_(User.role_grants.any(UserRole.role == Role.APPLICANT), applying.exists()))
    else:
        roles_held = User.role_grants.any(UserRole.role == Role.VOLUNTEER)
    return [roles_held, User.deactivated_at.is_(None), User.id.not_in(on_register),
            User.id.not_in([t.id for t in session.trainers]), *prerequisites]


def _name_contains(name: str):
    """A generous SQL prefilter on the name: each ASCII word, in any case (SQLite's LIKE folds ASCII only, so
    other words are left to the casefold() match in Python)."""
    from sqlalchemy import and_, true

    def escaped(word: str) -> str:
        return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

    words = [w for w in name.split() if w.isascii()]
    return and_(true(), *(User.full_name.ilike(f"%{escaped(w)}%", escape="\\") for w in words))


def taught_sessions_query(user, since: datetime):
    """A select of the sessions this person teaches that end after `since`, soonest first (without their other
    trainers: the teaching and home pages do not show them)."""
    return (select(TrainingSession).join(session_trainers, session_trainers.c.session_id == TrainingSession.id)
            .where(session_trainers.c.user_id == user.id, TrainingSession.ends_at > since)
            .options(lazyload(TrainingSession.trainers)).order_by(TrainingSession.starts_at, TrainingSession.id))


def taught_sessions(user, since: datetime, limit: int | None = None) -> list[TrainingSession]:
    """Sessions this person teaches that end after `since`, soonest first, the first `limit` of them."""
    return list(db.session.scalars(taught_sessions_query(user, since).limit(limit)))


def feed_sessions(user) -> list[TrainingSession]:
    """Sessions for a person's feed: booked (not waitlisted) and taught, cancelled ones included."""
    booked = select(Booking.session_id).where(Booking.user_id == user.id, Booking.status == BookingStatus.BOOKED)
    taught = select(session_trainers.c.session_id).where(session_trainers.c.user_id == user.id)
    return list(db.session.scalars(
        select(TrainingSession).where(TrainingSession.id.in_(booked) | TrainingSession.id.in_(taught))
        .order_by(TrainingSession.starts_at)))


def next_steps(user, on: date, bookings=()) -> list[Course]:
    """Active courses the person has not completed (or has lapsed), is not booked on, and can start now."""
    completions = completions_of(user)
    current = {c.course.code for c in completions if c.current_on(on)}
    booked = {b.session.course.code for b in bookings}
    courses = db.session.scalars(select(Course).where(Course.active.is_(True)).order_by(Course.position))
    return [c for c in courses if c.code not in current | booked and set(c.prerequisites) <= current]


def schedulable_courses() -> list[Course]:
    return [c for c in db.session.scalars(select(Course).where(Course.active.is_(True)).order_by(Course.position))
            if set(c.delivery_modes) & {"face_to_face", "remote"}]


def trainer_choices() -> list[tuple[int, str]]:
    return [(u.id, u.display_name) for u in db.session.scalars(
        select(User).where(User.role_grants.any(UserRole.role == Role.TRAINER)).order_by(User.full_name))]


def venues_by_name() -> list[Venue]:
    return list(db.session.scalars(select(Venue).options(selectinload(Venue.area)).order_by(Venue.name)))


def prerequisite_courses(course: Course) -> list[Course]:
    if not course.prerequisites:
        return []
    return list(db.session.scalars(select(Course).where(Course.code.in_(course.prerequisites))
                                   .order_by(Course.position)))
