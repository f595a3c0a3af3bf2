"""The managers' dashboard and the funder reports: managers see every area, coordinators the areas they cover."""

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_login import current_user

from app.auth.models import Role
from app.csvout import csv_chunks, safe_cell
from app.navigation import register_nav
from app.pagination import govuk_pagination, paginate_counted
from app.permissions import area_scope, roles_required
from app.reports import forms, queries, queries_panels, rules, services
from app.reports.cli import reports_cli
from app.reports.policy import policy
from app.timefmt import today_london

bp = Blueprint("reports", __name__)
bp.record_once(lambda state: state.app.cli.add_command(reports_cli))
STAFF = (Role.COORDINATOR, Role.MANAGER)
register_nav("Dashboard", "reports.dashboard", *STAFF, order=28)
register_nav("Reports", "reports.funder", *STAFF, order=29)
LAPSE_WORDS = dict(queries.LAPSE_KINDS) | {"agreement": "Current volunteer agreement not signed"}


def _area_choices(form, areas) -> None:
    every = "All areas" if area_scope(current_user) is None else "All your areas"
    form.area.choices = [("", every)] + [(str(a.id), a.name) for a in areas]


def _chosen_areas(form, areas) -> tuple[tuple[int, ...] | None, int | None]:
    """The areas the numbers cover: the one chosen (only one of the staff member's own), else all of theirs."""
    chosen = int(form.area.data) if form.area.data and not form.area.errors else None
    if chosen is not None:
        return (chosen,), chosen
    scope = area_scope(current_user)
    return (None if scope is None else tuple(a.id for a in areas)), None


def _dates(form, today, settings):
    """The chosen dates: as given; a missing end is today (or the start, if later); a missing start is the
    policy's number of months before the end. No form (bad dates): the policy's default months to today."""
    given_start = form.start.data if form else None
    given_end = form.end.data if form else None
    end = given_end or (given_start if given_start and given_start > today else today)
    return given_start or rules.months_back(end, settings.default_months), end


@bp.route("/dashboard")
@roles_required(*STAFF)
def dashboard():
    """The scheme at a glance for the chosen area and dates: each panel a chart and a table of its numbers."""
    settings, today = policy(), today_london()
    areas = queries.scoped_areas(current_user)
    form = forms.DashboardForm(request.args)
    _area_choices(form, areas)
    valid = form.validate()
    start, end = _dates(form if valid else None, today, settings)
    if valid and len(rules.months_between(start, end)) > settings.max_months:
        form.end.errors.append(f"The dates can be at most {settings.max_months} months apart")
        start, end = _dates(None, today, settings)
    chosen, area_id = _chosen_areas(form, areas)
    scope = queries.Scope(chosen, start, end, today)
    panels, worked_out_at = services.dashboard_panels(services.snapshot_key(scope, area_id, settings), settings,
                                                      lambda: work_out_panels(scope, area_id, settings))
    area_name = next((a.name for a in areas if a.id == area_id), None)
    return render_template("reports/dashboard.html", form=form, panels=panels, scope=scope, area_name=area_name,
                           today=today, worked_out_at=worked_out_at, fresh_minutes=settings.fresh_minutes)


def work_out_panels(scope: queries.Scope, area_id: int | None, settings) -> list:
    stages = queries.stage_numbers(scope)  # one read of everyone's stage dates for the first two panels
    return [queries_panels.pipeline(scope, stages), queries_panels.time_in_stage(scope, stages),
            queries_panels.gates(scope),
            queries_panels.lapses(scope, area_id, settings), queries_panels.areas(scope),
            queries_panels.contacts(scope), queries_panels.training(scope)]


@bp.route("/dashboard/lapsing/<kind>/<int:days>")
@roles_required(*STAFF)
def lapsing(kind, days):
    """The people behind one lapse count, by name, paginated (coordinators: people in their areas only)."""
    settings, today = policy(), today_london()
    if kind not in LAPSE_WORDS or (kind == "agreement") != (days == 0) or (
            kind != "agreement" and days not in settings.lapse_windows):
        abort(404)
    areas = queries.scoped_areas(current_user)
    form = forms.DashboardForm(request.args)
    _area_choices(form, areas)
    form.validate()
    chosen, area_id = _chosen_areas(form, areas)
    scope = queries.Scope(chosen, today, today, today)
    pager = paginate_counted(queries.lapsing_people(kind, scope, days), settings.per_page)
    ends = queries.lapse_days(kind, [p.id for p in pager.items], today)
    return render_template("reports/lapsing.html", kind=kind, days=days, words=LAPSE_WORDS[kind], pager=pager,
                           ends=ends, today=today, area_name=next((a.name for a in areas if a.id == area_id), None),
                           area_id=area_id, pagination=govuk_pagination(pager, "reports.lapsing", kind=kind, days=days))


def _report_filters():
    today = today_london()
    areas = queries.scoped_areas(current_user)
    form = forms.ReportForm(request.args)
    _area_choices(form, areas)
    periods = rules.periods_to_choose(today)
    form.period.choices = [(p.key, p.label) for p in periods]
    valid = form.validate()
    period = (rules.parse_period(form.period.data) if valid and form.period.data else None) or \
        rules.current_quarter(today)
    chosen, area_id = _chosen_areas(form, areas)
    if not form.period.data:
        form.period.data = period.key
    return form, period, chosen, next((a.name for a in areas if a.id == area_id), None), area_id


@bp.route("/reports")
@roles_required(*STAFF)
def funder():
    """The numbers funders ask for, for a financial quarter or year: tables, each with a CSV download."""
    form, period, chosen, area_name, area_id = _report_filters()
    settings = policy()
    tables, worked_out_at = services.report_tables(chosen, area_id, period, today_london(), settings)
    return render_template("reports/funder.html", form=form, period=period, tables=tables, area_name=area_name,
                           area_id=area_id, settings=settings, worked_out_at=worked_out_at,
                           fresh_minutes=settings.fresh_minutes)



@bp.route("/reports/<table>.csv")
@roles_required(*STAFF)
def funder_csv(table):
    """One funder table as a CSV file, streamed, with the small-number rule applied as on the page."""
    if table not in queries_panels.REPORT_TABLES:
        abort(404)
    form, period, chosen, area_name, area_id = _report_filters()
    settings = policy()
    tables, _ = services.report_tables(chosen, area_id, period, today_london(), settings)
    found = next(t for t in tables if t.key == table)
    rows = found.shown_rows(settings, plain=True)

    lines = ([found.title], [period.label], [f"Area: {area_name or 'All areas in scope'}"], [], found.head, *rows)
    name = f"{table}-{period.key}.csv"
    return Response(csv_chunks([safe_cell(str(v)) for v in values] for values in lines), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.app_template_global()
def report_csv_url(table: str, period, area_id) -> str:
    return url_for("reports.funder_csv", table=table, period=period.key, area=area_id or "")

