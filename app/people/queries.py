"""The volunteers list in SQL: who staff may see, each person's stage as one CASE expression, and a page of them
in a fixed number of queries (count, page, areas, stages) whatever the number of people."""
from datetime import date
from functools import lru_cache

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select, true, union
from sqlalchemy.orm import selectinload

from app.applications.models import Application, application_areas
from app.applications.rules import Status
from app.auth.models import Role, User, UserRole
from app.core.models import user_areas
from app.dates import add_years
from app.expenses.models import Claim, ClaimStatus
from app.extensions import db
from app.pagination import paginate
from app.people.models import StageEntry
from app.people.rules import PER_PAGE, Stage
from app.permissions import area_scope, people_in_areas
from app.readiness.models import MentorStanding, Pairing, Standing
from app.readiness.policy import current_policy as readiness_policy
from app.training.models import Completion, Course
from app.vetting.enums import DbsOutcome, Decision, NppvOutcome
from app.vetting.models import DbsCheck, DbsConfirmation, DbsDecision, PoliceVetting
from app.vetting.policy import current_policy as vetting_policy

# ---------------------------------------------------------------- the stages, each a condition on User


def _sent_application():
    return and_(Application.user_id == User.id, Application.submitted_at.is_not(None))


def applied() -> ColumnElement:
    return exists().where(_sent_application())


def accepted() -> ColumnElement:
    return exists().where(Application.user_id == User.id, Application.status == Status.ACCEPTED)


def vetted(today: date, policy) -> ColumnElement:
    """A DBS certificate within the recheck period, clear or approved (and confirmed where needed), and police
    vetting granted and not expired, on `today`, under the vetting `policy`."""
    approved = exists().where(
        DbsDecision.dbs_check_id == DbsCheck.id, DbsDecision.decision == Decision.APPROVED,
        or_(DbsDecision.needs_confirmation.is_(False),
            exists().where(DbsConfirmation.decision_id == DbsDecision.id)))
    dbs = exists().where(DbsCheck.volunteer_id == User.id, DbsCheck.issued_on.is_not(None),
                         DbsCheck.issued_on > add_years(today, -policy.recheck_years),
                         or_(DbsCheck.outcome == DbsOutcome.CLEAR, and_(DbsCheck.outcome.is_not(None), approved)))
    police = exists().where(PoliceVetting.volunteer_id == User.id, PoliceVetting.outcome == NppvOutcome.GRANTED,
                            PoliceVetting.expires_on > today)
    return and_(dbs, police)


def trained(today: date, policy) -> ColumnElement:
    """Every course gate in the readiness `policy` completed by `today` and not expired on it (the course found by
    a subquery, not a join, so SQLite searches each person's completions, not every completion of the course)."""
    codes = [g.course for g in policy.gates if g.rule == "course"]
    return and_(true(), *(exists().where(
        Completion.user_id == User.id,
        Completion.course_id == select(Course.id).where(Course.code == code).scalar_subquery(),
        Completion.completed_on <= today, or_(Completion.expires_on.is_(None), Completion.expires_on > today))
        for code in codes))


def released() -> ColumnElement:
    return exists().where(MentorStanding.volunteer_id == User.id, MentorStanding.status == Standing.RELEASED)


def in_a_pair() -> ColumnElement:
    return exists().where(Pairing.ended_on.is_(None), or_(Pairing.first_id == User.id, Pairing.second_id == User.id))


def stage(today: date) -> ColumnElement:
    """The furthest stage each person has reached, as one SQL expression (see app/people/rules.py)."""
    return _stage(today, vetting_policy(), readiness_policy())


@lru_cache(maxsize=16)
def _stage(today: date, vetting, readiness) -> ColumnElement:
    """`stage`, built once per day and policies, not twice a request (an SQL expression, never rows)."""
    is_accepted, is_vetted = accepted(), vetted(today, vetting)
    return case(
        (and_(released(), in_a_pair()), Stage.ACTIVE.value),
        (released(), Stage.RELEASED.value),
        (and_(is_accepted, is_vetted, trained(today, readiness)), Stage.TRAINED.value),
        (and_(is_accepted, is_vetted), Stage.VETTED.value),
        (is_accepted, Stage.ACCEPTED.value),
        (applied(), Stage.APPLIED.value),
        else_=Stage.NONE.value)


