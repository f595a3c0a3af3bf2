"""Two coordinators revoke the same certificate at the same moment: one revocation, one audit row, no 500; and
the public verify page's limit holds across gunicorn workers."""
import pytest

from app.auth.models import Role
from app.certificates.models import Certificate
from app.extensions import db
from tests.certificates.factories import make_certificate
from tests.concurrency.conftest import audit_count
from tests.concurrency.test_over_http import _request
from tests.conftest import sign_in_client
from tests.factories import make_user

pytestmark = pytest.mark.real_commits


def test_two_revokes_at_once_make_one(app, race):
    certificate, _ = make_certificate()
    coordinators = [make_user(Role.COORDINATOR, areas=["Durham"]) for _ in range(2)]
    clients = [sign_in_client(app, c) for c in coordinators]
    reasons = ["Issued to the wrong person", "Attendance was recorded in error"]

    def act(i):
        response = clients[i].post(f"/certificates/{certificate.id}/revoke", data={"reason": reasons[i]},
                                   follow_redirects=True)
        return response.status_code, response.get_data(as_text=True)

    results = race(2, act)
    assert [status for status, _ in results] == [200, 200]
    db.session.expire_all()
    kept = db.session.get(Certificate, certificate.id)
    winner = [c.id for c in coordinators].index(kept.revoked_by_id)
    assert kept.revoke_reason == reasons[winner]
    assert audit_count("certificates.revoked") == 1
    loser = results[1 - winner][1]
    assert "changed a moment ago" in loser or "already revoked" in loser
    assert "The certificate is revoked" in results[winner][1]


@pytest.mark.slow
def test_the_verify_limit_holds_across_gunicorn_workers(app, gunicorn, race):  # noqa: F811  (the fixture)
    """Guesses spread over 3 gunicorn workers (separate processes) still meet one limit: it is counted in the database."""
    certificate, code = make_certificate(name="Noor Khan")
    limit, _ = app.config["CERTIFICATE_VERIFY_LIMIT_PER_IP"]
    statuses = race(limit, lambda i: _request(gunicorn, "GET", f"/certificates/verify/GUESS{i:02d}")[0])
    assert statuses == [200] * limit
    status, _, body = _request(gunicorn, "GET", f"/certificates/verify/{code}")
    assert status == 429 and "too many checks" in body
