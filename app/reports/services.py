"""The dashboard's panels and the funder report's tables, from a snapshot less than `fresh_minutes` old
(policy/reports.toml) or worked out and kept. Two people asking at once may both work them out; the later write
wins, and both see correct numbers."""
import hashlib
from collections.abc import Callable
from dataclasses import asdict, fields
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from app.db_types import upsert
from app.extensions import db
from app.reports import queries
from app.reports.models import DashboardSnapshot
from app.reports.policy import ReportsPolicy
from app.reports.queries_panels import Panel, Table

PANEL_FIELDS = {f.name for f in fields(Panel)}
EXTRAS = ("month_head", "month_rows")  # set on some panels after they are made


SNAPSHOT_VERSION = 1  # raise when what a snapshot holds changes shape, so older ones are never read


def snapshot_key(scope: queries.Scope, area_id: int | None, settings: ReportsPolicy) -> str:
    """Whose numbers (the areas), for which dates, as of which day, under which policies (reports, and the
    readiness and vetting rules the gate and lapse panels follow), in which shape."""
    from app.readiness.policy import current_policy as readiness_policy
    from app.vetting.policy import current_policy as vetting_policy

    areas = "all" if scope.areas is None else ",".join(str(a) for a in sorted(scope.areas))
    text = (f"dashboard|v{SNAPSHOT_VERSION}|{areas}|{area_id}|{scope.start}|{scope.end}|{scope.today}|{settings!r}|"
            f"{readiness_policy()!r}|{vetting_policy()!r}")
    return hashlib.sha256(text.encode()).hexdigest()


def _to_json(panel: Panel) -> dict:
    data = asdict(panel)
    data.update({name: getattr(panel, name) for name in EXTRAS if hasattr(panel, name)})
    return data


def _from_json(data: dict) -> Panel:
    panel = Panel(**{k: v for k, v in data.items() if k in PANEL_FIELDS})
    panel.numeric = tuple(panel.numeric)
    for name in EXTRAS:
        if name in data:
            setattr(panel, name, data[name])
    return panel


def report_key(areas, area_id: int | None, period_key: str, today, settings: ReportsPolicy) -> str:
    """Whose numbers (the areas), for which period, as of which day, under which policies (reports; the
    applications' lived-experience choices and the expenses' streams name the tables' rows), in which shape."""
    from app.applications.rules import policy as applications_policy
    from app.expenses.policy import policy as expenses_policy

    chosen = "all" if areas is None else ",".join(str(a) for a in sorted(areas))
    lived = [(c.value, c.label) for c in applications_policy().lived_experience]
    streams = [(k, s.label, s.cost_code) for k, s in expenses_policy().streams.items()]
    text = f"report|v{SNAPSHOT_VERSION}|{chosen}|{area_id}|{period_key}|{today}|{settings!r}|{lived!r}|{streams!r}"
    return hashlib.sha256(text.encode()).hexdigest()


def _table_to_json(table: Table) -> dict:
    return {"key": table.key, "title": table.title, "description": table.description, "head": table.head,
            "rows": table.rows, "people": sorted(table.people), "kinds": [[k, v] for k, v in table.kinds.items()]}


def _table_from_json(data: dict) -> Table:
    return Table(data["key"], data["title"], data["description"], list(data["head"]), [list(r) for r in data["rows"]],
                 frozenset(data["people"]), {int(k): v for k, v in data["kinds"]})


def _read_or_work_out(key: str, settings: ReportsPolicy, work_out: Callable[[], list], dump: Callable,
                      load: Callable, now: datetime | None, fresh: bool = True) -> tuple[list, datetime]:
    """fresh=False: work them out whatever is kept (`flask reports refresh`)."""
    now = now or datetime.now(UTC)
    fresh_after = now - timedelta(minutes=settings.fresh_minutes)
    found = fresh and db.session.execute(select(DashboardSnapshot.panels, DashboardSnapshot.computed_at)
                               .where(DashboardSnapshot.key == key,
                                      DashboardSnapshot.computed_at > fresh_after)).first()
    if found:
        try:
            return [load(p) for p in found.panels], found.computed_at
        except (TypeError, KeyError, ValueError):  # kept by another release: worked out again below
            current_app.logger.warning("Snapshot %s could not be read; working it out again", key[:12])
    made = work_out()
    _keep(key, [dump(p) for p in made], now)
    return made, now


def dashboard_panels(key: str, settings: ReportsPolicy, work_out: Callable[[], list[Panel]],
                     now: datetime | None = None) -> tuple[list[Panel], datetime]:
    """The panels and when they were worked out."""
    return _read_or_work_out(key, settings, work_out, _to_json, _from_json, now)


def report_tables(areas, area_id: int | None, period, today, settings: ReportsPolicy, now: datetime | None = None,
                  fresh: bool = True) -> tuple[list[Table], datetime]:
    """Every funder report table for the period (the page and each CSV read the same snapshot) and when they were
    worked out. At 50,000 people the aggregates take a few hundred milliseconds."""
    from app.reports.queries_panels import REPORT_TABLES, report_table

    key = report_key(areas, area_id, period.key, today, settings)
    return _read_or_work_out(key, settings, lambda: [report_table(name, areas, period) for name in REPORT_TABLES],
                             _table_to_json, _table_from_json, now, fresh)


def keep(key: str, panels: list[Panel], now: datetime) -> None:
    _keep(key, [_to_json(p) for p in panels], now)


def _keep(key: str, kept: list[dict], now: datetime) -> None:
    table = DashboardSnapshot.__table__
    statement = upsert(table).values(key=key, computed_at=now, panels=kept)
    statement = statement.on_conflict_do_update(
        index_elements=["key"], set_={"computed_at": statement.excluded.computed_at,
                                      "panels": statement.excluded.panels})
    db.session.execute(statement)
    db.session.commit()


def forget_old(now: datetime, older_than: timedelta = timedelta(days=1)) -> int:
    """Snapshots nobody will read again (their day has passed): removed by `flask reports refresh`."""
    gone = db.session.execute(delete(DashboardSnapshot).where(DashboardSnapshot.computed_at < now - older_than))
    db.session.commit()
    return gone.rowcount or 0
