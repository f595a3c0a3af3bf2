"""From a trainer's register tick on a phone to a certificate an anonymous visitor verifies on their phone."""
from datetime import timedelta
from pathlib import Path

import pypdfium2
import zxingcpp
from playwright.sync_api import expect
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.training import services as training
from app.training.models import TrainingSession
from tests.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.training.factories import make_completion, make_session


def _sign_in(tab, user):
    browser_sign_in(tab, user.email, DEFAULT_PASSWORD)
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Hello")


def _qr_in(pdf: Path) -> list[str]:
    page = pypdfium2.PdfDocument(pdf.read_bytes())[0]
    return [r.text for r in zxingcpp.read_barcodes(page.render(scale=2).to_pil())]


def test_register_tick_to_a_certificate_verified_by_an_anonymous_visitor_on_a_phone(
        page, phone_page, new_page, assert_accessible, smtp, tmp_path):
    trainer = make_user("trainer", name="Tom Trainer")
    volunteer = make_user("volunteer", name="Rosa Díaz")
    item = make_session("grow-model", trainers=[trainer], starts_at=utcnow().replace(microsecond=0) + timedelta(days=2),
                        hours=3)
    make_completion(volunteer, "taster-day", utcnow().date() - timedelta(days=20))
    training.book_session(item, volunteer)
    db.session.commit()
    item = db.session.scalar(select(TrainingSession))
    item.starts_at = utcnow() - timedelta(hours=4)
    item.ends_at = utcnow() - timedelta(minutes=30)
    db.session.commit()

    # The trainer ticks the register on a phone.
    _sign_in(phone_page, trainer)
    phone_page.goto(f"/training/sessions/{item.id}/register")
    phone_page.get_by_role("group", name="Rosa Díaz").get_by_label("Present").check()
    phone_page.get_by_role("button", name="Save register").click()
    expect(phone_page.get_by_text("Register saved (1 change).")).to_be_visible()
    assert_accessible(phone_page, "register saved")

    # The volunteer is e-mailed a link (no attachment), and finds the certificate on their training record.
    (mail,) = [m for m in smtp.to(volunteer.email) if "certificate" in m["Subject"]]
    assert not list(mail.iter_attachments())
    _sign_in(page, volunteer)
    page.get_by_role("link", name="Your training").first.click()
    expect(page.get_by_role("heading", name="Training transcript")).to_be_visible()
    assert_accessible(page, "training record with a certificate")
    page.get_by_role("link", name="Details of the certificate for", exact=False).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Certificate:")
    assert_accessible(page, "certificate page")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the certificate (PDF)").click()
    pdf = tmp_path / "certificate.pdf"
    download_info.value.save_as(pdf)
    (url,) = _qr_in(pdf)
    assert "/certificates/verify/" in url

    # A stranger scans the QR code with their phone: no sign-in, largest text, nothing runs off the side.
    stranger = new_page(phone=True)
    stranger.goto(url)
    expect(stranger.get_by_role("heading", name="This certificate is Valid")).to_be_visible()
    expect(stranger.get_by_text("Rosa Díaz")).to_be_visible()
    assert_accessible(stranger, "verify page, valid")
    stranger.get_by_role("button", name="Largest text size").click()
    expect(stranger.locator("html.cpm-text-largest")).to_have_count(1)
    assert stranger.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    assert_accessible(stranger, "verify page at the largest text size")

    # Or types the code from paper, in lower case with spaces.
    code = url.rsplit("/", 1)[1]
    stranger.goto("/certificates/verify")
    stranger.get_by_label("Certificate code").fill(code.lower().replace("-", " "))
    stranger.get_by_role("button", name="Check certificate").click()
    expect(stranger.get_by_role("heading", name="This certificate is Valid")).to_be_visible()
    stranger.get_by_label("Certificate code").fill("not a code")
    stranger.get_by_role("button", name="Check certificate").click()
    expect(stranger.get_by_role("link", name="A certificate code is 28 letters and numbers", exact=False)).to_be_visible()
    assert_accessible(stranger, "verify page, error")
    assert not stranger.console_errors


def test_a_coordinator_revokes_and_the_public_check_says_revoked(page, new_page, assert_accessible):
    from tests.certificates.factories import make_certificate

    certificate, code = make_certificate(name="Kit Moreno")
    coordinator = make_user("coordinator", name="Cora Coordinator", areas=["Durham"])  # the holder's area
    db.session.commit()
    _sign_in(page, coordinator)
    page.goto(f"/training/people/{certificate.user_id}")
    assert_accessible(page, "a volunteer's record, for staff")
    page.get_by_role("link", name="Details of the certificate for", exact=False).first.click()
    assert_accessible(page, "certificate page with the revoke form")
    page.get_by_role("button", name="Revoke certificate").click()
    expect(page.get_by_role("link", name="Enter why the certificate is revoked")).to_be_visible()
    assert_accessible(page, "revoke form error")
    page.get_by_label("Why is this certificate revoked?").fill("Attendance recorded for the wrong person")
    page.get_by_role("button", name="Revoke certificate").click()
    expect(page.get_by_text("The certificate is revoked.")).to_be_visible()
    stranger = new_page(phone=True)
    stranger.goto(f"/certificates/verify/{code}")
    expect(stranger.get_by_role("heading", name="This certificate is Revoked")).to_be_visible()
    expect(stranger.get_by_text("Attendance recorded for the wrong person")).to_have_count(0)
    assert_accessible(stranger, "verify page, revoked")
