"""For tests that write with today's models into an old schema: the kept tables' state rows (app/kept.py) that
every commit of someone's records reads, as empty tables (nothing kept, so nothing is worked out or written)."""
from sqlalchemy import text

from app.extensions import db

STATE_TABLES = {
    "vetting_list_state": "policy_key VARCHAR(64), refreshed_at TIMESTAMP",  # from 0029
    "readiness_state": "policy_key VARCHAR(64), building_day DATE, building_key VARCHAR(64), "
                       "refreshed_at TIMESTAMP",  # from 0030
    "people_stage_state": "policy_key VARCHAR(64), refreshed_at TIMESTAMP",  # from 0031
}


def create_kept_state_tables() -> None:
    for name, columns in STATE_TABLES.items():
        db.session.execute(text(f"CREATE TABLE IF NOT EXISTS {name} (id INTEGER PRIMARY KEY, on_day DATE, {columns})"))
