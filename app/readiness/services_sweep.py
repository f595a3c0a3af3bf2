"""The daily sweep: stand down every released volunteer with a failing gate, and warn before gates lapse.

Each stand-down and each warning is its own transaction through perform(), and each is a unique row, so a
sweep run twice, or two sweeps at once, stand down and e-mail once. Coordinators get one digest per sweep.
"""
from datetime import date

from sqlalchemy import select
from tqdm import tqdm

from app.actions import perform
from app.auth.models import User
from app.core.services_locks import run_lock
from app.email import send_email
from app.extensions import db
from app.readiness import queries, rules
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


def sweep(on: date, progress: bool = False) -> tuple[int, int]:
    """Stand down and warn as of `on`; returns (stood down, warnings sent). Each coordinator gets one digest.

    Volunteers are decided BATCH at a time. Two sweeps at once: on PostgreSQL the second finds the run lock
    taken and does nothing; on any database each stand-down and warning is a unique row claimed before its
    e-mail, so each goes once."""
    with run_lock("readiness.sweep") as mine:
        if not mine:
            return 0, 0
        policy = current_policy()
        released = {s.volunteer_id: s.id for s in db.session.scalars(
            select(MentorStanding).where(MentorStanding.status == Standing.RELEASED))}
        active = db.session.scalars(active_volunteers_query().with_only_columns(User.id)).all()
        ids = list(dict.fromkeys([*active, *released]))  # released people who lost the role are still swept
        stood_down = warned = 0
        digest: list = []
        for start in tqdm(range(0, len(ids), BATCH), desc="readiness sweep", disable=not progress):
            chunk = ids[start:start + BATCH]
            found = queries.readiness_for(chunk, on, policy)
            for volunteer_id in chunk:
                readiness = found[volunteer_id]
                if volunteer_id in released and not readiness.ready:
                    row = db.session.get(MentorStanding, released[volunteer_id])
                    codes = [o.code for o in readiness.failing]
                    mine_only: list = []
                    if perform(stand_down, row, codes, on, mine_only):
                        stood_down += 1
                        digest += mine_only
                    continue
                for outcome in readiness.outcomes:
                    if outcome.gate.rule not in WARNED_RULES or not outcome.state.good or outcome.until is None:
                        continue
                    lead = rules.warning_lead(outcome.until, on, policy.warning_days)
                    if lead is not None:
                        volunteer = db.session.get(User, volunteer_id)
                        mine_only = []
                        if perform(send_warning, volunteer, outcome, lead, volunteer_id in released, mine_only):
                            warned += 1
                            digest += mine_only
        if digest:
            perform(send_digests, digest)
        return stood_down, warned
