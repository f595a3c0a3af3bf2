"""The daily sweep: stand down every released volunteer with a failing gate, and warn before gates lapse.

The stand-downs of each batch of volunteers are one transaction (one by one only when the batch is refused);
each warning is its own transaction through perform(). Each is a unique row, so a sweep run twice, or two
sweeps at once, stand down and e-mail once. Coordinators get one digest per sweep.
"""
from datetime import date

from sqlalchemy import select
from tqdm import tqdm

from app.actions import perform
from app.auth.models import User
from app.core.services_locks import run_lock
from app.email import send_email
from app.extensions import db
from app.readiness import queries, rules, services_states
from app.readiness.models import GateWarning, MentorStanding, Standing
from app.readiness.policy import current_policy
from app.readiness.services import coordinators_of, stand_down
from app.urls import external_url
from app.vetting.services_reminders import active_volunteers_query

WARNED_RULES = ("course",)  # DBS and police vetting have their own reminders (flask vetting remind)


def send_warning(volunteer: User, outcome: rules.GateOutcome, lead_days: int, released: bool,
                 digest: list | None = None) -> GateWarning:
    """E-mail the volunteer that a gate lapses soon, once per lead time; if released, their coordinators hear
    too (through `digest`, the sweep's one e-mail per coordinator, when given)."""
    warning = GateWarning(volunteer_id=volunteer.id, gate_code=outcome.code, good_until=outcome.until,
                          lead_days=lead_days)
    db.session.add(warning)
    db.session.flush()  # a duplicate fails here, before any e-mail is queued
    gate = outcome.gate
    book = external_url("training.course", code=gate.course) if gate.course else external_url("core.home")
    send_email(volunteer.email, f"{gate.volunteer}: book a refresher", "readiness/warning_volunteer",
               volunteer=volunteer, gate=gate, until=outcome.until, url=book)
    if released:
        for coordinator in coordinators_of(volunteer):
            url = external_url("readiness.person", user_id=volunteer.id)
            if digest is not None:
                digest.append((coordinator.id, coordinator.email, {
                    "name": volunteer.display_name, "stood_down": False, "gate": gate.staff,
                    "until": outcome.until, "url": url}))
                continue
            send_email(coordinator.email, f"{volunteer.display_name}: {gate.staff} lapses soon",
                       "readiness/warning_coordinator", volunteer=volunteer, gate=gate, until=outcome.until, url=url)
    return warning


def send_digests(digest: list) -> int:
    """One e-mail per coordinator: everyone of theirs this sweep stood down or warned about."""
    by_person: dict[int, tuple[str, list[dict]]] = {}
    for person_id, email, item in digest:
        by_person.setdefault(person_id, (email, []))[1].append(item)
    for email, items in by_person.values():
        down = sum(1 for i in items if i["stood_down"])
        lapsing = len(items) - down
        parts = ([f"{down} stood down"] if down else []) + ([f"{lapsing} lapsing soon"] if lapsing else [])
        send_email(email, f"Readiness sweep: {' and '.join(parts)}", "readiness/sweep_digest",
                   stood_down=[i for i in items if i["stood_down"]], lapsing=[i for i in items if not i["stood_down"]])
    return len(by_person)


BATCH = 1000  # volunteers decided per step: memory stays flat however many there are


def _coordinators_by_area(area_ids: set[int]) -> dict[int, list[User]]:
    """Active coordinators of each area, in one query (coordinators_of for many volunteers at once)."""
    from sqlalchemy.orm import selectinload

    from app.auth.models import Role, UserRole
    from app.core.models import Area

    found: dict[int, list[User]] = {i: [] for i in area_ids}
    if not area_ids:
        return found
    for coordinator in db.session.scalars(
            select(User).where(User.role_grants.any(UserRole.role == Role.COORDINATOR), User.deactivated_at.is_(None),
                               User.areas.any(Area.id.in_(area_ids))).order_by(User.id)
            .options(selectinload(User.areas))):
        for area in coordinator.areas:
            if area.id in found:
                found[area.id].append(coordinator)
    return found