# ---------------------------------------------------------------- who is on the list, and who may see them


def people() -> ColumnElement:
    """Volunteers, and anyone who has sent an application (a draft is the applicant's own business)."""
    return or_(User.role_grants.any(UserRole.role == Role.VOLUNTEER), applied())


def _applied_for(area_ids: list[int]):
    """The ids of the people who sent an application for any of these areas, as a subquery."""
    return (select(Application.user_id)
            .join(application_areas, application_areas.c.application_id == Application.id)
            .where(application_areas.c.area_id.in_(area_ids or [-1]), Application.submitted_at.is_not(None)))


def in_areas(area_ids: list[int]) -> ColumnElement:
    """Works in one of these areas, or sent an application for one of them: one `IN (... UNION ...)`, so the
    database starts from those areas' people and applications (a coordinator's list at 50,000 people: 30 ms,
    where testing every user in turn took 170 ms)."""
    return User.id.in_(union(people_in_areas(area_ids), _applied_for(area_ids)))


def listed_in_areas(area_ids: list[int]) -> ColumnElement:
    """`people()` and `in_areas()` at once, as one `IN (... UNION ...)` of three index reads: the volunteers
    working in these areas, the others working in them who sent an application, and those who sent one for these
    areas. Testing `people()` on each of the areas' people afterwards cost PostgreSQL two lookups a person (a
    coordinator's list at 50,000 people: 60,000 buffers read for its count and page; 6,700 this way)."""
    working = people_in_areas(area_ids)  # SELECT user_areas.user_id ... : joined on that column below
    volunteers = working.join(UserRole, and_(UserRole.user_id == user_areas.c.user_id,
                                             UserRole.role == Role.VOLUNTEER))
    applicants = working.join(Application, and_(Application.user_id == user_areas.c.user_id,
                                                Application.submitted_at.is_not(None)))
    return User.id.in_(union(volunteers, applicants, _applied_for(area_ids)))


def visible_to(staff) -> ColumnElement:
    """Managers see everyone on the list (people()); coordinators the people of their areas and those who applied
    for them; nobody sees themself here (their own records are under their own pages).

    The same people on either database, asked the way each answers best (at 50,000 people): PostgreSQL reads the
    three index ranges of listed_in_areas (6,700 buffers for the page and its count, against 60,000 testing
    people() on each of the areas' people); SQLite tests people() from its indexes as it goes, where the union
    costs it three temporary B-trees (66 ms of CPU against 104)."""
    scope = area_scope(staff)
    if scope is None:
        seen = people()
    elif db.session.get_bind().dialect.name == "postgresql":
        seen = listed_in_areas(scope)
    else:
        seen = and_(people(), in_areas(scope))
    return and_(seen, User.id != staff.id)


def _by_name(scoped: bool) -> ColumnElement:
    """The list's order. Everyone's list walks the name index and stops at the page. A list of some areas'
    people (at most a few thousand) is better sorted once found: ordered by `lower(name) || ''`, which no index
    holds, so PostgreSQL does not walk all 50,000 names testing each against the areas' people: its row estimate
    for a stage is far too low, so it chose that walk, matching each name against the areas' people one by one
    (817,000 comparisons for a coordinator's first page; 81 million, 10 s, for "vetted" once the areas' people
    came from listed_in_areas). Found first and sorted, each takes tens of milliseconds; the order is the same."""
    name = func.lower(User.full_name)
    return name.concat("") if scoped else name


def _some_areas(staff, area_id: int | None) -> bool:
    """The list is some areas' people (a coordinator's, or an area asked for), not everyone's."""
    return area_scope(staff) is not None or area_id is not None


