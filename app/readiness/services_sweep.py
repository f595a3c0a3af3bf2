"""The daily sweep: stand down every released volunteer with a failing gate, and warn before gates lapse.

Each stand-down and each warning is its own transaction through perform(), and each is a unique row, so a
sweep run twice, or two sweeps at once, stand down and e-mail once.
"""
from datetime import date

from sqlalchemy import select
from tqdm import tqdm

from app.actions import perform
from app.auth.models import User
from app.email import send_email
from app.extensions import db
from app.readiness import queries, rules
from app.readiness.models import GateWarning, MentorStanding, Standing
from app.readiness.policy import current_policy
from app.readiness.services import coordinators_of, stand_down
from app.urls import external_url
from app.vetting.services_reminders import active_volunteers_query

WARNED_RULES = ("course",)  # DBS and police vetting have their own reminders (flask vetting remind)


def send_warning(volunteer: User, outcome: rules.GateOutcome, lead_days: int, released: bool) -> GateWarning:
    """E-mail the volunteer (and, if released, their coordinators) that a gate lapses soon; once per lead time."""
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
            send_email(coordinator.email, f"{volunteer.display_name}: {gate.staff} lapses soon",
                       "readiness/warning_coordinator", volunteer=volunteer, gate=gate, until=outcome.until,
                       url=external_url("readiness.person", user_id=volunteer.id))
    return warning


def sweep(on: date, progress: bool = False) -> tuple[int, int]:
    """Stand down and warn as of `on`; returns (stood down, warnings sent)."""
    policy = current_policy()
    released = {s.volunteer_id: s.id for s in db.session.scalars(
        select(MentorStanding).where(MentorStanding.status == Standing.RELEASED))}
    active = db.session.scalars(active_volunteers_query().with_only_columns(User.id)).all()
    ids = list(dict.fromkeys([*active, *released]))  # released people who lost the role are still swept
    found = queries.readiness_for(ids, on, policy)
    stood_down = warned = 0
    for volunteer_id in tqdm(ids, desc="readiness sweep", disable=not progress):
        readiness = found[volunteer_id]
        if volunteer_id in released and not readiness.ready:
            row = db.session.get(MentorStanding, released[volunteer_id])
            codes = [o.code for o in readiness.failing]
            if perform(stand_down, row, codes, on):
                stood_down += 1
            continue
        for outcome in readiness.outcomes:
            if outcome.gate.rule not in WARNED_RULES or not outcome.state.good or outcome.until is None:
                continue
            lead = rules.warning_lead(outcome.until, on, policy.warning_days)
            if lead is not None:
                volunteer = db.session.get(User, volunteer_id)
                if perform(send_warning, volunteer, outcome, lead, volunteer_id in released):
                    warned += 1
    return stood_down, warned

