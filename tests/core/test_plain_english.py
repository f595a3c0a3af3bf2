"""Every public page is plain English: Flesch reading ease of 60 or more (GOV.UK writes for people under stress)."""
import pytest

from tests.support.readability import main_text, reading_ease

PUBLIC_PAGES = ["/", "/become-a-peer-mentor", "/accessibility", "/privacy", "/sign-in", "/sign-up",
                "/sign-up/check-your-email", "/password/forgot", "/confirm-email/send-again",
                "/reference/not-a-real-link", "/password/reset/not-a-real-link", "/confirm-email/not-a-real-link",
                "/admin/invitation/not-a-real-link"]


def test_the_measure_tells_plain_from_dense():
    assert reading_ease(["The cat sat on the mat. We pay for your bus."]) > 90
    assert reading_ease(["Notwithstanding organisational considerations, authorisation necessitates "
                         "comprehensive documentation, verification and institutional acknowledgement."]) < 30


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_are_plain_english(client, path):
    response = client.get(path, follow_redirects=True)
    assert response.status_code in (200, 400, 404), path
    blocks = main_text(response.get_data(as_text=True))
    assert blocks, f"{path} has no text in <main>"
    score = reading_ease(blocks)
    assert score >= 60, f"{path} scores {score:.0f} on Flesch reading ease:\n" + "\n".join(blocks)
