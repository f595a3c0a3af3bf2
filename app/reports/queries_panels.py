"""The dashboard's panels and the funder report's tables, built from the SQL aggregates in queries.py.

A panel is a title, a description, a chart (a data: URL of an SVG) with its alternative text, and a table of
the same numbers; a report table is a title, its headings and rows, and which columns count people (those
follow the small-number rule, in the page and in the CSV). Each panel and table runs a fixed number of queries.
"""
from dataclasses import dataclass, field

from flask import url_for

from app.expenses.policy import policy as expenses_policy
from app.reports import queries, rules
from app.reports.policy import ReportsPolicy
from app.reports.rules_charts import bars, lines


@dataclass
class Panel:
    key: str
    title: str
    description: str
    head: list[str]
    rows: list[list]          # each cell: text, or {"text": ..., "href": ...}
    chart: str | None = None  # a data: URL
    alt: str = ""
    notes: list[str] = field(default_factory=list)
    numeric: tuple[int, ...] = ()  # columns (after the first) shown right-aligned; the rest are too by default


def _n(value) -> str:
    return f"{value:,}" if isinstance(value, int) else ("" if value is None else str(value))


def _args(scope: queries.Scope, area_id) -> dict:
    return {"area": area_id or "", "start": scope.start.isoformat(), "end": scope.end.isoformat()}


def pipeline(scope: queries.Scope, numbers: queries.StageNumbers | None = None) -> Panel:
    """numbers: queries.stage_numbers(scope), when the page has read them already (for time_in_stage too)."""
    numbers = numbers or queries.stage_numbers(scope)
    counts, by_month = numbers.counts, numbers.by_month
    months = rules.months_between(scope.start, scope.end)
    rows = [[label, _n(counts[key]), _n(sum(by_month[key].values()))] for key, label in queries.STAGES]
    rows.append(["Active in pairs today", _n(counts["active"]), "Not counted by date"])
    series = [(label, [by_month[key].get(m, 0) for m in months]) for key, label in queries.STAGES]
    chart = lines([rules.month_short(m) for m in months], series)
    month_rows = [[rules.month_label(m), *[_n(by_month[k].get(m, 0)) for k, _ in queries.STAGES]] for m in months]
    panel = Panel(
        "pipeline", "The pipeline",
        "People who have reached each stage of becoming a mentor, and how many reached it in each month of the "
        "chosen dates. A stage counts once the stages before it are reached too.",
        ["Stage", "Reached by today", "Reached in the chosen dates"], rows, chart,
        "Line chart of people reaching each stage per month; the numbers are in the tables.")
    panel.month_head = ["Month", *[label for _, label in queries.STAGES]]
    panel.month_rows = month_rows
    return panel


def time_in_stage(scope: queries.Scope, numbers: queries.StageNumbers | None = None) -> Panel:
    found = (numbers or queries.stage_numbers(scope)).time
    labels = dict(queries.STAGES)
    rows, names, medians, p90s = [], [], [], []
    for key, label in queries.STAGES[:-1]:
        item = found[key]
        rows.append([label, _n(item["people"]), _n(item["median"]) if item["people"] else "No one yet",
                     _n(item["p90"]) if item["people"] else "No one yet"])
        names.append(label)
        medians.append(item["median"])
        p90s.append(item["p90"])
    chart = bars(names, [("Median days", medians), ("90th percentile days", p90s)], horizontal=True)
    return Panel(
        "time", "Time spent in each stage",
        "Days from reaching a stage to reaching the next, for the people who moved on in the chosen dates: the "
        "median (half took this long or less) and the 90th percentile (nine in ten took this long or less).",
        ["Stage", "People who moved on", "Median days", "90th percentile days"], rows, chart,
        "Bar chart of median and 90th percentile days in each stage; the numbers are in the table.",
        notes=[f"'{labels['applied']}' runs to acceptance; '{labels['released']}' runs to the first pairing."])


def gates(scope: queries.Scope) -> Panel:
    holding, total = queries.gates_holding(scope)
    top = max(holding, key=lambda item: item[1], default=None)
    rows = [[g.staff, _n(n)] for g, n in holding]
    chart = bars([g.staff for g, _ in holding], [("Volunteers held", [n for _, n in holding])], horizontal=True,
                 height=520)
    summary = (f"The gate holding the most people right now: {top[0].staff} ({top[1]:,} of {total:,})."
               if top and top[1] else f"No gate is holding anyone right now ({total:,} volunteers not released).")
    return Panel(
        "gates", "What is holding volunteers back", "For volunteers not released to client work today: how many "
        "each readiness gate is holding (one person may be held by several). " + summary,
        ["Gate", "Volunteers held"], rows, chart, "Bar chart of volunteers held at each gate; the numbers are in "
        "the table.", notes=[summary])