def stand_down_many(decided: dict[int, list[str]], on: date, digest: list) -> int:
    """Stand down many released volunteers in one transaction: volunteer id -> the failing gate codes.

    The same records as services.stand_down for each (the stand-down row, the standing, an audit event through
    audit.record, so the hash chain runs on row by row; flagged pairings; the volunteer's e-mail through the
    outbox), but the people, their pairings and their coordinators are read in a few queries for the batch.
    Anyone no longer released, or changed since, makes the batch fail as a whole (the caller then goes one by
    one, where each such person is refused on their own)."""
    from sqlalchemy import or_
    from sqlalchemy.orm import selectinload

    from app import audit
    from app.actions import hold
    from app.db_types import utcnow
    from app.readiness.models import Pairing, StandDown
    from app.readiness.services import ReadinessError

    ids = list(decided)
    rows = {r.volunteer_id: r for r in db.session.scalars(select(MentorStanding).where(
        MentorStanding.volunteer_id.in_(ids)))}
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids))
                                                   .options(selectinload(User.areas)))}
    pairings: dict[int, list] = {i: [] for i in ids}
    for pairing in db.session.scalars(select(Pairing).where(
            Pairing.ended_on.is_(None), or_(Pairing.first_id.in_(ids), Pairing.second_id.in_(ids)))):
        for member in (pairing.first_id, pairing.second_id):
            if member in pairings:
                pairings[member].append(pairing)
        pairing.flagged_on = on
    coordinators = _coordinators_by_area({a.id for u in people.values() for a in u.areas})
    policy = current_policy()
    home = external_url("core.home")
    for volunteer_id in ids:
        row, volunteer, codes = rows[volunteer_id], people[volunteer_id], decided[volunteer_id]
        hold(row)
        if row.status != Standing.RELEASED:
            raise ReadinessError("This volunteer is no longer released.")
        record = StandDown(volunteer_id=volunteer_id, release_number=row.release_count, stood_down_on=on,
                           gate_codes=list(codes))
        db.session.add(record)
        row.status, row.changed_at, row.changed_by_id = Standing.STOOD_DOWN, utcnow(), None
        db.session.flush()
        audit.record(None, "readiness.stood_down", volunteer, obj=record, gates=list(codes), on=on)
        gates = [policy.gate(code).staff if policy.gate(code) else code for code in codes]
        send_email(volunteer.email, "You are stood down from client work for now", "readiness/stood_down_volunteer",
                   volunteer=volunteer, gates=gates, url=home)
        theirs = {c.id: c for a in volunteer.areas for c in coordinators.get(a.id, []) if c.id != volunteer_id}
        for coordinator in sorted(theirs.values(), key=lambda c: c.id):
            digest.append((coordinator.id, coordinator.email, {
                "name": volunteer.display_name, "stood_down": True, "gates": gates,
                "pairings": [f"client {p.client.reference}, with {p.partner_of(volunteer).display_name}"
                             for p in pairings[volunteer_id]],
                "url": external_url("readiness.person", user_id=volunteer_id)}))
    db.session.flush()
    return len(ids)


def _stand_down_batch(decided: dict[int, list[str]], released: dict[int, int], on: date, digest: list) -> int:
    """One transaction for the batch; if it is refused (someone changed meanwhile, or another sweep got there
    first), one transaction each, as before, so each person is stood down once."""
    if not decided:
        return 0
    mine: list = []
    outcome = perform(stand_down_many, decided, on, mine)
    if outcome:
        digest += mine
        return len(decided)
    done = 0
    for volunteer_id, codes in decided.items():
        row = db.session.get(MentorStanding, released[volunteer_id])
        mine_only: list = []
        if perform(stand_down, row, codes, on, mine_only):
            done += 1
            digest += mine_only
    return done