def list_query(staff, today: date, search: str | None = None, area_id: int | None = None,
               stage_code: str | None = None, kept: bool = False):
    """The list's SELECT. `kept`: everyone's stages are kept for `today` (services_stages.py), so a stage is
    found from the kept entries, not worked out for everyone in scope."""
    query = (select(User).where(visible_to(staff)).options(selectinload(User.areas))
             .order_by(_by_name(scoped=_some_areas(staff, area_id)), User.id))
    if search:
        for word in search.lower().split():
            query = query.where(or_(func.lower(User.full_name).contains(word, autoescape=True),
                                    func.lower(User.email).contains(word, autoescape=True)))
    if area_id is not None:
        query = query.where(in_areas([area_id]))
    if stage_code and kept:
        query = query.join(StageEntry, StageEntry.person_id == User.id).where(StageEntry.stage == stage_code)
    elif stage_code:
        query = query.where(stage(today) == stage_code)
    return query


def kept_stages(ids: list[int], today: date) -> dict[int, Stage]:
    """Each listed person's kept stage (one query), any without an entry worked out (one more)."""
    found = {p: Stage(s) for p, s in db.session.execute(
        select(StageEntry.person_id, StageEntry.stage).where(StageEntry.person_id.in_(ids)))} if ids else {}
    missing = [i for i in ids if i not in found]
    return found | stages_of(missing, today)


def stages_of(ids: list[int], today: date) -> dict[int, Stage]:
    """Each listed person's stage, in one query."""
    if not ids:
        return {}
    rows = db.session.execute(select(User.id, stage(today)).where(User.id.in_(ids)))
    return {person_id: Stage(code) for person_id, code in rows}


def page(staff, today: date, kept: bool = False, **filters) -> tuple:
    """A page of the list and its people's stages. The page and its total come from one query when a stage is
    asked for, or when the list is some areas' people, which are sorted once found (`_by_name`): the count then
    costs nothing more (a coordinator's list at 50,000 people: 27 ms, against 27 for the page and 20 for a COUNT).
    Everyone's list walks the name index to its page, and a COUNT from an index is cheaper than a count beside
    each row."""
    pager = paginate(list_query(staff, today, kept=kept, **filters), PER_PAGE,
                     costly_filter=bool(filters.get("stage_code")) or _some_areas(staff, filters.get("area_id")))
    ids = [p.id for p in pager.items]
    return pager, kept_stages(ids, today) if kept else stages_of(ids, today)


def get_person_or_404(staff, user_id: int) -> User:
    """Someone on this member of staff's list, or 404 (unknown, not on the list, or outside their areas)."""
    person = db.session.scalar(select(User).where(User.id == user_id, visible_to(staff))
                               .options(selectinload(User.areas), selectinload(User.role_grants)))
    if person is None:
        from flask import abort

        abort(404)
    return person


# ---------------------------------------------------------------- what the person page links to


def applications_of(person: User) -> list[Application]:
    return list(db.session.scalars(select(Application).where(_sent_application(), Application.user_id == person.id)
                                   .options(selectinload(Application.areas))
                                   .order_by(Application.submitted_at.desc(), Application.id.desc())))


def has_vetting_record(person: User) -> bool:
    return person.has_role(Role.VOLUNTEER) or db.session.scalar(
        select(DbsCheck.id).where(DbsCheck.volunteer_id == person.id).limit(1)) is not None


def pairings_of(person: User) -> list[Pairing]:
    return list(db.session.scalars(select(Pairing).where(or_(Pairing.first_id == person.id,
                                                            Pairing.second_id == person.id))
                                   .order_by(Pairing.ended_on.is_not(None), Pairing.started_on.desc())))


def claims_of(person: User) -> list[Claim]:
    """Sent claims (a draft is the volunteer's own), newest first."""
    return list(db.session.scalars(select(Claim).where(Claim.claimant_id == person.id,
                                                       Claim.status != ClaimStatus.DRAFT)
                                   .order_by(Claim.submitted_at.desc(), Claim.id.desc())))
