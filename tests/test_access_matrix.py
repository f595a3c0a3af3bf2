"""Route-by-role matrix: every endpoint declares who may use it, and the declaration is enforced.

The endpoint list is read from app.url_map, so a new route is covered the moment it exists,
and a route without a declaration fails here.
"""
import pytest
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

from app import create_app
from app.auth.models import Role
from tests.conftest import sign_in_client
from tests.factories import make_user

_APP = create_app("testing")
UNKNOWN_ID = 987654


def _rules() -> list[Rule]:
    return sorted((r for r in _APP.url_map.iter_rules()), key=lambda r: r.endpoint)


def _url(rule: Rule) -> str:
    values = {}
    for arg in rule.arguments:
        values[arg] = UNKNOWN_ID if isinstance(rule._converters[arg], NumberConverter) else "unknown-value"
    with _APP.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _method(rule: Rule) -> str:
    return "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]


def _access(rule: Rule):
    return getattr(_APP.view_functions[rule.endpoint], "access", None)


RULES = _rules()


def test_the_matrix_sees_every_route():
    """Guard against the matrix silently covering nothing."""
    endpoints = {r.endpoint for r in RULES}
    assert {"auth.login", "admin.users", "audit.log", "core.healthz"} <= endpoints


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.endpoint}")
def test_every_route_declares_its_users(rule):
    assert _access(rule) is not None, (
        f"{rule.endpoint} ({rule.rule}) declares no access: add @public, @signed_in or @roles_required(...)"
    )


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.endpoint}")
def test_route_by_role(app, rule):
    """Anonymous visitors go to sign in; roles not allowed get 403; allowed roles are let in (unknown ids 404)."""
    access = _access(rule)
    assert access is not None
    url, method = _url(rule), _method(rule)
    anonymous = app.test_client().open(url, method=method)
    assert anonymous.status_code != 500, f"{method} {url} gave 500 to an anonymous visitor"
    if access.kind != "public":
        assert anonymous.status_code == 302, f"{method} {url}: anonymous got {anonymous.status_code}"
        assert "/sign-in" in anonymous.headers["Location"]
    for role in Role:
        user = make_user(role)
        allowed = access.allows(user)
        response = sign_in_client(app, user).open(url, method=method)
        assert response.status_code != 500, f"{role.value}: {method} {url} gave 500"
        if allowed:
            assert response.status_code != 403, f"{role.value} should be allowed {method} {url}"
            if UNKNOWN_ID and str(UNKNOWN_ID) in url:
                assert response.status_code == 404, f"{role.value}: {method} {url} with an unknown id gave {response.status_code}"
        else:
            assert response.status_code == 403, f"{role.value} should be refused {method} {url}, got {response.status_code}"


def test_undeclared_route_is_refused(app):
    """A view added without a declaration fails closed at runtime, not just in this test."""
    application = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])

    @application.route("/forgot-to-declare")
    def forgot_to_declare():
        return "secret"

    response = application.test_client().get("/forgot-to-declare")
    assert response.status_code == 403
