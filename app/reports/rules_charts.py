"""Charts drawn on the server as SVG by pygal: numbers in, an SVG document out. No I/O.

Each chart is shown as an <img> of a data: URL (the Content-Security-Policy allows `img-src data:`), so it needs
no JavaScript (pygal's is left out: js=[]) and its own styles stay inside the image, never in the page. Every
chart on a page has an HTML title, a description and a table of the same numbers beside it.
"""
import base64

import pygal
from pygal.style import Style

# GOV.UK Frontend's colours, in an order that stays apart for common colour-vision deficiencies.
COLOURS = ("#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c", "#505a5f", "#912b88")
STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#0b0c0c", foreground_strong="#0b0c0c",
    foreground_subtle="#505a5f", colors=COLOURS, font_family="Arial, sans-serif",
    label_font_size=13, major_label_font_size=13, legend_font_size=14, value_font_size=13, title_font_size=16,
    opacity="1", opacity_hover="1",
)


def _config(**kwargs) -> dict:
    return {"js": [], "style": STYLE, "width": 720, "height": 360, "disable_xml_declaration": True,
            "show_y_guides": True, "print_values": False, "legend_at_bottom": True, "truncate_legend": -1,
            "truncate_label": -1, "margin": 16, "no_data_text": "Nothing to show", "tooltip_border_radius": 0,
            **kwargs}


def data_url(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def whole_ticks(series: list[tuple[str, list]]) -> list[int]:
    """Axis ticks in whole numbers (counts of people are never 0.2): steps of 1, 2, 5, 10, 20, 50... so there
    are at most about ten."""
    top = int(max((v for _, values in series for v in values if v is not None), default=0))
    step, multipliers = 1, iter([2, 2.5, 2] * 20)
    while top / step > 10:
        step = int(step * next(multipliers))
    return list(range(0, top + step, step)) if top else [0, 1]


def bars(labels: list[str], series: list[tuple[str, list]], horizontal: bool = False, height: int | None = None,
         stacked: bool = False, whole: bool = True) -> str:
    """A bar chart: one bar per label for each series (counts: whole-number ticks). Returns a data: URL."""
    kind = pygal.HorizontalBar if horizontal else (pygal.StackedBar if stacked else pygal.Bar)
    extra = {"height": height} if height else {}
    if whole:
        extra["y_labels"] = whole_ticks(series)
    chart = kind(**_config(show_legend=len(series) > 1, x_label_rotation=0 if horizontal or len(labels) <= 8 else 40,
                           **extra))
    if horizontal:  # pygal draws the first label at the bottom: reverse, so the chart reads down like its table
        labels, series = labels[::-1], [(name, values[::-1]) for name, values in series]
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    return data_url(chart.render(is_unicode=True))


def lines(labels: list[str], series: list[tuple[str, list]]) -> str:
    """A line chart over months: one line per series. Returns a data: URL of the SVG."""
    chart = pygal.Line(**_config(show_legend=len(series) > 1, x_label_rotation=40 if len(labels) > 8 else 0,
                                 dots_size=3, stroke_style={"width": 3}, y_labels=whole_ticks(series)))
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    return data_url(chart.render(is_unicode=True))
