"""Who may open a real certificate (the matrix in tests/test_access_matrix.py covers every route with unknown ids)."""
import pytest

from app.auth.models import Role
from tests.certificates.factories import make_certificate

# role -> (page and PDF, revoke) for someone else's certificate: 404 where it is outside their scope.
EXPECTED = {
    Role.APPLICANT: (404, 403), Role.VOLUNTEER: (404, 403), Role.TRAINER: (404, 403),
    Role.COORDINATOR: (200, 302), Role.MANAGER: (200, 403), Role.ADMIN: (404, 403),
}


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_someone_elses_certificate_by_role(login_as, role):
    certificate, _ = make_certificate()
    client = login_as(role, areas=["Durham"])
    see, revoke = EXPECTED[role]
    assert client.get(f"/certificates/{certificate.id}").status_code == see
    assert client.get(f"/certificates/{certificate.id}/certificate.pdf").status_code == see
    assert client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "Test"}).status_code == revoke


def test_coordinators_outside_the_holders_areas_find_nothing(login_as):
    certificate, _ = make_certificate()
    elsewhere = login_as("coordinator", areas=["Weardale"])
    assert elsewhere.get(f"/certificates/{certificate.id}").status_code == 404
    assert elsewhere.post(f"/certificates/{certificate.id}/revoke", data={"reason": "x"}).status_code in (403, 404)


def test_the_holder_sees_and_downloads_but_does_not_revoke(login_as):
    certificate, _ = make_certificate()
    client = login_as(certificate.holder)
    assert client.get(f"/certificates/{certificate.id}").status_code == 200
    assert client.get(f"/certificates/{certificate.id}/certificate.pdf").status_code == 200
    assert client.post(f"/certificates/{certificate.id}/revoke", data={"reason": "x"}).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in_except_for_the_public_pages(client):
    certificate, code = make_certificate()
    for url in (f"/certificates/{certificate.id}", f"/certificates/{certificate.id}/certificate.pdf",
                "/certificates/transcript.pdf"):
        assert "/sign-in" in client.get(url).headers["Location"]
    assert client.get(f"/certificates/verify/{code}").status_code == 200
    assert client.get("/certificates/verify").status_code == 200
