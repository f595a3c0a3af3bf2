"""`flask vetting remind` and `flask vetting purge`, meant for cron (both safe to run as often as you like)."""
import sys
from datetime import date

import click
from flask.cli import AppGroup

from app.core.policy import PolicyFileError
from app.extensions import db
from app.timefmt import today_london
from app.urls import portal_url_context

vetting_cli = AppGroup("vetting", help="DBS and police vetting: reminders and retention.")


def _today(value: str | None) -> date:
    if value is None:
        return today_london()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use the form YYYY-MM-DD, like 2027-02-28", param_hint="--today") from None


def _progress(choice: bool | None) -> bool:
    return sys.stderr.isatty() if choice is None else choice


def _policy():
    from app.vetting.policy import current_policy

    try:
        return current_policy()
    except PolicyFileError as exc:
        raise click.ClickException(str(exc)) from exc


@vetting_cli.command("remind")
@click.option("--today", help="Run as if today were this date (YYYY-MM-DD).")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: when run in a terminal).")
def remind(today, progress):
    """E-mail volunteers and coordinators before rechecks, status checks and expiries (once per lead time)."""
    from app.vetting.services_reminders import send_reminders

    day, policy, progress = _today(today), _policy(), _progress(progress)
    # Render e-mails at the portal's public address, so their links work.
    with portal_url_context():
        sent = send_reminders(day, policy, progress=progress)
        db.session.commit()
    if today is None:  # the day's work lists, written before the first coordinator looks (services_lists)
        from app.vetting import services_lists

        services_lists.ensure(day, policy)
    click.echo(f"vetting: {sent} reminders sent")


@vetting_cli.command("purge")
@click.option("--today", help="Run as if today were this date (YYYY-MM-DD).")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar (default: when run in a terminal).")
def purge(today, progress):
    """Delete disclosure notes, self-declarations and application notes past the retention period (audited)."""
    from app.applications.services_retention import purge_application_notes
    from app.vetting.services_reminders import purge_notes

    day, policy = _today(today), _policy()
    purged = purge_notes(day, policy, progress=_progress(progress))
    applications = purge_application_notes(day, policy.note_retention_months)
    db.session.commit()
    click.echo(f"vetting: {purged} disclosure notes and self-declarations purged")
    click.echo(f"applications: notes of {applications} decided applications purged")
