"""Expense claims and their lines, receipts, saved journeys, drivers' yearly confirmations, payment batches.

Money is integer pence; miles are kept in tenths of a mile (whole numbers), so nothing is ever a float.
"""
import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.actions import Versioned
from app.auth.models import Role, User
from app.db_types import UTCDateTime, enum_column, utcnow
from app.expenses import rules
from app.expenses.rules import Vehicle
from app.extensions import db


class ClaimStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    QUERIED = "queried"
    APPROVED = "approved"
    REJECTED = "rejected"
    PAID = "paid"

    @property
    def label(self) -> str:
        return {"queried": "Sent back with a question"}.get(self.value, self.value.capitalize())

    @property
    def frozen(self) -> bool:
        """Approved and paid claims never change: a correction is a reversing line on a new claim."""
        return self in (ClaimStatus.APPROVED, ClaimStatus.PAID)

    @property
    def counted(self) -> bool:
        """Claims whose miles count toward the 10,000 (everything but a rejected claim)."""
        return self is not ClaimStatus.REJECTED


class LineKind(enum.StrEnum):
    MILEAGE = "mileage"
    PUBLIC_TRANSPORT = "public_transport"
    PARKING = "parking"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"public_transport": "Public transport"}.get(self.value, self.value.capitalize())


OPEN_DRAFT = "status = 'draft'"


class Claim(Versioned, db.Model):
    """One volunteer's claim: lines of journeys and costs, moving draft -> submitted -> approved -> paid."""

    noun = "claim"
    __tablename__ = "expense_claims"
    __table_args__ = (Index("uq_expense_claims_one_draft", "claimant_id", unique=True,
                            sqlite_where=text(OPEN_DRAFT), postgresql_where=text(OPEN_DRAFT)),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claimant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[ClaimStatus] = mapped_column(enum_column(ClaimStatus, "claim_status", 20), default=ClaimStatus.DRAFT,
                                                index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str | None] = mapped_column(Text)  # the approver's question or reason, shown to the volunteer
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("expense_batches.id"), index=True)

    claimant: Mapped[User] = relationship(foreign_keys=[claimant_id], lazy="joined", innerjoin=True)
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id], lazy="joined")
    lines: Mapped[list["Line"]] = relationship(back_populates="claim", cascade="all, delete-orphan",
                                               order_by="(Line.spent_on, Line.id)", lazy="selectin")
    batch: Mapped["Batch | None"] = relationship(back_populates="claims", lazy="joined")

    @property
    def total_pence(self) -> int:
        return sum(line.pence for line in self.lines)

    @property
    def oldest(self) -> date | None:
        return min((line.spent_on for line in self.lines), default=None)

    @property
    def editable(self) -> bool:
        return self.status in (ClaimStatus.DRAFT, ClaimStatus.QUERIED)

    def can_edit(self, user) -> bool:
        """Only the claimant changes a claim, and only while it is a draft or sent back with a question."""
        return user.id == self.claimant_id and self.editable

    def can_approve(self, user) -> bool:
        """A manager, or a coordinator covering the claimant's area; never the claimant."""
        if user.id == self.claimant_id:
            return False
        if user.has_role(Role.MANAGER):
            return True
        return user.has_role(Role.COORDINATOR) and bool({a.id for a in user.areas} & {a.id for a in self.claimant.areas})

    def can_view(self, user) -> bool:
        return user.id == self.claimant_id or self.can_approve(user)


