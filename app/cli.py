"""Command-line tasks: `flask seed-demo`, `flask areas sync`, `flask maintenance purge-throttle`,
`flask retention sweep`."""
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
    app.cli.add_command(retention_cli)


retention_cli = AppGroup("retention", help="The retention schedule in policy/retention.toml.")


@retention_cli.command("sweep")
@click.option("--today", help="Run as if today were this date (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Say what would be anonymised, and change nothing.")
def retention_sweep(today, dry_run):
    """Anonymise what the retention schedule says is due (each sweep audited; safe to run again)."""
    from datetime import date

    from app.applications.services_retention import anonymise_unsuccessful, unsuccessful_months
    from app.core.policy import PolicyFileError
    from app.timefmt import today_london

    try:
        day = date.fromisoformat(today) if today else today_london()
    except ValueError:
        raise click.BadParameter("use the form YYYY-MM-DD, like 2027-02-28", param_hint="--today") from None
    try:
        months = unsuccessful_months()
    except PolicyFileError as exc:
        raise click.ClickException(str(exc)) from exc
    count = anonymise_unsuccessful(day, months, dry_run=dry_run)
    if dry_run:
        db.session.rollback()
        click.echo(f"retention (dry run): {count} declined or withdrawn applications would be anonymised")
    else:
        db.session.commit()
        click.echo(f"retention: {count} declined or withdrawn applications anonymised")


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
    db.session.commit()
    for email in created:
        click.echo(f"created {email}")
    if created or updated:
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
