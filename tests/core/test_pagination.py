"""app/pagination.CountedPagination: the page and its total from one query, the same as db.paginate's two."""
import pytest
from sqlalchemy import event, select

from app.auth.models import User
from app.extensions import db
from app.pagination import paginate_counted
from tests.factories import make_user


@pytest.fixture
def people(db):
    return [make_user("volunteer", name=f"Person {n:02d}") for n in range(7)]


def _statements(run):
    seen = []
    listener = lambda *args: args[2].startswith("SELECT") and seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        result = run()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return result, seen


@pytest.mark.parametrize("page", [1, 2, 3, 4, 9])
def test_pages_and_totals_match_db_paginate(app, people, page):
    query = select(User).where(User.full_name.like("Person %")).order_by(User.full_name, User.id)
    with app.test_request_context():
        expected = db.paginate(query, page=page, per_page=3, error_out=False)
        counted, statements = _statements(lambda: paginate_counted(query, 3, page=page))
    assert [u.id for u in counted.items] == [u.id for u in expected.items]
    assert (counted.total, counted.pages, counted.has_next, counted.has_prev) == \
        (expected.total, expected.pages, expected.has_next, expected.has_prev) == \
        (7, 3, page < 3, page > 1)
    # one statement while the page has rows; past the end, a COUNT as well (the total has no row to ride on)
    assert len(statements) == (1 if page <= 3 else 2)


def test_an_empty_list_is_one_statement(app, db):
    query = select(User).where(User.full_name == "Nobody").order_by(User.id)
    with app.test_request_context():
        counted, statements = _statements(lambda: paginate_counted(query, 25))
    assert (counted.items, counted.total, counted.pages) == ([], 0, 0)
    assert len(statements) == 1
