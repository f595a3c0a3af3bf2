"""Paginating list pages: always two queries (count and page), whatever the data size."""
from flask import request, url_for


def page_number() -> int:
    """The ?page= argument, 1 when missing or nonsense."""
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


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
