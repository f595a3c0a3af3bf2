"""Reading the query string of list pages (page=, ids in filters) and paginating them: always two queries
(count and page), whatever the data size."""
from flask import request, url_for

from app.urls import MAX_ID

MAX_PAGE = 100_000  # far past any list here, and (page - 1) * per_page stays a small OFFSET on every database


def whole_number(value, lowest: int = 0, highest: int = MAX_ID) -> int | None:
    """'12' as 12; None for anything that is not ASCII digits for a number from lowest to highest."""
    text = value.strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 12:
        return None
    number = int(text)
    return number if lowest <= number <= highest else None


def query_id(value) -> int | None:
    """An id from a query string or filter form ('12'), or None if no id column could hold it."""
    return whole_number(value, lowest=1)


def page_number() -> int:
    """The ?page= argument: a whole number from 1 to MAX_PAGE, otherwise (missing, nonsense, huge) page 1."""
    return whole_number(request.args.get("page", ""), lowest=1, highest=MAX_PAGE) or 1


def govuk_pagination(pager, endpoint: str, **params) -> dict | None:
    """Parameters for the govukPagination macro, keeping the current filters in every link."""
    if pager.pages <= 1:
        return None
    keep = {k: v for k, v in request.args.items() if k != "page"} | params

    def link(n):
        return url_for(endpoint, page=n, **keep)

    items = []
    for n in pager.iter_pages(left_edge=1, left_current=1, right_current=2, right_edge=1):
        if n is None:
            items.append({"ellipsis": True})
        else:
            items.append({"number": n, "href": link(n), "current": n == pager.page})
    result = {"items": items}
    if pager.has_prev:
        result["previous"] = {"href": link(pager.prev_num)}
    if pager.has_next:
        result["next"] = {"href": link(pager.next_num)}
    return result
