"""Jinja, made cheaper where every page pays: imports of macro templates, and GOV.UK Frontend's commonest macros.

Every page imports fifteen or so GOV.UK macro templates, and every GOV.UK component imports its attributes
macro again each time it is called (a table of 25 rows: about 110 imports). Jinja checks each import's globals
with a set difference against a ChainMap's KeysView, which runs key by key in Python (collections.abc); the same
difference taken by `set.difference` runs in C. Same result, same modules.

`govukAttributes` (govuk_frontend_jinja/macros/attributes.html) turns a component's `attributes` into
` name="value"` pairs; as a macro it costs about 60 microseconds a call, and a 25-row table calls it once per
cell. `govuk_attributes` is the same rule in Python, and `govuk_table` and `govuk_summary_list` are the table and
summary list macros (every list page and record page), each exported by a template of the same path under
app/templates/govuk_frontend_jinja/ (which the app's loader finds before the package's); tests/test_templating.py
renders the package's macro and ours on the same inputs and requires the same HTML.
"""
from collections.abc import Mapping

from flask.templating import Environment
from jinja2 import Template, Undefined
from markupsafe import Markup, escape


class PortalTemplate(Template):
    def _get_default_module(self, ctx=None):
        """Jinja 3.1's rule (an import sees the importer's extra globals), with the set difference in C."""
        if ctx is not None:
            keys = ctx.globals_keys.difference(self.globals)
            if keys:
                return self.make_module({k: ctx.parent[k] for k in keys})
        if self._module is None:
            self._module = self.make_module()
        return self._module


class PortalEnvironment(Environment):
    template_class = PortalTemplate


def _missing(value) -> bool:
    """The macro's `value in [undefined, null]`: both names are undefined in Jinja, so only Undefined matches."""
    return isinstance(value, Undefined)


def _get(mapping: Mapping, key: str):
    """Jinja's `mapping.key`: the item, or undefined when there is none."""
    try:
        return mapping[key]
    except (KeyError, TypeError):
        return Undefined(name=key)


def govuk_attributes(attributes) -> Markup:
    """GOV.UK Frontend's govukAttributes macro (v5, as in govuk-frontend-jinja 4.1.0), in Python."""
    html = attributes if isinstance(attributes, str) else ""
    if isinstance(attributes, Mapping) and attributes:
        for name, value in attributes.items():
            if isinstance(value, Mapping) and not _missing(_get(value, "val")) and len(value):
                value = _get(value, "val")
            if isinstance(value, Mapping):
                options_value, optional = _get(value, "value"), _get(value, "optional")
            else:
                options_value, optional = (str(value).lower() if isinstance(value, bool) else value), False
            if optional is True and options_value is True:
                html = f"{html} {_out(name)}"
            elif optional is not True or not (_missing(options_value) or options_value is None
                                                or options_value is False):
                html = f'{html} {_out(name)}="{_out(options_value)}"'
    return Markup(html)


def _out(value) -> Markup:
    """`{{ value }}` under autoescape: nothing for undefined, the escaped text otherwise (None is 'None')."""
    return Markup("") if _missing(value) else escape(value)


def _content(item) -> Markup:
    """`item.html | safe if item.html else item.text`."""
    html = _get(item, "html")
    return Markup(html) if html else _out(_get(item, "text"))


def _extra(item, name: str, prefix: str = " ") -> str:
    """` {{ item.name }}` when the item has a value for it (the macro's `{%- if item.name %} ...{% endif %}`)."""
    value = _get(item, name)
    return f"{prefix}{_out(value)}" if value else ""


def _spans(item) -> str:
    colspan, rowspan = _get(item, "colspan"), _get(item, "rowspan")
    return ((f' colspan="{_out(colspan)}"' if colspan else "") + (f' rowspan="{_out(rowspan)}"' if rowspan else "")
            + str(govuk_attributes(_get(item, "attributes"))))


