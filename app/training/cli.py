"""Command-line tasks: `flask courses sync` and `flask training close-registers` (for cron)."""
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db

courses_cli = AppGroup("courses", help="The course catalogue in courses/*.toml.")
training_cli = AppGroup("training", help="Training housekeeping for cron.")


@courses_cli.command("sync")
def courses_sync():
    """Load every course file (all or nothing), then add venues from policy/venues.toml."""
    from app.training.services_catalogue import CatalogueError, sync_courses, sync_venues

    try:
        added, updated, retired = sync_courses(Path(current_app.config["COURSES_DIR"]))
        venues = sync_venues(Path(current_app.config["POLICY_DIR"]) / "venues.toml")
    except CatalogueError as exc:
        db.session.rollback()
        raise click.ClickException(f"Nothing was loaded. {exc}") from exc
    db.session.commit()
    click.echo(f"courses: {added} added, {updated} updated, {retired} retired; venues: {venues} added")


@training_cli.command("close-registers")
@click.option("--now", "now_text", help="Pretend it is this UTC time (YYYY-MM-DDTHH:MM), for testing.")
def close_registers(now_text):
    """Close registers whose marking window has passed; anyone unmarked becomes absent."""
    from app.training.services_registers import close_due_registers

    now = datetime.fromisoformat(now_text).replace(tzinfo=UTC) if now_text else datetime.now(UTC)
    closed = close_due_registers(now)
    db.session.commit()
    click.echo(f"registers: {len(closed)} closed")


@training_cli.command("seed-demo")
def seed_demo():
    """Schedule a few demo sessions taught by trainer@example.org, and give volunteer@example.org a past
    session or two with a certificate (development only)."""
    from app.training.demo import seed_demo_attendance, seed_demo_sessions

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("training seed-demo refuses to run under the production config.")
    made = seed_demo_sessions()
    attended = seed_demo_attendance()
    db.session.commit()
    click.echo(f"training: {made} demo sessions scheduled")
    if attended:
        click.echo(f"training: volunteer@example.org attended {attended} past sessions and holds a certificate")