def lapses(scope: queries.Scope, area_id, policy: ReportsPolicy) -> Panel:
    windows = policy.lapse_windows
    found = queries.lapses(scope, windows)
    args = _args(scope, area_id)
    rows = []
    for kind, label in queries.LAPSE_KINDS:
        rows.append([label, *[{"text": _n(found[kind][d]), "href": url_for(
            "reports.lapsing", kind=kind, days=d, area=args["area"])} for d in windows]])
    agreement = found["agreement"]
    chart = bars([label for _, label in queries.LAPSE_KINDS],
                 [(f"Within {d} days", [found[k][d] for k, _ in queries.LAPSE_KINDS]) for d in windows])
    return Panel(
        "lapses", "What lapses soon",
        "Active volunteers whose DBS check, police vetting or adult safeguarding training is good today but "
        f"stops being good within {', '.join(map(str, windows[:-1]))} and {windows[-1]} days (each count "
        "includes the shorter windows). Each count opens the list of those people.",
        ["Check", *[f"Within {d} days" for d in windows]], rows, chart,
        "Bar chart of checks lapsing within each window; the numbers are in the table.",
        notes=[{"text": f"{agreement:,} active {'volunteer has' if agreement == 1 else 'volunteers have'} not "
                        "signed the current volunteer agreement (it does not lapse by date; a new version asks "
                        "everyone to sign again).",
                "href": url_for("reports.lapsing", kind="agreement", days=0, area=args["area"])}])


def areas(scope: queries.Scope) -> Panel:
    found = queries.volunteers_by_area(scope)
    chart = bars([name for name, _ in found], [("Active volunteers", [n for _, n in found])], horizontal=True,
                 height=max(240, 40 * len(found) + 80))
    return Panel("areas", "Volunteers by area", "Active volunteers in each area (a volunteer may work in more "
                 "than one).", ["Area", "Active volunteers"], [[name, _n(n)] for name, n in found], chart,
                 "Bar chart of active volunteers in each area; the numbers are in the table.")


def contacts(scope: queries.Scope) -> Panel:
    months = rules.months_between(scope.start, scope.end)
    found = queries.contacts_by_month(scope)
    rows = [[rules.month_label(m), _n(found.get(m, (0, 0))[0]), rules.hours(found.get(m, (0, 0))[1])] for m in months]
    total_contacts = sum(c for c, _ in found.values())
    total_minutes = sum(minutes for _, minutes in found.values())
    rows.append(["Total", _n(total_contacts), rules.hours(total_minutes)])
    chart = bars([rules.month_short(m) for m in months],
                 [("Hours", [round(found.get(m, (0, 0))[1] / 60, 1) for m in months])], whole=False)
    return Panel("hours", "Volunteering hours with clients", "Contacts mentors recorded with their clients, and "
                 "the hours they took, by month (clients' areas).", ["Month", "Contacts", "Hours"], rows, chart,
                 "Bar chart of volunteering hours per month; the numbers are in the table.")


def training(scope: queries.Scope) -> Panel:
    months = rules.months_between(scope.start, scope.end)
    found = queries.training_by_month(scope)
    empty = (0, 0, 0)
    rows = [[rules.month_label(m), _n(found.get(m, empty)[0]), _n(found.get(m, empty)[1]),
             rules.hours(found.get(m, empty)[2])] for m in months]
    rows.append(["Total", _n(sum(v[0] for v in found.values())), _n(sum(v[1] for v in found.values())),
                 rules.hours(sum(v[2] for v in found.values()))])
    chart = bars([rules.month_short(m) for m in months],
                 [("Hours of training attended", [round(found.get(m, empty)[2] / 60, 1) for m in months])],
                 whole=False)
    return Panel("training", "Training delivered", "Sessions held, attendances and hours of training attended "
                 "(each attendee's time there) by month.", ["Month", "Sessions", "Attendances", "Hours"], rows,
                 chart, "Bar chart of training hours per month; the numbers are in the table.")


# ---------------------------------------------------------------- funder reports


