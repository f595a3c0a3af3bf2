"""Ids and numbers nobody would type, in every URL and query string: a 404 or a normal page, never a 500.

The routes come from app.url_map, so a new <int:...> route is covered the moment it exists.
"""
import re

import pytest
from werkzeug.routing import Rule

from app import create_app
from app.auth.models import Role
from tests.conftest import sign_in_client
from tests.factories import make_user

_APP = create_app("testing")
HUGE = [str(2**63), str(10**20), str(2**31), "-1", "0"]
NONSENSE = [*HUGE, "abc", "²", "1.5", "1e3", " ", "%00", "9999-12-31", "0001-01-01", "-0", "0x10"]
# Every query-string parameter a list page reads.
QUERY_ARGS = ["page", "area", "status", "role", "show", "month", "course", "waiting", "q", "action", "person",
              "date_from", "date_to", "submitted_from", "submitted_to", "next", "resent",
              "stage", "sessions", "start", "end", "period"]
INT_ARG = re.compile(r"<int:(\w+)>")


def _allowed_roles(rule: Rule) -> list[Role]:
    access = _APP.view_functions[rule.endpoint].access
    return [role for role in Role if (access.kind == "signed_in" or role in access.roles)] if access.kind != "public" else []


def _method(rule: Rule) -> str:
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]


def _with_ints(rule: Rule, value: str) -> str:
    path = INT_ARG.sub(value, rule.rule)
    return re.sub(r"<(?:\w+:)?\w+>", "unknown-value", path)


INT_RULES = sorted((r for r in _APP.url_map.iter_rules() if INT_ARG.search(r.rule)), key=lambda r: r.endpoint)
LIST_RULES = sorted((r for r in _APP.url_map.iter_rules() if "GET" in r.methods and not r.arguments),
                    key=lambda r: r.endpoint)


def test_the_lists_see_the_routes():
    """Guard against covering nothing: the id routes and the paginated lists are all here."""
    assert len(INT_RULES) >= 30
    assert {"admin.users", "audit.log", "audit.export", "applications.queue", "vetting.work_list", "training.catalogue",
            "people.index"} <= {
        r.endpoint for r in LIST_RULES}


def test_the_int_converter_is_bounded_for_every_route():
    """Every <int:...> route uses the one bounded converter: an id a database column cannot hold is 404."""
    from app.urls import MAX_ID, BoundedIntConverter

    assert MAX_ID == 2**31 - 1  # every id column is a 32-bit INTEGER on PostgreSQL
    for rule in INT_RULES:
        for name in INT_ARG.findall(rule.rule):
            assert isinstance(rule._converters[name], BoundedIntConverter), rule.rule


@pytest.mark.parametrize("rule", INT_RULES, ids=lambda r: r.endpoint)
def test_huge_negative_and_zero_ids_are_404(app, rule):
    """2^63, 10^20, 2^31 (one past a 32-bit INTEGER), -1 and 0 in every id of every route: 404, for each role let in."""
    method = _method(rule)
    for role in _allowed_roles(rule):
        client = sign_in_client(app, make_user(role))
        for value in HUGE:
            url = _with_ints(rule, value)
            response = client.open(url, method=method)
            assert response.status_code == 404, f"{role.value}: {method} {url} gave {response.status_code}"


def test_the_largest_id_a_column_holds_is_an_unknown_id_not_an_error(app, login_as):
    """2^31 - 1 still reaches the view, which finds nothing: 404 from the lookup, not from the converter."""
    client = login_as("admin")
    assert client.get(f"/admin/people/{2**31 - 1}").status_code == 404
    assert client.get(f"/admin/people/{client.user.id}").status_code == 200
    assert client.get(f"/admin/people/00{client.user.id}").status_code in (200, 308)


@pytest.mark.parametrize("rule", LIST_RULES, ids=lambda r: r.endpoint)
def test_nonsense_in_the_query_string_gives_a_normal_page(app, rule):
    """page= and area= alone, then every filter argument at once, with huge, negative, non-numeric or
    far-off values: a normal page (or a redirect or 404), for each role let in."""
    roles = _allowed_roles(rule) or [None]
    for n, role in enumerate(roles):
        client = sign_in_client(app, make_user(role)) if role else app.test_client()
        for value in NONSENSE:
            asks = [{arg: value for arg in QUERY_ARGS}]
            if n == 0:
                asks += [{"page": value}, {"area": value}]
            for args in asks:
                response = client.get(rule.rule, query_string=args)
                assert response.status_code in (200, 302, 404), (
                    f"{role and role.value}: GET {rule.rule}?{args} gave {response.status_code}")


@pytest.mark.parametrize("value", ["abc", "-3", "0", str(10**20), str(2**63), "²"])
def test_a_page_number_that_is_not_a_page_is_page_1(app, login_as, value):
    client = login_as("admin")
    for n in range(30):
        make_user("volunteer", name=f"Aaron Pager{n:02d}")
    first = client.get("/admin/people").get_data(as_text=True)
    shown = client.get("/admin/people", query_string={"page": value}).get_data(as_text=True)
    assert "Aaron Pager00" in first and "Aaron Pager00" in shown


def test_area_ids_no_column_holds_in_the_queue_filter_give_the_normal_queue(app, login_as):
    from app.applications.rules import Status
    from tests.applications.factories import make_application

    application = make_application(status=Status.SUBMITTED)
    client = login_as("coordinator", areas=["Durham"])
    for value in (str(10**20), str(2**63), "²", "-1"):
        response = client.get("/applications", query_string={"area": value, "status": "all"})
        assert response.status_code == 200, value
        assert application.full_name in response.get_data(as_text=True)
    assert application.full_name in client.get("/applications", query_string={"area": ""}).get_data(as_text=True)
