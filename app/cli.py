"""Command-line tasks: `flask seed-demo`, `flask areas sync`, `flask maintenance purge-throttle`,
`flask audit verify`, `flask mail retry`, `flask db backup`, `flask retention sweep`, `flask seed-scale`."""
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate.cli import db as db_cli

from app.extensions import db


def register(app) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(seed_scale)
    app.cli.add_command(areas_cli)
    app.cli.add_command(maintenance_cli)
    app.cli.add_command(audit_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(retention_cli)


retention_cli = AppGroup("retention", help="The retention schedule in policy/retention.toml.")


@retention_cli.command("sweep")
@click.option("--today", help="Run as if today were this date (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Say what would be anonymised or deleted, and change nothing.")
@click.option("--batch-size", default=200, show_default=True, type=click.IntRange(1, 10000),
              help="Records handled per batch.")
def retention_sweep(today, dry_run, batch_size):
    """Anonymise, delete and prune what policy/retention.toml says is due (audited once; safe to run again).

    Declined and withdrawn applications, leavers' records, finance records past their period, and audit
    events past their horizon (the chain still verifies). A progress bar shows on a terminal."""
    from datetime import date

    from tqdm import tqdm

    from app.core.policy import PolicyFileError
    from app.errors import DomainError
    from app.privacy.policy import current_policy
    from app.privacy.services import run_sweep
    from app.timefmt import today_london

    try:
        day = date.fromisoformat(today) if today else today_london()
    except ValueError:
        raise click.BadParameter("use the form YYYY-MM-DD, like 2027-02-28", param_hint="--today") from None
    try:
        policy = current_policy()
    except PolicyFileError as exc:
        raise click.ClickException(str(exc)) from exc
    from app.core.services_locks import run_lock

    bars = []

    def progress(label, total):
        bar = tqdm(total=total, desc=label, unit="", disable=None, file=sys.stderr, leave=False)  # None: only on a terminal
        bars.append(bar)
        return bar.update

    with run_lock("retention.sweep") as mine:
        if not mine:
            click.echo("retention: another sweep is running; nothing done")
            return
        try:
            result = run_sweep(day, policy, dry_run=dry_run, batch_size=batch_size, progress=progress)
        except DomainError as exc:
            db.session.rollback()
            raise click.ClickException(exc.describe()) from exc
        finally:
            for bar in bars:
                bar.close()
        c = result.counts
        would = "would be " if dry_run else ""
        lines = [
            f"{c['applications_anonymised']} declined or withdrawn applications {would}anonymised",
            f"{c['leavers_anonymised']} leavers {would}anonymised",
            f"{c['claims_deleted']} expense claims, {c['receipts_deleted']} receipts and "
            f"{c['driver_years_deleted']} drivers' yearly confirmations {would}deleted",
            f"{c['audit_events_pruned']} audit events {would}pruned",
        ]
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    prefix = "retention (dry run): " if dry_run else "retention: "
    click.echo("\n".join(prefix + line for line in lines))


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
    from app.demo import seed_vetting_demo

    vetted = seed_vetting_demo()
    db.session.commit()
    if vetted:
        click.echo("volunteer@example.org has an identity check, a self-declaration with a disclosure and an "
                   "approval with a condition, confirmed by manager@example.org")
    if volunteers:
        click.echo(f"created {volunteers} demo volunteers at every stage of readiness (same password), "
                   "a released pair and a client")
    for email in created:
        click.echo(f"created {email}")
    if created or updated or volunteers:
        click.echo(f"Demo password for {'new' if generated else 'all'} accounts: {password}")
    else:
        click.echo("Demo accounts already exist; passwords unchanged (set DEMO_PASSWORD to reset them).")


@click.command("seed-scale")
@click.option("--volunteers", "count", type=click.IntRange(1, 1_000_000), required=True,
              help="How many people to add (about 70% become volunteers; the rest are applicants in every state).")
@click.option("--seed", default=1, show_default=True, help="The random seed: the same seed gives the same data.")
def seed_scale(count, seed):
    """Bulk-add realistic histories for COUNT people, for scale tests and benchmarks. Refuses production."""
    import os
    import time

    from tqdm import tqdm

    from app.core.services_scale import estimate_rows
    from app.core.services_scale import seed_scale as run

    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("seed-scale refuses to run under the production config: it adds thousands of "
                                   "made-up people.")
    started = time.monotonic()
    password = os.environ.get("SCALE_PASSWORD", "scale-password")
    from app.auth.passwords import hash_password

    with tqdm(total=estimate_rows(count), unit="rows", desc="seed-scale", file=sys.stderr) as bar:
        report = run(count, seed=seed, password_hash=hash_password(password), progress=bar.update)
        db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        # Planner statistics and visibility maps for the bulk-loaded tables now, not whenever autovacuum gets
        # to them (or never, where it is off, as on this project's machines): without statistics PostgreSQL
        # plans the list pages as if the tables were empty (seconds instead of milliseconds); without the
        # visibility map every index-only read goes back to the table (the vetting list at 50,000 people:
        # 61,000 buffers, 43,000 after VACUUM). VACUUM cannot run inside a transaction: autocommit.
        from sqlalchemy import text

        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    took = time.monotonic() - started
    click.echo(f"seed-scale: {report.people} people ({report.volunteers} volunteers), {report.total_rows:,} rows "
               f"in {took:.1f} s")
    for role, emails in report.staff.items():
        shown = ", ".join(emails[:3]) + (f" and {len(emails) - 3} more" if len(emails) > 3 else "")
        click.echo(f"  {role}: {shown}")
    click.echo(f"  staff password: {'$SCALE_PASSWORD' if 'SCALE_PASSWORD' in os.environ else password}")


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
    """Delete attempt counters whose window began over a day ago (no limit window is longer)."""
    from app.throttle import purge_older_than

    removed = purge_older_than(timedelta(days=1))
    db.session.commit()
    click.echo(f"throttle: {removed} old attempt counters removed")


audit_cli = AppGroup("audit", help="The audit log.")


@audit_cli.command("verify")
def audit_verify():
    """Check every audit row against its hash and the row before it; name the first that fails."""
    from app.audit import verify_chain

    result = verify_chain()
    if not result.ok:
        row = result.broken_row
        where = (f"row {row.id} ({row.occurred_at:%Y-%m-%d %H:%M:%S} UTC, {row.action})" if row is not None
                 else "the end of the log")
        intact = {0: "", 1: " The 1 row before it is intact."}.get(result.rows,
                                                                   f" The {result.rows} rows before it are intact.")
        raise click.ClickException(f"The audit log is broken at {where}: {result.problem}.{intact}")
    if result.rows == 0:
        click.echo("audit: the log is empty")
        return
    from app.audit import latest_pruning

    anchor = latest_pruning()
    if anchor is not None:
        click.echo(f"audit: rows up to {anchor.through_id} were pruned under the retention schedule; the chain "
                   f"is checked from that row's hash ({anchor.through_hash[:16]}...).")
    click.echo(f"audit: all {result.rows} rows verified. The newest hash is {result.last_hash}; keep a copy "
               "somewhere else, since a log rewritten from the start would not match it.")


mail_cli = AppGroup("mail", help="Outgoing e-mail.")


@mail_cli.command("retry")
@click.option("--stuck-after", default=5, show_default=True,
              help="Report a message as stuck once this many attempts have failed.")
def mail_retry(stuck_after):
    """Send e-mails that failed before and are due again (each gap doubles); report any that are stuck."""
    from app.email import retry_pending

    report = retry_pending(stuck_after)
    click.echo(f"mail: {report.sent} sent, {report.waiting} still waiting")
    for message in report.stuck:
        click.echo(f"stuck: message {message.id} to {message.recipient} ({message.subject!r}), "
                   f"{message.attempts} attempts since {message.created_at:%Y-%m-%d %H:%M} UTC; "
                   f"last error: {message.last_error}", err=True)
    if report.stuck:
        count = "1 e-mail" if len(report.stuck) == 1 else f"{len(report.stuck)} e-mails"
        raise click.ClickException(f"{count} could not be sent in {stuck_after} or more attempts. "
                                   "Check MAIL_SERVER and its logs; they will still be retried.")


@db_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def db_backup(path):
    """Copy the SQLite database to PATH while the portal keeps running (on PostgreSQL, use pg_dump)."""
    from app.backup import BackupError, backup_sqlite, check_target, page_count

    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException("This database is PostgreSQL: back it up with pg_dump, for example "
                                   "`pg_dump --format=custom --file=portal.dump \"$DATABASE_URL\"` "
                                   "(see Backup and restore in the README).")
    if not url.database or url.database == ":memory:":
        raise click.ClickException("This SQLite database is in memory: there is no file to back up.")
    try:
        check_target(path)
        with click.progressbar(length=page_count(url.database), label="Backing up", file=sys.stderr) as bar:
            def advance(done, total):
                bar.length = total
                bar.update(done - bar.pos)

            check = backup_sqlite(url.database, path, progress=advance)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    if check != "ok":
        raise click.ClickException(f"The copy at {path} failed its integrity check: {check}")
    click.echo(f"db: backed up to {path} (integrity check: ok)")
