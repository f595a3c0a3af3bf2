"""Readiness reads: each volunteer's facts in a fixed number of queries (one loader per kind of gate), the
staff list with its filters (the CSV export: queries_export.py)."""
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import func, select, true
from sqlalchemy.orm import aliased, subqueryload

from app.applications.models import Application, Referee
from app.applications.rules import Status
from app.auth.models import User
from app.core.models import Area
from app.db_types import among, plain_rows
from app.extensions import db
from app.pagination import govuk_pagination, page_number, paginate
from app.permissions import area_scope, people_in_scope
from app.readiness import queries_kept, queries_states, rules
from app.readiness.models import AgreementSignature, EmergencyContact, Induction, MentorStanding, Standing
from app.readiness.policy import ReadinessPolicy, current_policy
from app.timefmt import LONDON, today_london
from app.training.models import Completion, Course
from app.vetting.models import DbsCheck, DbsDecision
from app.vetting.policy import current_policy as vetting_policy
from app.vetting.queries import ListPagination
from app.vetting.queries_facts import vetting_facts
from app.vetting.services_reminders import active_volunteers_query

# ---------------------------------------------------------------- one loader per kind of gate


def _applications(ids) -> dict[int, tuple[date | None, int]]:
    """(accepted on, satisfactory references): the day of the latest acceptance, and the references of the
    latest application still standing (references are taken before the decision)."""
    satisfactory = (select(func.count()).where(Referee.application_id == Application.id, Referee.satisfactory.is_(True))
                    .correlate(Application).scalar_subquery())
    found: dict[int, tuple[date | None, int]] = {}
    for user_id, status, decided_at, references in plain_rows(
            select(Application.user_id, Application.status, Application.decided_at, satisfactory)
            .where(among(Application.user_id, ids), Application.status.not_in([Status.DECLINED, Status.WITHDRAWN]))
            .order_by(Application.id)):
        accepted = found.get(user_id, (None, 0))[0]
        if status == Status.ACCEPTED and decided_at is not None:
            accepted = decided_at.astimezone(LONDON).date()
        found[user_id] = (accepted, references)
    return found


def _vetting_extras(ids) -> dict[int, tuple[date | None, rules.SelfDeclaration]]:
    """(identity first checked on, self-declaration state) for each volunteer, from vetting's records, in three
    queries whatever the number of volunteers.

    A declaration that declares something needs the risk-assessed decision made on or after it: approved, it may
    go ahead; declined, it may not; none yet, it waits for one."""
    from app.vetting.enums import Decision
    from app.vetting.models import IdentityCheck, SelfDeclaration

    checked = dict(plain_rows(
        select(IdentityCheck.volunteer_id, func.min(IdentityCheck.checked_on))
        .where(among(IdentityCheck.volunteer_id, ids)).group_by(IdentityCheck.volunteer_id)).all())
    latest: dict[int, tuple] = {}
    for volunteer_id, made_on, has_something, _id in plain_rows(
            select(SelfDeclaration.volunteer_id, SelfDeclaration.made_on, SelfDeclaration.has_something,
                   SelfDeclaration.id).where(among(SelfDeclaration.volunteer_id, ids))
            .order_by(SelfDeclaration.made_on, SelfDeclaration.id)):
        latest[volunteer_id] = (made_on, has_something)
    decisions: dict[int, list] = defaultdict(list)
    for volunteer_id, decided_on, decision in plain_rows(
            select(DbsCheck.volunteer_id, DbsDecision.decided_on, DbsDecision.decision)
            .join(DbsDecision, DbsDecision.dbs_check_id == DbsCheck.id).where(among(DbsCheck.volunteer_id, ids))
            .order_by(DbsDecision.decided_on, DbsDecision.id)):
        decisions[volunteer_id].append((decided_on, decision))

    def state(volunteer_id: int) -> rules.SelfDeclaration:
        if volunteer_id not in latest:
            return rules.SelfDeclaration.NOT_RECORDED
        made_on, has_something = latest[volunteer_id]
        if not has_something:
            return rules.SelfDeclaration.MADE
        after = [d for on, d in decisions.get(volunteer_id, []) if on >= made_on]
        if not after:
            return rules.SelfDeclaration.NEEDS_ASSESSMENT
        return rules.SelfDeclaration.ASSESSED if after[-1] == Decision.APPROVED else rules.SelfDeclaration.DECLINED

    everyone = set(_as_list(ids, checked)) | set(latest)
    return {i: (checked.get(i), state(i)) for i in everyone}