def govuk_table(params) -> Markup:
    """GOV.UK Frontend's govukTable macro (govuk-frontend-jinja 4.1.0) in Python: the same elements, classes and
    attributes; only the whitespace between tags differs."""
    parts = [f'<table class="govuk-table{_extra(params, "classes")}"{govuk_attributes(_get(params, "attributes"))}>']
    if _get(params, "caption"):
        parts.append(f'<caption class="govuk-table__caption{_extra(params, "captionClasses")}">'
                     f'{_out(_get(params, "caption"))}</caption>')
    head = _get(params, "head")
    if head:
        parts.append('<thead class="govuk-table__head"><tr class="govuk-table__row">')
        for item in head:
            parts.append(f'<th scope="col" class="govuk-table__header{_extra(item, "format", " govuk-table__header--")}'
                         f'{_extra(item, "classes")}"{_spans(item)}>{_content(item)}</th>')
        parts.append("</tr></thead>")
    parts.append('<tbody class="govuk-table__body">')
    first_is_header = _get(params, "firstCellIsHeader")
    for row in _get(params, "rows") or ():
        if not row:
            continue
        parts.append('<tr class="govuk-table__row">')
        for index, cell in enumerate(row):
            if index == 0 and first_is_header:
                parts.append(f'<th scope="row" class="govuk-table__header{_extra(cell, "classes")}"{_spans(cell)}>'
                             f'{_content(cell)}</th>')
            else:
                parts.append(f'<td class="govuk-table__cell{_extra(cell, "format", " govuk-table__cell--")}'
                             f'{_extra(cell, "classes")}"{_spans(cell)}>{_content(cell)}</td>')
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return Markup("\n".join(parts))


def _block(item) -> Markup:
    """`item.html | safe | trim if item.html else item.text`: the summary list's keys, values and titles."""
    html = _get(item, "html")
    return Markup(str(html).strip()) if html else _out(_get(item, "text"))


def _items(actions) -> list:
    """`actions['items']` when there are any (the macros' `actions and actions['items'] | length`)."""
    return list(_get(actions, "items") or ()) if actions else []


def _action_link(action, card_title) -> str:
    hidden, text = _get(action, "visuallyHiddenText"), _content(action)
    link = f'<a class="govuk-link{_extra(action, "classes")}" href="{_out(_get(action, "href"))}"' \
           f'{govuk_attributes(_get(action, "attributes"))}>{text}'
    if hidden or card_title:
        link += '<span class="govuk-visually-hidden">' + (f" {_out(hidden)}" if hidden else "")
        if card_title:
            link += f" ({_content(card_title)})"
        link += "</span>"
    return link + "</a>"


def _action_list(items: list, card_title, list_class: str, item_class: str) -> str:
    links = "".join(f'<li class="{item_class}">{_action_link(a, card_title)}</li>' for a in items)
    return f'<ul class="{list_class}">{links}</ul>'


def govuk_summary_list(params) -> Markup:
    """GOV.UK Frontend's govukSummaryList macro (govuk-frontend-jinja 4.1.0) in Python, card and actions too: the
    same elements, classes and attributes; only the whitespace between tags differs."""
    rows = _get(params, "rows") or ()
    card = _get(params, "card")
    card_title = _get(card, "title") if card else None
    any_actions = any(row and _items(_get(row, "actions")) for row in rows)
    parts = [f'<dl class="govuk-summary-list{_extra(params, "classes")}"{govuk_attributes(_get(params, "attributes"))}>']
    for row in rows:
        if not row:
            continue
        actions = _get(row, "actions")
        items = _items(actions)
        key, value = _get(row, "key"), _get(row, "value")
        parts.append(f'<div class="govuk-summary-list__row'
                     f'{" govuk-summary-list__row--no-actions" if any_actions and not items else ""}'
                     f'{_extra(row, "classes")}">'
                     f'<dt class="govuk-summary-list__key{_extra(key, "classes")}">{_block(key)}</dt>'
                     f'<dd class="govuk-summary-list__value{_extra(value, "classes")}">{_block(value)}</dd>')
        if items:
            links = _action_link(items[0], card_title) if len(items) == 1 else _action_list(
                items, card_title, "govuk-summary-list__actions-list", "govuk-summary-list__actions-list-item")
            parts.append(f'<dd class="govuk-summary-list__actions{_extra(actions, "classes")}">{links}</dd>')
        parts.append("</div>")
    parts.append("</dl>")
    summary = "\n".join(parts)
    if not card:
        return Markup(summary)
    head = ""
    if card_title:
        heading = _get(card_title, "headingLevel") or 2
        head = f'<h{heading} class="govuk-summary-card__title{_extra(card_title, "classes")}">' \
               f'{_block(card_title)}</h{heading}>'
    card_actions = _get(card, "actions")
    items = _items(card_actions)
    if items:
        classes = f"govuk-summary-card__actions{_extra(card_actions, 'classes')}"
        head += f'<div class="{classes}">{_action_link(items[0], card_title)}</div>' if len(items) == 1 else \
            _action_list(items, card_title, classes, "govuk-summary-card__action")
    return Markup(f'<div class="govuk-summary-card{_extra(card, "classes")}"{govuk_attributes(_get(card, "attributes"))}>'
                  f'<div class="govuk-summary-card__title-wrapper">{head}</div>'
                  f'<div class="govuk-summary-card__content">{summary}</div></div>')


__all__ = ["PortalEnvironment", "PortalTemplate", "govuk_attributes", "govuk_summary_list", "govuk_table"]
