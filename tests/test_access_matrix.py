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


# ---------------------------------------------------------------- object scope: need to know


@pytest.fixture
def someone_in_weardale():
    """A volunteer in Weardale with an application, a DBS check and police vetting: ids for every object route."""
    from app.applications.rules import Status
    from app.readiness.models import Client
    from tests.applications.factories import make_application
    from tests.factories import area_named
    from tests.vetting.factories import make_dbs, make_nppv

    person = make_user(Role.VOLUNTEER, areas=["Weardale"])
    application = make_application(user=person, status=Status.SUBMITTED, areas=("Weardale",))
    client = Client(reference="WEA-0001", area_id=area_named("Weardale").id, needs=[])
    from app.extensions import db

    db.session.add(client)
    db.session.commit()
    return {"user_id": person.id, "application_id": application.id, "referee_id": application.referees[0].id,
            "check_id": make_dbs(person).id, "record_id": make_nppv(person).id, "client_id": client.id}


SCOPED_ARGS = {"user_id", "application_id", "referee_id", "check_id", "record_id", "client_id"}
SCOPED_RULES = [r for r in RULES if r.arguments and r.arguments <= SCOPED_ARGS and _access(r).roles
                and Role.COORDINATOR in _access(r).roles]


def test_object_scope_covers_the_routes_that_matter():
    endpoints = {r.endpoint for r in SCOPED_RULES}
    assert {"vetting.record", "vetting.dbs_decision", "vetting.police_result", "applications.detail",
            "applications.accept", "training.person_record", "readiness.person", "readiness.release",
            "readiness.suspend", "readiness.staff_pause", "readiness.induction", "readiness.client",
            "readiness.pair", "readiness.known", "people.person", "privacy.person_data",
            "privacy.person_data_json"} <= endpoints


@pytest.mark.parametrize("rule", SCOPED_RULES, ids=lambda r: f"{r.endpoint}")
def test_coordinators_outside_the_persons_areas_get_404(app, rule, someone_in_weardale):
    """A coordinator for Durham cannot open or act on anything about a person in Weardale; Weardale's can."""
    with _APP.test_request_context():
        from flask import url_for

        url = url_for(rule.endpoint, **{arg: someone_in_weardale[arg] for arg in rule.arguments})
    method = _method(rule)
    outside = sign_in_client(app, make_user(Role.COORDINATOR, areas=["Durham"]))
    assert outside.open(url, method=method).status_code == 404, f"{method} {url} reached outside the coordinator's areas"
    if method == "GET":
        inside = sign_in_client(app, make_user(Role.COORDINATOR, areas=["Weardale"]))
        assert inside.get(url).status_code in (200, 302, 409), f"{url} should open for Weardale's coordinator"
