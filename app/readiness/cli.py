"""`flask readiness sweep`, meant for cron daily (safe to run as often as you like, and twice at once), and
`flask readiness keep`, the sweep's last step on its own."""
import sys
from datetime import date

import click
from flask.cli import AppGroup

from app.core.policy import PolicyFileError
from app.timefmt import today_london
from app.urls import portal_url_context

readiness_cli = AppGroup("readiness", help="Readiness: stand-downs and warnings.")


def _today(value: str | None) -> date:
    if value is None:
        return today_london()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use the form YYYY-MM-DD, like 2027-02-28", param_hint="--today") from None


def _day_and_progress(today: str | None, progress: bool | None) -> tuple[date, bool]:
    """The day asked for, and whether to show a progress bar, once both policy files are known to read."""
    from app.readiness.policy import current_policy
    from app.vetting.policy import current_policy as vetting_policy

    day = _today(today)
    try:
        current_policy(), vetting_policy()
    except PolicyFileError as exc:
        raise click.ClickException(str(exc)) from exc
    return day, sys.stderr.isatty() if progress is None else progress


@readiness_cli.command("sweep")
@click.option("--today", help="Run as if today were this date (YYYY-MM-DD).")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: when run in a terminal).")
def sweep_command(today, progress):
    """Stand down released volunteers with a failing gate; warn before training lapses (each once)."""
    from app.readiness.services_sweep import sweep

    day, progress = _day_and_progress(today, progress)
    with portal_url_context():
        stood_down, warned = sweep(day, progress=progress)
    click.echo(f"readiness: {stood_down} stood down, {warned} warnings sent")


@readiness_cli.command("keep")
@click.option("--today", help="Keep them as of this date (YYYY-MM-DD), as the sweep does.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: when run in a terminal).")
def keep_command(today, progress):
    """Work out everyone's gate states again for the readiness list and its CSV (the daily sweep does this too)."""
    from app.readiness.services_states import refresh

    day, progress = _day_and_progress(today, progress)
    done = refresh(day, progress=progress)
    click.echo(f"readiness: gate states kept for {day.isoformat()}" + ("" if done else " (already kept)"))
