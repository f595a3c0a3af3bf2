"""The readiness CSV export: every volunteer in scope, streamed a batch at a time, their gates decided by the same
loaders and rules as the pages (queries.readiness_for) from plain rows."""
import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from app.auth.models import User
from app.core.models import Area
from app.csvout import csv_line, csv_text, safe_cell
from app.db_types import among, plain_rows
from app.extensions import db
from app.readiness import queries_kept, queries_states, rules
from app.readiness.models import MentorStanding, Standing
from app.readiness.policy import current_policy
from app.readiness.queries import list_filters, matches_filters, readiness_for, scoped_query
from app.readiness.queries_kept import ENTRIES
from app.vetting.policy import current_policy as vetting_policy

EXPORT_CHUNK = 5000  # volunteers loaded per step of the export: a fixed number of queries for each


def export_rows(form, staff, on: date) -> Iterator[str]:
    """The CSV: a header line, then one row per volunteer, read from the database EXPORT_CHUNK at a time (one piece of
    text per batch).

    Who is exported is settled now (the SELECT, with the staff member's scope and the filters, is built in the
    request); the rows are read while the response streams, in an application context of their own (the
    request's has ended by then), through a server-side cursor: no list of everyone is held, and each batch's
    gates are decided from a fixed number of queries."""
    policy, vetting = current_policy(), vetting_policy()
    filters = list_filters(form, policy, staff)
    query = (scoped_query(staff, filters["area"]).with_only_columns(User.id, User.full_name, User.email)
             .options(lazyload("*")))
    filtered = not (filters["gate"] is None and filters["state"] is None and filters["within"] is None)
    kept = queries_kept.fresh(db.session, on, policy, vetting)  # everyone's gates kept for today (services_states)
    in_python = filtered and not kept and not queries_states.supported(vetting)
    if kept:
        query = query.join(ENTRIES, ENTRIES.c.person_id == User.id).add_columns(ENTRIES.c.states, ENTRIES.c.until)
        if filtered:
            query = query.where(queries_kept.matching(policy, on, filters["gate"], filters["state"], filters["within"]))
    elif filtered and not in_python:
        query = query.where(queries_states.matching(
            policy, vetting, on, filters["gate"], filters["state"], filters["within"]))
    app = current_app._get_current_object()

    def generate() -> Iterator[str]:
        yield csv_line(["Volunteer", "Email", "Areas", "Released", *[g.staff for g in policy.gates], "Good until"])
        with app.app_context():
            rows = db.session.execute(query.execution_options(yield_per=EXPORT_CHUNK))
            decider = rules.Decider(policy, vetting, on)  # one for the whole export: its batches share decisions
            batches = rows.partitions()
            while True:
                with collector_paused():
                    batch = next(batches, None)
                    chunk = ("" if batch is None else _kept_batch(batch) if kept
                             else _export_batch(batch, filters, decider, in_python))
                if batch is None:
                    break
                if chunk:
                    yield chunk  # a batch's lines as one piece of the response: fewer, larger writes
            rows.close()
            db.session.rollback()

    return generate()


def _export_batch(batch, filters: dict, decider: rules.Decider, in_python: bool) -> str:
    """The CSV text for one batch of (id, name, email): three more kinds of query, whatever the batch's size."""
    ids = [row[0] for row in batch]
    found, released, areas = readiness_for(ids, decider=decider), _released(ids), _area_names(ids)
    rows = []
    for user_id, full_name, email in batch:
        readiness, is_released = found[user_id], user_id in released
        if in_python and not matches_filters(readiness, is_released, filters["gate"], filters["state"], filters["within"]):
            continue
        rows.append(_export_row(User.name_of(full_name, email), email, areas.get(user_id, ()), readiness, is_released))
    return csv_text(rows)


def _kept_batch(batch) -> str:
    """The CSV text for one batch of (id, name, email, kept states, good until): two more queries, nothing decided."""
    ids = [row[0] for row in batch]
    released, areas = _released(ids), _area_names(ids)
    labels = {letter: state.label for letter, state in queries_kept.STATE_OF.items()}
    return csv_text([safe_cell(User.name_of(full_name, email)), safe_cell(email), ", ".join(areas.get(user_id, ())),
                     "yes" if user_id in released else "no", *[labels[letter] for letter in states],
                     until.isoformat() if until else ""]
                    for user_id, full_name, email, states, until in batch)


@contextmanager
def collector_paused():
    """Python's cycle collector off while one batch is read and built (never across a yield).

    A batch makes a few hundred thousand small objects (rows, facts, outcomes) that live until its lines are
    written; the collector would otherwise walk the whole heap again and again as they pile up (half the
    export's time at 50,000 volunteers). None of them is in a reference cycle, so reference counting frees them
    all when the batch is done, and memory stays the same."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _released(ids: list[int]) -> set[int]:
    return set(plain_rows(select(MentorStanding.volunteer_id).where(
        among(MentorStanding.volunteer_id, ids), MentorStanding.status == Standing.RELEASED)).scalars())


def _area_names(ids: list[int]) -> dict[int, list[str]]:
    """Each person's area names, in the areas' order (as User.areas gives them)."""
    from app.core.models import user_areas

    found: dict[int, list[str]] = defaultdict(list)
    for user_id, name in plain_rows(
            select(user_areas.c.user_id, Area.name).join(Area, Area.id == user_areas.c.area_id)
            .where(among(user_areas.c.user_id, ids)).order_by(user_areas.c.user_id, Area.position)):
        found[user_id].append(name)
    return found


def _export_row(name: str, email: str, areas: list[str], readiness: rules.Readiness, released: bool) -> list[str]:
    until = readiness.until
    return [safe_cell(name), safe_cell(email), ", ".join(areas),
            "yes" if released else "no", *[o.state.label for o in readiness.outcomes],
            until.isoformat() if until else ""]