def _as_list(ids, found: dict) -> list[int]:
    return list(ids) if isinstance(ids, (list, tuple, set)) else list(found)


def _courses(ids) -> dict[int, dict[str, list[rules.CourseFacts]]]:
    found: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for user_id, code, completed_on, expires_on in plain_rows(
            select(Completion.user_id, Course.code, Completion.completed_on, Completion.expires_on)
            .join(Course, Course.id == Completion.course_id).where(among(Completion.user_id, ids))):
        found[user_id][code].append(rules.CourseFacts(completed_on, expires_on))
    return found


def _agreements(ids) -> dict[int, dict[int, date]]:
    found: dict[int, dict[int, date]] = defaultdict(dict)
    for volunteer_id, version, signed_on in plain_rows(
            select(AgreementSignature.volunteer_id, AgreementSignature.version, AgreementSignature.signed_on)
            .where(among(AgreementSignature.volunteer_id, ids))):
        found[volunteer_id][version] = signed_on
    return found


def _inductions(ids) -> dict[int, tuple[date, str | None]]:
    """Each volunteer's latest induction meeting: (held on, the supervisor's name or None)."""
    supervisor = aliased(User)
    return {volunteer_id: (held_on, User.name_of(full_name, email) if email else None)
            for volunteer_id, held_on, full_name, email in plain_rows(
                select(Induction.volunteer_id, Induction.held_on, supervisor.full_name, supervisor.email)
                .outerjoin(supervisor, supervisor.id == Induction.supervisor_id)
                .where(among(Induction.volunteer_id, ids)).order_by(Induction.held_on, Induction.id))}


def _contacts(ids) -> set[int]:
    return set(plain_rows(select(EmergencyContact.volunteer_id).where(among(EmergencyContact.volunteer_id, ids))).scalars())


def load_facts(ids: list[int]) -> dict[int, rules.Facts]:
    """The facts every gate needs, for many volunteers, in a fixed number of queries."""
    ids = list(ids)
    db.session.flush()  # the reads below go to the connection, which does not flush the session for us
    applications, extras, vetting = _applications(ids), _vetting_extras(ids), vetting_facts(ids)
    courses, agreements, inductions, contacts = _courses(ids), _agreements(ids), _inductions(ids), _contacts(ids)
    facts = {}
    for i in ids:
        accepted, references = applications.get(i, (None, 0))
        identity, declaration = extras.get(i, (None, rules.SelfDeclaration.NOT_RECORDED))
        checks, police = vetting.get(i, ([], []))
        induction_on, supervisor = inductions.get(i, (None, None))
        facts[i] = rules.Facts(
            application_accepted_on=accepted, references_satisfactory=references, identity_checked_on=identity,
            self_declaration=declaration, dbs_checks=tuple(checks), police=tuple(police),
            courses={code: tuple(done) for code, done in courses.get(i, {}).items()},
            agreements=dict(agreements.get(i, {})), induction_on=induction_on, supervisor=supervisor,
            emergency_contact=i in contacts)
    return facts


def standings(ids) -> dict[int, MentorStanding]:
    return {s.volunteer_id: s for s in db.session.scalars(
        select(MentorStanding).where(MentorStanding.volunteer_id.in_(list(ids))))}


def readiness_for(ids, on: date | None = None, policy: ReadinessPolicy | None = None,
                  decider: rules.Decider | None = None) -> dict[int, rules.Readiness]:
    """The bulk form: every gate for many volunteers (by id) on `on`, in a fixed number of queries.

    The gates are decided by a rules.Decider (each gate once per distinct set of facts); pass one to carry its
    decisions from one call to the next (the export's batches): its day and policies are then the ones used."""
    if decider is None:
        decider = rules.Decider(policy or current_policy(), vetting_policy(), on or today_london())
    facts = load_facts(ids)
    return dict(zip(facts, decider.decide(list(facts.values())), strict=True))


def readiness_of(volunteer: User, on: date | None = None) -> rules.Readiness:
    """One volunteer's gates on `on` (default today)."""
    return readiness_for([volunteer.id], on)[volunteer.id]


def standing_of(volunteer: User) -> Standing:
    found = standings([volunteer.id]).get(volunteer.id)
    return found.status if found else Standing.NOT_RELEASED


# ---------------------------------------------------------------- the staff list


