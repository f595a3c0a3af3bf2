"""The coordinators' queue: filters, counts per status, and one page, in a fixed number of queries."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.applications.models import Application, application_areas
from app.applications.rules import OPEN, Status
from app.core.models import Area
from app.db_types import utcnow
from app.timefmt import london_to_utc


@dataclass
class QueueFilter:
    status: str = ""          # "" open ones, "all", or a status value
    area: str = ""            # "" all areas, "mine", or an area id
    submitted_from: date | None = None
    submitted_to: date | None = None
    waiting: int | None = None


def _area_condition(area: str, my_area_ids: list[int]):
    if area == "mine":
        ids = my_area_ids or [-1]
    elif area.isdigit():
        ids = [int(area)]
    else:
        return None
    return Application.id.in_(select(application_areas.c.application_id).where(application_areas.c.area_id.in_(ids)))


def _conditions(f: QueueFilter, my_area_ids: list[int], now: datetime) -> list:
    # Only sent applications: a draft withdrawn before sending was never the coordinators' business.
    conditions = [Application.status != Status.DRAFT, Application.submitted_at.is_not(None)]
    area = _area_condition(f.area, my_area_ids)
    if area is not None:
        conditions.append(area)
    if f.submitted_from:
        conditions.append(Application.submitted_at >= london_to_utc(f.submitted_from, time()))
    if f.submitted_to:
        conditions.append(Application.submitted_at < london_to_utc(f.submitted_to + timedelta(days=1), time()))
    if f.waiting is not None:
        conditions.append(Application.submitted_at <= now - timedelta(days=f.waiting))
    return conditions


def queue_query(f: QueueFilter, my_area_ids: list[int], now: datetime | None = None):
    """Applications matching the filter, longest waiting first, with their areas loaded in one go."""
    conditions = _conditions(f, my_area_ids, now or utcnow())
    if f.status == "":
        conditions.append(Application.status.in_(OPEN))
    elif f.status != "all":
        conditions.append(Application.status == Status(f.status))
    return (select(Application).where(*conditions).options(selectinload(Application.areas))
            .order_by(Application.submitted_at, Application.id))


def status_counts(f: QueueFilter, my_area_ids: list[int], now: datetime | None = None) -> dict[Status, int]:
    """How many applications are at each status, under every filter but the status one (one query)."""
    rows = (select(Application.status, func.count()).where(*_conditions(f, my_area_ids, now or utcnow()))
            .group_by(Application.status))
    from app.extensions import db

    found = dict(db.session.execute(rows).all())
    return {s: found.get(s, 0) for s in Status if s != Status.DRAFT}


def area_choices(areas: list[Area], has_own: bool) -> list[tuple[str, str]]:
    mine = [("mine", "Your areas")] if has_own else []
    return mine + [("", "All areas")] + [(str(a.id), a.name) for a in areas]
