"""Reading the query string of list pages (page=, ids in filters) and paginating them: a fixed number of queries
whatever the data size (count and page, or one query for both where the filter is the costly part)."""
from flask import request, url_for
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import func

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


class CountedPagination(SelectPagination):
    """A page of a list and its total from ONE query: `COUNT(*) OVER ()` beside each row of the page.

    For lists whose filter is the costly part (a gate's state over everyone in scope, a person's stage): the
    database works the filter out once, where a separate COUNT repeats all of it. Past the last page the page
    has no rows to carry the total, so that case alone counts separately."""

    def _query_items(self) -> list:
        select = self._query_args["select"].add_columns(func.count().over().label("rows_in_list"))
        rows = self._query_args["session"].execute(select.limit(self.per_page).offset(self._query_offset)).all()
        self._window_total = rows[0][-1] if rows else None
        return [row[0] for row in rows]

    def _query_count(self) -> int:
        if self._window_total is not None:
            return self._window_total
        return 0 if self._query_offset == 0 else super()._query_count()


def paginate_counted(select, per_page: int, page: int | None = None) -> CountedPagination:
    """Like db.paginate(select, ...), with the page and its total from one query (CountedPagination)."""
    from app.extensions import db

    return CountedPagination(select=select, session=db.session(), page=page or page_number(), per_page=per_page,
                             max_per_page=None, error_out=False)


def paginate(select, per_page: int, costly_filter: bool):
    """A page of the list at ?page=: when its filter is costly, the page and total from one query
    (paginate_counted); otherwise db.paginate's plain COUNT, which reads an index where a count beside each row
    would hold every row first."""
    from app.extensions import db

    if costly_filter:
        return paginate_counted(select, per_page)
    return db.paginate(select, page=page_number(), per_page=per_page, error_out=False)


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
