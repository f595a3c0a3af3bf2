"""app/templating.py: GOV.UK Frontend's attributes and table macros done in Python give the package's HTML, and
macro imports behave as Jinja's own do."""
import re

import pytest
from jinja2 import DictLoader, Environment, PackageLoader, PrefixLoader
from markupsafe import Markup

from app.templating import PortalEnvironment, govuk_attributes, govuk_summary_list, govuk_table


@pytest.fixture(scope="module")
def package():
    """The package's own macros, in an environment set up as the app's (autoescape, trimmed blocks)."""
    env = Environment(loader=PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
                      autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env


def _render(env, source: str, **context) -> str:
    return env.from_string(source).render(**context)


def _squeezed(html: str) -> str:
    """The HTML with the whitespace between tags and runs of spaces taken out (what a browser ignores)."""
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).replace(" >", ">").replace("> ", ">") \
        .replace(" <", "<").strip()


ATTRIBUTES = [
    None, {}, "", ' data-x="1"', Markup(' data-safe="<b>"'),
    {"data-label": "Name"}, {"aria-hidden": True}, {"aria-hidden": False}, {"aria-hidden": "true"},
    {"hidden": None}, {"hidden": ""}, {"count": 3}, {"title": 'Say "hi" & <go>'},
    {"hidden": {"value": True, "optional": True}}, {"hidden": {"value": False, "optional": True}},
    {"hidden": {"value": None, "optional": True}}, {"hidden": {"value": "", "optional": True}},
    {"hidden": {"optional": True}}, {"hidden": {"value": "x"}}, {"hidden": {"value": "x", "optional": False}},
    {"data-safe": {"val": Markup("<i>x</i>")}}, {"data-none": {"val": None}}, {"a": 1, "b": "two", "c": True},
    {"<odd name>": "v"},
]


@pytest.mark.parametrize("attributes", ATTRIBUTES, ids=[repr(a)[:40] for a in ATTRIBUTES])
def test_attributes_are_the_macros(package, attributes):
    expected = _render(package, '{% from "govuk_frontend_jinja/macros/attributes.html" import govukAttributes %}'
                                "[{{ govukAttributes(a) }}]", a=attributes)
    assert _render(package, "[{{ f(a) }}]", f=govuk_attributes, a=attributes) == expected


TABLES = [
    {"rows": []},
    {"rows": [[{"text": "a"}, {"text": "b"}]]},
    {"caption": "People", "captionClasses": "govuk-visually-hidden", "firstCellIsHeader": True, "classes": "x y",
     "attributes": {"id": "people"},
     "head": [{"text": "Name"}, {"html": "<abbr>No.</abbr>", "format": "numeric", "classes": "w"},
              {"text": "Span", "colspan": 2, "rowspan": 1, "attributes": {"data-x": "1"}}],
     "rows": [[{"html": '<a href="/p/1">Ann &amp; Bo</a>'}, {"text": 3, "format": "numeric"},
               {"text": "<not html>", "classes": "c", "colspan": 2}],
              [],
              [{"text": "Cy"}, {"text": None}, {"html": ""}, {"text": "", "attributes": {"data-label": "Span"}}]]},
    {"head": [{"text": "Only"}], "rows": [[{"text": "first", "classes": "k"}]], "firstCellIsHeader": False},
]


@pytest.mark.parametrize("params", TABLES, ids=range(len(TABLES)))
def test_table_is_the_macros(package, params):
    expected = _render(package, '{% from "govuk_frontend_jinja/components/table/macro.html" import govukTable %}'
                                "{{ govukTable(p) }}", p=params)
    ours = _render(package, "{{ f(p) }}", f=govuk_table, p=params, govuk_attributes=govuk_attributes)
    assert _squeezed(ours) == _squeezed(expected)


ROW = {"key": {"text": "Name"}, "value": {"text": "Ann <Bo>"}}
ACTION = {"href": "/change?a=1&b=2", "text": "Change", "visuallyHiddenText": "name"}
SUMMARIES = [
    {"rows": []},
    {"rows": [ROW]},
    {"classes": "govuk-summary-list--no-border", "attributes": {"id": "s"},
     "rows": [ROW, None, {"key": {"html": " <b>Key</b> ", "classes": "k"}, "value": {"html": "<p>a\nb</p>", "classes": "v"},
                          "classes": "r", "actions": {"items": [ACTION]}},
              {"key": {"text": "Two"}, "value": {"text": 2},
               "actions": {"classes": "ac", "items": [ACTION, {"href": "/x", "html": "<i>Remove</i>",
                                                               "classes": "govuk-link--no-visited-state",
                                                               "attributes": {"data-x": "1"}}]}},
              {"key": {"text": "Empty actions"}, "value": {"text": ""}, "actions": {"items": []}}]},
    {"card": {"title": {"text": "Ready & waiting"}}, "rows": [ROW, {**ROW, "actions": {"items": [ACTION]}}]},
    {"card": {"title": {"html": "<span>Card</span>", "headingLevel": 3, "classes": "t"}, "classes": "c",
              "attributes": {"id": "card"}, "actions": {"classes": "ca", "items": [{"href": "/e", "text": "Edit"}]}},
     "rows": [ROW]},
    {"card": {"title": {"text": "Many"}, "actions": {"items": [{"href": "/e", "text": "Edit"},
                                                              {"href": "/d", "text": "Delete"}]}},
     "rows": [{**ROW, "actions": {"items": [{"href": "/c", "text": "Change"}]}}]},
    {"card": {"actions": {"items": [{"href": "/e", "text": "Edit", "visuallyHiddenText": "it"}]}}, "rows": [ROW]},
]


@pytest.mark.parametrize("params", SUMMARIES, ids=range(len(SUMMARIES)))
def test_summary_list_is_the_macros(package, params):
    expected = _render(package, '{% from "govuk_frontend_jinja/components/summary-list/macro.html" '
                                'import govukSummaryList %}{{ govukSummaryList(p) }}', p=params)
    ours = _render(package, "{{ f(p) }}", f=govuk_summary_list, p=params)
    assert _squeezed(ours) == _squeezed(expected)


def test_the_app_uses_them(app):
    """Every template's govukAttributes and govukTable are the Python ones, and pages still render them."""
    env = app.jinja_env
    assert isinstance(env, PortalEnvironment)
    module = env.get_template("govuk_frontend_jinja/components/table/macro.html").module
    assert module.govukTable is govuk_table
    with app.test_request_context():
        html = env.from_string('{% from "govuk_frontend_jinja/components/tag/macro.html" import govukTag %}'
                               '{{ govukTag({"text": "Ready", "attributes": {"id": "t"}}) }}').render()
    assert 'id="t"' in html and "Ready" in html


def test_an_import_sees_the_importers_extra_globals(app):
    """Jinja's rule kept: an imported template sees the globals its importer was given, and the module made
    for that import is not the one other importers get."""
    env = PortalEnvironment(app, loader=DictLoader({"lib": "{% macro m() %}[{{ extra }}]{% endmacro %}"}))
    plain = env.from_string("{% import 'lib' as l %}{{ l.m() }}")
    assert plain.render() == "[]"
    with_extra = env.from_string("{% import 'lib' as l %}{{ l.m() }}", globals={"extra": "seen"})
    assert with_extra.render() == "[seen]"
    assert plain.render() == "[]"