line_passengers = Table(
    "expense_line_passengers", db.metadata,
    Column("line_id", ForeignKey("expense_lines.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Line(db.Model):
    """One journey or cost on a claim. Mileage is priced by the rate engine; other costs at the receipt amount."""

    __tablename__ = "expense_lines"
    # The finance page lists everyone with approved or paid lines in a tax year: their claims found from the
    # year's part of this index alone, not from each line's row.
    __table_args__ = (Index("ix_expense_lines_spent_on_claim", "spent_on", "claim_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("expense_claims.id", ondelete="CASCADE"), index=True)
    kind: Mapped[LineKind] = mapped_column(enum_column(LineKind, "expense_line_kind", 20))
    spent_on: Mapped[date] = mapped_column(Date)  # indexed with claim_id (above)
    description: Mapped[str] = mapped_column(String(200), default="")
    stream: Mapped[str] = mapped_column(String(40))  # funding stream key from policy/expenses.toml
    # mileage
    from_place: Mapped[str | None] = mapped_column(String(120))
    to_place: Mapped[str | None] = mapped_column(String(120))
    miles_tenths: Mapped[int | None] = mapped_column(Integer)
    vehicle: Mapped[Vehicle | None] = mapped_column(enum_column(Vehicle, "expense_vehicle", 20))
    training_session_id: Mapped[int | None] = mapped_column(ForeignKey("training_sessions.id", ondelete="SET NULL"),
                                                            index=True)
    # "A pair cannot both claim mileage for one contact": see services_lines.double_pay_problem.
    priced: Mapped[list | None] = mapped_column(JSON)  # the engine's lines, for showing the calculation
    # every line
    pence: Mapped[int] = mapped_column(Integer, default=0)
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("expense_receipts.id", ondelete="SET NULL"), index=True)
    # A correction to an approved claim: this line reverses that one (negative miles and pence), on a new claim.
    reverses_line_id: Mapped[int | None] = mapped_column(ForeignKey("expense_lines.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    claim: Mapped[Claim] = relationship(back_populates="lines")
    passengers: Mapped[list[User]] = relationship(secondary=line_passengers, lazy="selectin", order_by=User.full_name)
    receipt: Mapped["Receipt | None"] = relationship(lazy="joined")
    training_session = relationship("TrainingSession", lazy="joined")

    @property
    def miles(self) -> Decimal | None:
        return self.miles_of(self.miles_tenths)

    @staticmethod
    def miles_of(miles_tenths: int | None) -> Decimal | None:
        return None if miles_tenths is None else Decimal(miles_tenths) / 10

    @property
    def priced_lines(self) -> list[rules.PricedLine]:
        return [rules.PricedLine.from_dict(p) for p in (self.priced or [])]

    @property
    def calculation(self) -> str:
        return self.calculation_of(self.kind, self.priced, self.reverses_line_id)

    @staticmethod
    def calculation_of(kind: LineKind, priced: list | None, reverses_line_id: int | None) -> str:
        """The calculation in words, from a line's columns (the finance export reads them as plain rows)."""
        lines = [rules.PricedLine.from_dict(p) for p in (priced or [])]
        if reverses_line_id is not None:
            return "Reverses a line paid before" + (f": {rules.describe(lines)}" if priced else "")
        return rules.describe(lines) if kind is LineKind.MILEAGE else "At the receipt amount"

    @property
    def title(self) -> str:
        return self.title_of(self.kind, self.from_place, self.to_place, self.description, self.reverses_line_id)

    @staticmethod
    def title_of(kind: LineKind, from_place: str | None, to_place: str | None, description: str,
                 reverses_line_id: int | None) -> str:
        """What the line is for, from its columns: 'Darlington to Durham', 'Parking: hospital car park'."""
        correction = "Correction: " if reverses_line_id is not None else ""
        if kind is LineKind.MILEAGE:
            return f"{correction}{from_place} to {to_place}"
        return correction + (f"{kind.label}: {description}" if description else kind.label)


class Receipt(db.Model):
    """An uploaded receipt, stored outside static/ under a random name; served only to the claimant and approvers."""

    __tablename__ = "expense_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    extension: Mapped[str] = mapped_column(String(5))
    size_bytes: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SavedJourney(db.Model):
    """A journey a volunteer makes often (home to a venue), so claiming it again takes two taps."""

    __tablename__ = "expense_saved_journeys"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_expense_saved_journeys_user_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    from_place: Mapped[str] = mapped_column(String(120))
    to_place: Mapped[str] = mapped_column(String(120))
    miles_tenths: Mapped[int] = mapped_column(Integer)
    vehicle: Mapped[Vehicle] = mapped_column(enum_column(Vehicle, "expense_vehicle", 20))

    @property
    def miles(self) -> Decimal:
        return Decimal(self.miles_tenths) / 10


class DriverYear(db.Model):
    """A driver's confirmation for one tax year (licence valid, insurer told), and miles driven for others."""

    __tablename__ = "expense_driver_years"
    __table_args__ = (UniqueConstraint("user_id", "tax_year", name="uq_expense_driver_years_user_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    tax_year: Mapped[int] = mapped_column(Integer)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    other_miles_tenths: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def other_miles(self) -> Decimal:
        return Decimal(self.other_miles_tenths) / 10


class Batch(Versioned, db.Model):
    """A payment run: the approved claims exported together, then marked paid with a date and a reference."""

    noun = "payment batch"
    __tablename__ = "expense_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    paid_on: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(60))
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    claims: Mapped[list[Claim]] = relationship(back_populates="batch", lazy="raise", order_by=Claim.id)