def list_filters(form, policy: ReadinessPolicy, staff) -> dict:
    scope = area_scope(staff)
    areas = db.session.scalars(select(Area).where(Area.id.in_(scope) if scope is not None else true())
                               .order_by(Area.position)).all()
    form.area.choices = [("", "All areas" if scope is None else "All your areas")] + [(str(a.id), a.name) for a in areas]
    form.gate.choices = [("", "Any gate")] + [(g.code, g.staff) for g in policy.gates]
    if not form.validate():
        return {"area": None, "gate": None, "state": None, "within": None}
    return {"area": int(form.area.data) if form.area.data else None, "gate": form.gate.data or None,
            "state": form.state.data or None, "within": form.within.data}


def matches_filters(readiness: rules.Readiness, released: bool, gate: str | None, state: str | None,
             within: int | None) -> bool:
    outcomes = [readiness.outcome(gate)] if gate else list(readiness.outcomes)
    outcomes = [o for o in outcomes if o is not None]
    if state == "ready":
        if not (readiness.ready and not released):
            return False
    elif state == "released":
        if not released:
            return False
    elif state and not any(o.state.value == state for o in outcomes):
        return False
    if within is not None:
        horizon = readiness.on + timedelta(days=within)
        return any(o.state.good and o.until is not None and o.until <= horizon for o in outcomes)
    return True


def scoped_query(staff, area_id: int | None):
    query = active_volunteers_query().where(people_in_scope(staff))
    if area_id is not None:
        query = query.where(User.areas.any(Area.id == area_id))
    return query


def _scoped_ids(staff, area_id: int | None) -> list[int]:
    return list(db.session.scalars(scoped_query(staff, area_id).with_only_columns(User.id)))


def matching(filters: dict, staff, on: date, policy: ReadinessPolicy, ids: list[int] | None = None) -> list[tuple]:
    """(id, readiness, standing) for the volunteers `staff` may see that match the filters, by name."""
    ids = _scoped_ids(staff, filters["area"]) if ids is None else ids
    found = readiness_for(ids, on, policy)
    standing = standings(ids)
    rows = []
    for i in ids:
        released = i in standing and standing[i].status == Standing.RELEASED
        if matches_filters(found[i], released, filters["gate"], filters["state"], filters["within"]):
            rows.append((i, found[i], standing.get(i)))
    return rows


def build_list(form, staff, on: date, per_page: int = 25) -> dict:
    """The rows and pager for the readiness list: only people `staff` may see, in a fixed number of queries.

    SQL filters, sorts and pages the people. When everyone's gates are kept for today (services_states.py), the
    filters are conditions on the kept states and the page's gates are read from them (queries_kept.py);
    otherwise the filters are the gates' rules in SQL (queries_states.py) and the page's gates are decided."""
    policy = current_policy()
    filters = list_filters(form, policy, staff)
    filtered = not (filters["gate"] is None and filters["state"] is None and filters["within"] is None)
    vetting = vetting_policy()
    kept = queries_kept.fresh(db.session, on, policy, vetting)  # everyone's gates kept for today (services_states)
    if filtered and not kept and not queries_states.supported(vetting):
        # Cover that depends on the Update Service is only decided in Python: every person in scope is decided.
        rows = matching(filters, staff, on, policy)
        pager = ListPagination(page=page_number(), per_page=per_page, error_out=False, data=rows)
        people = _users([r[0] for r in pager.items])
        shown = [(people[i], readiness, standing) for i, readiness, standing in pager.items]
    else:
        query = scoped_query(staff, filters["area"])
        if filtered and kept:
            query = query.join(queries_kept.ENTRIES, queries_kept.ENTRIES.c.person_id == User.id).where(
                queries_kept.matching(policy, on, filters["gate"], filters["state"], filters["within"]))
        elif filtered:
            query = query.where(queries_states.matching(
                policy, vetting, on, filters["gate"], filters["state"], filters["within"]))
        # A kept filter is a cheap test of one row per person: a plain COUNT and a page found in name order (one
        # query for both would have PostgreSQL 15 walk everyone by name, as if it could stop at the page's end).
        pager = paginate(query, per_page, costly_filter=filtered and not kept)
        ids = [u.id for u in pager.items]
        found = queries_kept.readiness_of(db.session, ids, policy, on) if kept else {}
        if missing := [i for i in ids if i not in found]:
            found |= readiness_for(missing, on, policy)
        standing = standings(ids)
        shown = [(u, found[u.id], standing.get(u.id)) for u in pager.items]
    return {"pager": pager, "rows": shown, "policy": policy, "filters": filters,
            "pagination": govuk_pagination(pager, "readiness.staff_list")}


def _users(ids: list[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)).options(subqueryload(User.areas)))}