@dataclass
class Table:
    key: str
    title: str
    description: str
    head: list[str]
    rows: list[list]                      # raw values: int counts, str text
    people: frozenset[int] = frozenset()  # column indexes that count people (small-number rule)
    kinds: dict[int, str] = field(default_factory=dict)  # column index -> "hours" (minutes) or "money" (pence)

    def cell(self, column: int, value, policy: ReportsPolicy, plain: bool = False) -> str:
        """A cell as shown: people under the threshold as "fewer than 5"; hours and money in their units."""
        if column in self.people and isinstance(value, int):
            text = rules.shown(value, policy.threshold, policy.suppress_zero)
            return text.replace(",", "") if plain else text
        kind = self.kinds.get(column)
        if kind == "hours":
            text = rules.hours(value)
        elif kind == "money":
            text = rules.pounds(value)
        else:
            text = _n(value) if isinstance(value, int) else str(value)
        return text.replace(",", "") if plain else text

    def shown_rows(self, policy: ReportsPolicy, plain: bool = False) -> list[list[str]]:
        return [[self.cell(i, v, policy, plain) for i, v in enumerate(row)] for row in self.rows]


REPORT_TABLES = ("recruited", "lived-experience", "training", "released", "active", "contacts", "expenses")


def report_table(key: str, areas, period: rules.Period) -> Table:
    """One funder report table for the period (one query each)."""
    start, end = period.start, period.end
    if key == "recruited":
        return Table(key, "Volunteers recruited", "People whose application was accepted in the period, by area.",
                     ["Area", "People recruited"], [list(r) for r in queries.recruited_by_area(areas, start, end)],
                     frozenset({1}))
    if key == "lived-experience":
        from app.applications.rules import policy as applications_policy

        choices = list(applications_policy().lived_experience)
        counts = queries.lived_experience(areas, start, end, [c.value for c in choices])
        return Table(key, "Lived experience of the people recruited", "Of the people recruited in the period, how "
                     "many told us of each kind of lived experience (they may tell us of several, or none).",
                     ["Lived experience", "People"], [[c.label, n] for c, n in zip(choices, counts, strict=True)],
                     frozenset({1}))
    if key == "training":
        rows = [[title, sessions, attendances, minutes, people]
                for title, sessions, attendances, minutes, people in queries.training_by_course(areas, start, end)]
        total = ["All courses", sum(r[1] for r in rows), sum(r[2] for r in rows), sum(r[3] for r in rows),
                 "Not added up (one person may complete several)"]
        return Table(key, "Training delivered and completed", "Per course: sessions held in the period, "
                     "attendances, hours attended (each attendee's time there) and people who completed it.",
                     ["Course", "Sessions", "Attendances", "Hours attended", "People completing"], [*rows, total],
                     frozenset({4}), {3: "hours"})
    if key == "released":
        return Table(key, "Volunteers released", "People released to client work for the first time in the "
                     "period, by area.", ["Area", "People released"],
                     [list(r) for r in queries.released_by_area(areas, start, end)], frozenset({1}))
    if key == "active":
        return Table(key, "Volunteers active in pairs", "People in a pairing with a client at any time in the "
                     "period, by area.", ["Area", "People active"],
                     [list(r) for r in queries.active_by_area(areas, start, end)], frozenset({1}))
    if key == "contacts":
        contacts, minutes, pairs, clients = queries.contacts_in_period(areas, start, end)
        return Table(key, "Contacts and hours in pairs", "Contacts mentors had with their clients in the period "
                     "(clients' areas).", ["Measure", "Number"],
                     [["Contacts", contacts], ["Hours", rules.hours(minutes)], ["Pairs with a contact", pairs],
                      ["Clients with a contact", clients]], frozenset(), {})
    if key == "expenses":
        streams = expenses_policy().streams
        found = queries.expenses_by_stream(areas, start, end)
        keys = list(streams) + [k for k in found if k not in streams]
        rows = [[streams[k].label if k in streams else k, streams[k].cost_code if k in streams else "",
                 found.get(k, (0, 0))[0], found.get(k, (0, 0))[1]] for k in keys]
        rows.append(["All streams", "", sum(v[0] for v in found.values()),
                     "Not added up (one person may claim from several)"])
        return Table(key, "Expenses paid by funding stream", "Expenses in payment batches paid in the period, by "
                     "the funding stream of each line.", ["Funding stream", "Cost code", "Paid", "People paid"],
                     rows, frozenset({3}), {2: "money"})
    raise KeyError(key)
