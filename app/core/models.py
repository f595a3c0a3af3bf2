"""Areas of County Durham and Darlington, kept as data the scheme can edit."""
from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db

# The areas a person works in: a volunteer mentors there, a coordinator covers it.
user_areas = Table(
    "user_areas",
    db.metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", Integer, ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_user_areas_area_id", "area_id", "user_id"),  # an area's people (coordinators' lists start here)
)


class Area(db.Model):
    """A local area of the scheme (Darlington and County Durham's fourteen local areas)."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    places: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        return f"<Area {self.name}>"

    @property
    def label(self) -> str:
        """'Derwent Valley (Consett)' for choice lists."""
        return f"{self.name} ({self.places})" if self.places else self.name
