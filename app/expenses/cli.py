"""Command-line tasks: `flask expenses seed-demo` (development data for `make run`)."""
import io
from datetime import timedelta
from decimal import Decimal

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db

expenses_cli = AppGroup("expenses", help="Expenses: demo data.")


def _receipt_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 120), "white")
    ImageDraw.Draw(image).text((10, 40), "CAR PARK  2hrs  GBP 3.20", fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def seed_demo_expenses(email: str = "volunteer@example.org") -> bool:
    """The demo volunteer drives: a confirmation for this tax year, a saved journey, and a submitted claim."""
    from app.auth.models import User
    from app.expenses import rules, services, services_lines
    from app.expenses.models import Claim, LineKind
    from app.timefmt import today_london

    person = db.session.scalar(select(User).where(User.email == email))
    if person is None or db.session.scalar(select(Claim.id).where(Claim.claimant_id == person.id)):
        return False
    today = today_london()
    services_lines.confirm_driver(person, rules.tax_year_of(today), Decimal(0))
    services_lines.save_journey(person, "Home to Darlington Community Hub", "DL3 6AA", "Darlington Community Hub",
                                Decimal("4.8"), rules.Vehicle.CAR)
    claim = services.start_claim(person)
    day = max(today - timedelta(days=3), rules.tax_year_bounds(rules.tax_year_of(today))[0])
    services_lines.add_journey(claim, person, services_lines.Journey(
        spent_on=day, from_place="DL3 6AA", to_place="Darlington Community Hub", miles=Decimal("9.6"),
        vehicle=rules.Vehicle.CAR, description="There and back, meeting a client with my mentoring partner"))
    services_lines.add_cost(claim, person, services_lines.Cost(LineKind.PARKING, day, "Parking at the Hub", 320,
                                                               _receipt_png()))
    services.submit_claim(claim, person, today)
    return True


@expenses_cli.command("seed-demo")
def seed_demo():
    """Give the demo volunteer a saved journey and a submitted claim (development only)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("seed-demo refuses to run under the production config.")
    made = seed_demo_expenses()
    db.session.commit()
    click.echo("expenses: demo claim made" if made else "expenses: demo data already there (or no demo volunteer)")