def _candidates(on: date, policy, released: dict[int, int]) -> list[int]:
    """Who the sweep must decide: released volunteers not ready today, and volunteers with a gate we warn about
    that is good but lapses within the longest lead time. SQL picks them (queries_states: the same rules as
    Python); the rest are left alone without being decided. When the policy's gates cannot be put in SQL,
    everyone is decided, as before."""
    from datetime import timedelta

    from sqlalchemy import and_, not_, or_

    from app.auth.models import Role, UserRole
    from app.readiness import queries_states
    from app.vetting.policy import current_policy as vetting_policy

    vetting = vetting_policy()
    active = active_volunteers_query().with_only_columns(User.id)  # by name
    if not queries_states.supported(vetting):
        ids = db.session.scalars(active).all()
        return list(dict.fromkeys([*ids, *released]))  # released people who lost the role are still swept
    sql = queries_states.StateSql(policy, vetting, on)
    horizon = on + timedelta(days=max(policy.warning_days) - 1)  # warning_lead gives a lead up to here
    warned = [sql.gate_good_until_by(g, horizon) for g in policy.gates if g.rule in WARNED_RULES]
    is_released = sql.released()
    is_active = and_(User.role_grants.any(UserRole.role == Role.VOLUNTEER), User.deactivated_at.is_(None))
    query = (select(User.id).where(or_(is_active, is_released), or_(and_(is_released, not_(sql.ready())), *warned))
             .order_by(User.full_name, User.id))
    return list(db.session.scalars(query))


def _already_warned(ids: list[int]) -> set[tuple]:
    """The warnings sent before to these volunteers (a repeat would be refused as a duplicate)."""
    return set(db.session.execute(select(GateWarning.volunteer_id, GateWarning.gate_code, GateWarning.good_until,
                                         GateWarning.lead_days).where(GateWarning.volunteer_id.in_(ids))).all())


def sweep(on: date, progress: bool = False) -> tuple[int, int]:
    """Stand down and warn as of `on`; returns (stood down, warnings sent). Each coordinator gets one digest.

    SQL picks who needs deciding (_candidates); they are decided BATCH at a time, each batch's stand-downs in
    one transaction. Then everyone's gates are kept for `on` (services_states.refresh), for the list pages. Two sweeps at once: on PostgreSQL the second finds the run lock taken and does nothing; on
    any database each stand-down and warning is a unique row claimed before its e-mail, so each goes once."""
    with run_lock("readiness.sweep") as mine:
        if not mine:
            return 0, 0
        policy = current_policy()
        released = dict(db.session.execute(select(MentorStanding.volunteer_id, MentorStanding.id).where(
            MentorStanding.status == Standing.RELEASED)).all())
        ids = _candidates(on, policy, released)
        stood_down = warned = 0
        digest: list = []
        for start in tqdm(range(0, len(ids), BATCH), desc="readiness sweep", disable=not progress):
            chunk = ids[start:start + BATCH]
            found = queries.readiness_for(chunk, on, policy)
            failing = {i: [o.code for o in found[i].failing] for i in chunk if i in released and not found[i].ready}
            stood_down += _stand_down_batch(failing, released, on, digest)
            sent_before = _already_warned(chunk)
            for volunteer_id in chunk:
                readiness = found[volunteer_id]
                if volunteer_id in failing:
                    continue
                for outcome in readiness.outcomes:
                    if outcome.gate.rule not in WARNED_RULES or not outcome.state.good or outcome.until is None:
                        continue
                    lead = rules.warning_lead(outcome.until, on, policy.warning_days)
                    if lead is None or (volunteer_id, outcome.code, outcome.until, lead) in sent_before:
                        continue
                    volunteer = db.session.get(User, volunteer_id)
                    mine_only = []
                    if perform(send_warning, volunteer, outcome, lead, volunteer_id in released, mine_only):
                        warned += 1
                        digest += mine_only
        if digest:
            perform(send_digests, digest)
        services_states.refresh(on, progress=progress)  # everyone's gates for today, for the list and its CSV
        return stood_down, warned
