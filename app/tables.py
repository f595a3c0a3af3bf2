"""Tables that become stacked cards on a phone: one mechanism for every wide table."""
from markupsafe import Markup

STACK_CLASS = "cpm-table--stack"


def stacked(params: dict) -> dict:
    """govukTable params, with each cell labelled by its column heading so a phone can show it as a card.

    Use as `govukTable(stacked({...}))`; the CSS for `.cpm-table--stack` in assets/portal.scss does the rest.
    """
    labels = [_plain(head) for head in params.get("head", [])]
    rows = [[_labelled(cell, labels[i] if i < len(labels) else "") for i, cell in enumerate(row)]
            for row in params.get("rows", [])]
    classes = " ".join(filter(None, [params.get("classes", ""), STACK_CLASS]))
    return {**params, "rows": rows, "classes": classes}


def _labelled(cell: dict, label: str) -> dict:
    return {**cell, "attributes": {**cell.get("attributes", {}), "data-label": label}}


def _plain(head: dict) -> str:
    if "text" in head:
        return str(head["text"])
    return Markup(str(head.get("html", ""))).striptags() if head.get("html") else ""


__all__ = ["stacked"]
