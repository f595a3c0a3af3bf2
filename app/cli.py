"""Command-line tasks: `flask seed-demo`, `flask areas sync`, `flask maintenance purge-throttle`."""
import secrets
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.extensions import db


def register(app) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(areas_cli)
    app.cli.add_command(maintenance_cli)


@click.command("seed-demo")
def seed_demo():
    """Create one demo account per role (<role>@example.org). Refuses to run in production."""
    from app.demo import seed_demo_accounts

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("seed-demo refuses to run under the production config: a real deployment has no default accounts.")
    import os

    password = os.environ.get("DEMO_PASSWORD") or None
    generated = password is None
    if generated:
        password = "-".join(secrets.choice(WORDS) for _ in range(3)) + str(secrets.randbelow(100))
    created, updated = seed_demo_accounts(password, reset_existing=not generated)
    from app.demo import seed_readiness_demo

    volunteers = seed_readiness_demo(password)
    db.session.commit()
    if volunteers:
        click.echo(f"created {volunteers} demo volunteers at every stage of readiness (same password), "
                   "a released pair and a client")
    for email in created:
        click.echo(f"created {email}")
    if created or updated or volunteers:
        click.echo(f"Demo password for {'new' if generated else 'all'} accounts: {password}")
    else:
        click.echo("Demo accounts already exist; passwords unchanged (set DEMO_PASSWORD to reset them).")


WORDS = ["river", "bridge", "cathedral", "viaduct", "heather", "colliery", "lantern", "meadow", "harbour", "beacon"]

areas_cli = AppGroup("areas", help="The scheme's areas.")


@areas_cli.command("sync")
def areas_sync():
    """Add areas listed in policy/areas.toml that the database lacks."""
    from app.core.services import PolicyFileError, sync_areas

    path = Path(current_app.config["POLICY_DIR"]) / "areas.toml"
    try:
        added = sync_areas(path)
    except PolicyFileError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"areas: {added} added")


maintenance_cli = AppGroup("maintenance", help="Housekeeping for cron.")


@maintenance_cli.command("purge-throttle")
def purge_throttle():
    """Delete sign-in attempt counters older than a day."""
    from app.throttle import purge_older_than

    removed = purge_older_than(timedelta(days=1))
    db.session.commit()
    click.echo(f"throttle: {removed} old attempts removed")
