"""The certificate and transcript PDFs: real text read back with pypdf, and the QR code decoded to the verify URL."""
import io
from datetime import date, timedelta

import pypdfium2
import zxingcpp
from pypdf import PdfReader

from app.certificates import queries, rules_pdf
from app.certificates.views_documents import sheet_for
from tests.certificates.factories import make_certificate
from tests.training.factories import make_completion


def _text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _qr_codes(data: bytes) -> list[str]:
    page = pypdfium2.PdfDocument(data)[0]
    return [result.text for result in zxingcpp.read_barcodes(page.render(scale=2).to_pil())]


def test_the_holder_downloads_a_certificate_with_its_details_in_real_text_and_a_qr_code(app, login_as):
    certificate, code = make_certificate(name="Zoë Łukasiewicz-O'Brien", on=date(2026, 3, 2))
    response = login_as(certificate.holder).get(f"/certificates/{certificate.id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    page = reader.pages[0]
    assert len(reader.pages) == 1 and float(page.mediabox.width) > float(page.mediabox.height)  # A4 landscape
    assert round(float(page.mediabox.width) / 72 * 25.4) == 297
    text = _text(response.data)
    for expected in ("Community Peer Mentors", "Certificate of completion", "Zoë Łukasiewicz-O'Brien",
                     "Adult safeguarding (level 1, accredited)", "Course version 2026.1", "2 March 2026",
                     "6 hours", "2 March 2029", "Example Safeguarding Accreditation Board", "ESAB-L1-0001",
                     f"Certificate code: {code}"):
        assert expected in text, expected
    assert _qr_codes(response.data) == [f"{app.config['PORTAL_URL']}/certificates/verify/{code}"]  # never the Host


def test_the_qr_code_leads_to_the_verify_page_that_shows_it_valid(app, client):
    certificate, _ = make_certificate()
    with app.test_request_context("/"):
        data = rules_pdf.certificate_pdf(sheet_for(certificate))
    (url,) = _qr_codes(data)
    page = client.get(url.removeprefix(app.config["PORTAL_URL"]))
    assert page.status_code == 200 and "This certificate is" in page.text and "Valid" in page.text


def test_the_transcript_lists_every_completion_with_hours_and_dates_expired_ones_marked(login_as):
    certificate, code = make_certificate(on=date.today() - timedelta(days=10))
    holder = certificate.holder
    make_completion(holder, "adult-safeguarding-level-1", date.today() - timedelta(days=4 * 365), commit=False)
    make_completion(holder, "grow-model", date(2025, 5, 6))
    response = login_as(holder).get("/certificates/transcript.pdf")
    assert response.status_code == 200
    text = _text(response.data)
    assert "Training transcript" in text and holder.full_name in text
    assert text.count("Adult safeguarding") == 2 and "GROW" in text and "6 May 2025" in text
    assert "Expired" in text and "Current" in text and "3 hours" in text
    assert code.replace("-", " ") in text.replace("\n", " ")  # the certificate's code, for checking
    assert "Total learning hours: 15 hours" in text.replace("\n", " ")


def test_a_volunteer_cannot_download_someone_elses_certificate(login_as):
    certificate, _ = make_certificate()
    assert login_as("volunteer").get(f"/certificates/{certificate.id}/certificate.pdf").status_code == 404
    assert login_as("coordinator", areas=["Durham"]).get(f"/certificates/{certificate.id}/certificate.pdf").status_code == 200


def test_a_changed_key_refuses_to_print_a_code_that_would_not_verify(app, login_as):
    certificate, _ = make_certificate()
    app.config["CERTIFICATE_KEY"] = "a different key"
    try:
        assert queries.code_of(certificate) is None
        response = login_as(certificate.holder).get(f"/certificates/{certificate.id}/certificate.pdf")
        assert response.status_code == 409 and "re-issue" in response.text
    finally:
        app.config["CERTIFICATE_KEY"] = None
