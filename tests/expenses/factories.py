"""Expenses factories: volunteers who drive, claims with journeys and costs."""
import io
from datetime import date
from decimal import Decimal

from PIL import Image

from app.auth.models import Role
from app.expenses import rules, services, services_lines
from app.expenses.models import Claim, ClaimStatus
from app.extensions import db
from tests.factories import make_user


def make_driver(areas=("Durham",), year: int | None = None, other_miles: str = "0", **kwargs):
    """A volunteer who has confirmed their licence and insurance for a tax year (this one by default)."""
    person = make_user(Role.VOLUNTEER, areas=areas, **kwargs)
    services_lines.confirm_driver(person, year or rules.tax_year_of(date.today()), Decimal(other_miles))
    db.session.commit()
    return person


def journey(on: date, miles: str, to: str = "Durham", vehicle: str = "car", passengers=(), frm: str = "Home", **kwargs):
    return services_lines.Journey(spent_on=on, from_place=frm, to_place=to, miles=Decimal(miles),
                                  vehicle=rules.Vehicle(vehicle), passengers=list(passengers), **kwargs)


def photo_bytes(fmt: str = "JPEG", exif_gps: bool = False, size=(40, 30)) -> bytes:
    """A small real photo; with GPS EXIF data when asked."""
    image = Image.new("RGB", size, (200, 120, 40))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x8825] = {1: "N", 2: (54.0, 46.0, 36.0), 3: "W", 4: (1.0, 34.0, 12.0)}  # GPS info
        image.save(out, format=fmt, exif=exif)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def make_claim(person, journeys=(), costs=(), submit: bool = False) -> Claim:
    """A draft claim (submitted if asked) holding these journeys and costs."""
    claim = services.start_claim(person)
    for item in journeys:
        services_lines.add_journey(claim, person, item)
    for item in costs:
        services_lines.add_cost(claim, person, item)
    if submit:
        services.submit_claim(claim, person, date.today())
    db.session.commit()
    return claim


def decide(claim, by, decision: str, comment: str | None = None) -> Claim:
    services.decide_claim(claim, by, decision, comment)
    db.session.commit()
    return claim


def approved_claim(person, approver, journeys) -> Claim:
    claim = make_claim(person, journeys, submit=True)
    decide(claim, approver, "approve")
    assert claim.status is ClaimStatus.APPROVED
    return claim
