"""The public verify page: every state, at the expiry boundary; unknown and malformed codes; noindex; the rate limit."""
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from freezegun import freeze_time

from app.certificates import queries, services
from app.certificates.rules import code_hash, normalise
from app.extensions import db
from app.timefmt import format_date
from tests.certificates.factories import make_certificate
from tests.factories import make_user


def _verify(client, code):
    return client.get(f"/certificates/verify/{code}")


def test_a_valid_certificate_shows_the_name_as_issued_course_and_dates_only(client):
    certificate, code = make_certificate(on=date.today() - timedelta(days=30), name="Sam Jones")
    page = _verify(client, code)
    assert page.status_code == 200
    text = page.text
    assert "This certificate is" in text and "Valid" in text and "Sam Jones" in text
    assert "Adult safeguarding (level 1, accredited)" in text
    assert format_date(certificate.completed_on) in text and format_date(certificate.expires_on) in text
    assert certificate.holder.email not in text  # no other personal data
    assert "Sign out" not in text  # public: nobody signed in


def test_the_verify_page_is_not_for_search_engines_and_leaks_no_referrer(client):
    _, code = make_certificate()
    for url in (f"/certificates/verify/{code}", f"/certificates/verify?code={code}", "/certificates/verify"):
        page = client.get(url)
        assert page.headers["X-Robots-Tag"].startswith("noindex")
        assert page.headers["Referrer-Policy"] == "no-referrer"
        assert '<meta name="robots" content="noindex' in page.text


def test_typing_the_code_lowercase_with_spaces_finds_it(client):
    _, code = make_certificate(name="Ana Lima")
    page = client.get("/certificates/verify", query_string={"code": code.lower().replace("-", " ")})
    assert "Ana Lima" in page.text and "Valid" in page.text


@pytest.mark.parametrize("offset, expected", [(-1, "Valid"), (0, "Expired"), (1, "Expired")])
def test_expiry_is_at_the_boundary(client, offset, expected):
    certificate, code = make_certificate(on=date(2023, 6, 1))
    assert certificate.expires_on == date(2026, 6, 1)
    with freeze_time(f"{certificate.expires_on + timedelta(days=offset)} 12:00:00"):
        page = _verify(client, code)
    assert page.status_code == 200 and expected in page.text
    if expected == "Expired":
        assert "It expired on 1 June 2026" in page.text


def test_a_revoked_certificate_says_so_with_the_date(client):
    certificate, code = make_certificate(name="Kim Lee")
    coordinator = make_user("coordinator", areas=["Durham"])
    with freeze_time("2026-11-20 10:00:00"):
        services.revoke_certificate(certificate, "Issued in error", coordinator)
        db.session.commit()
    page = _verify(client, code)
    assert "Revoked" in page.text and "revoked this certificate on 20 November 2026" in page.text
    assert "Issued in error" not in page.text  # the reason stays on the record, not on the public page
    assert "Kim Lee" in page.text


def test_a_superseded_certificate_says_a_newer_one_replaced_it(client):
    first, first_code = make_certificate(on=date.today() - timedelta(days=400))
    second, second_code = make_certificate(on=date.today() - timedelta(days=5), user=first.holder)
    assert "Superseded" in _verify(client, first_code).text
    assert "A newer certificate replaced this one" in _verify(client, first_code).text
    assert "Valid" in _verify(client, second_code).text


@pytest.mark.parametrize("typed", ["0000-0000-0000-0000-0000-0000-0000", "ZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"])
def test_an_unknown_code_is_not_found(client, typed):
    make_certificate()
    page = _verify(client, typed)
    assert page.status_code == 200 and "No certificate has this code" in page.text


@pytest.mark.parametrize("typed", ["x", "not-a-code", "%00", "A" * 99, "ABCD-ÉFGH", "<script>alert(1)</script>",
                                   "1' OR '1'='1", "%F0%9F%98%80" * 5])
def test_malformed_codes_never_500(client, typed):
    page = client.get(f"/certificates/verify/{quote(typed, safe='%')}")
    if "/" in typed:  # a slash is not part of any code's address: there is no such page
        assert page.status_code == 404
    else:
        assert page.status_code == 200 and "No certificate has this code" in page.text
    typed_in_box = client.get("/certificates/verify", query_string={"code": typed})
    assert typed_in_box.status_code == 200 and "A certificate code is 28 letters and numbers" in typed_in_box.text
    assert "<script>alert" not in typed_in_box.text


def test_an_empty_box_asks_for_the_code(client):
    page = client.get("/certificates/verify", query_string={"code": ""})
    assert page.status_code == 200 and "Enter the certificate code" in page.text
    assert "Check a certificate" in client.get("/certificates/verify").text


def test_a_very_long_code_in_the_address_is_not_a_500(client):
    assert client.get("/certificates/verify/" + "A" * 5000).status_code in (200, 404, 414)


def test_lookup_compares_hashes_and_takes_the_same_path_for_malformed_codes(monkeypatch):
    certificate, code = make_certificate()
    assert queries.find_by_code(code) == certificate
    assert certificate.code_hash == code_hash(normalise(code))  # only the hash is stored
    assert code.replace("-", "") not in (certificate.nonce, certificate.code_hash)
    compared = []
    import hmac

    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    assert queries.find_by_code("nonsense") is None
    assert queries.find_by_code("0" * 28) is None
    assert queries.find_by_code(code) == certificate
    assert len(compared) == 3  # one comparison for each, found or not, well-formed or not


def test_a_burst_of_guesses_from_one_address_gets_429(app, client):
    limit, _ = app.config["CERTIFICATE_VERIFY_LIMIT_PER_IP"]
    _, code = make_certificate()
    for n in range(limit):
        assert _verify(client, f"GUESS{n}").status_code == 200
    refused = _verify(client, code)
    assert refused.status_code == 429 and "too many checks" in refused.text
    assert refused.headers["Retry-After"] and refused.headers["X-Robots-Tag"].startswith("noindex")
    assert client.get("/certificates/verify", query_string={"code": code}).status_code == 429
    other = app.test_client()
    other_page = other.get(f"/certificates/verify/{code}", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other_page.status_code == 200 and "Valid" in other_page.text  # another address is not limited


def test_the_limit_is_counted_in_the_database(app, client):
    from sqlalchemy import select

    from app.auth.models import ThrottleCounter

    _verify(client, "GUESS")
    client.get("/certificates/verify", query_string={"code": "bad"})
    assert db.session.scalar(select(ThrottleCounter.count).where(ThrottleCounter.kind == "certificate-verify")) == 2
