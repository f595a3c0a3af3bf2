"""`flask reports refresh`, for cron every few minutes: the dashboard's and the funder report's default views
(the last months; this quarter) worked out before anyone opens them (every area, and each coordinator's areas),
and snapshots older than a day removed."""
from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from app.urls import portal_url_context

reports_cli = AppGroup("reports", help="The managers' dashboard.")


@reports_cli.command("refresh")
def refresh_command():
    """Work out the dashboard's and funder report's default views (all areas; each coordinator's areas) and drop
    old snapshots."""
    from sqlalchemy import select

    from app.auth.models import Role, User, UserRole
    from app.extensions import db
    from app.reports import queries, rules, services
    from app.reports.policy import policy
    from app.reports.views import work_out_panels
    from app.timefmt import today_london

    settings, today, now = policy(), today_london(), datetime.now(UTC)
    start, end = queries_dates(settings, today)
    quarter = rules.current_quarter(today)
    coordinators = db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id)
                                      .where(UserRole.role == Role.COORDINATOR, User.deactivated_at.is_(None))).all()
    scopes = {None} | {tuple(sorted(a.id for a in queries.scoped_areas(c))) for c in coordinators}
    with portal_url_context():
        for areas in sorted(scopes, key=lambda a: (a is not None, a or ())):
            scope = queries.Scope(areas, start, end, today)
            services.keep(services.snapshot_key(scope, None, settings), work_out_panels(scope, None, settings), now)
            services.report_tables(areas, None, quarter, today, settings, now=now, fresh=False)
    gone = services.forget_old(now)
    click.echo(f"reports: {len(scopes)} dashboards and {len(scopes)} funder reports worked out, "
               f"{gone} old snapshots removed")


def queries_dates(settings, today):
    from app.reports import rules

    return rules.months_back(today, settings.default_months), today
