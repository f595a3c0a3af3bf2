"""Loading the areas list from policy/areas.toml."""
from pathlib import Path

from sqlalchemy import select

from app.core.models import Area
from app.core.policy import PolicyFileError, read_policy_file
from app.extensions import db

__all__ = ["PolicyFileError", "read_areas", "sync_areas"]


def read_areas(path: Path) -> list[dict]:
    areas = read_policy_file(path).get("area", [])
    for n, item in enumerate(areas, 1):
        if not isinstance(item.get("name"), str) or not item["name"].strip():
            raise PolicyFileError(f"{path}: area {n} needs a name")
    return areas


def sync_areas(path: Path) -> int:
    """Add areas from the file that the database lacks; returns how many were added. Idempotent."""
    existing = set(db.session.scalars(select(Area.name)))
    position = len(existing)
    added = 0
    for item in read_areas(path):
        if item["name"] in existing:
            continue
        position += 1
        db.session.add(Area(name=item["name"], places=item.get("places", ""), position=position, active=True))
        added += 1
    db.session.flush()
    return added
