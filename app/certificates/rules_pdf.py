"""Certificate and transcript PDFs from plain values: A4, real (selectable, readable) text, a vector QR code.

Pure: no database and no request. DejaVu Sans is embedded (subset) so every name prints as typed.
"""
from dataclasses import dataclass, field
from pathlib import Path

import segno
from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"
BRAND = (84, 49, 159)  # the scheme's purple
INK = (11, 12, 12)
GREY = (80, 90, 95)


@dataclass(frozen=True)
class Sheet:
    """What one certificate prints."""

    scheme_name: str
    holder_name: str
    course_title: str
    course_version: str
    completed_on: str
    hours: str
    trainers: str
    expires_on: str | None
    accrediting_body: str | None
    accreditation_number: str | None
    code: str
    verify_url: str
    verify_base: str
    issued_on: str


@dataclass(frozen=True)
class TranscriptLine:
    course_title: str
    completed_on: str
    hours: str
    expires: str
    status: str
    code: str = ""


@dataclass(frozen=True)
class Transcript:
    scheme_name: str
    holder_name: str
    made_on: str
    verify_base: str
    lines: list[TranscriptLine] = field(default_factory=list)
    total_hours: str = ""


def _document(orientation: str, title: str, subject: str) -> FPDF:
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.set_subject(subject)
    pdf.set_lang("en-GB")
    pdf.set_creator("Community Peer Mentors volunteer portal")
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    return pdf


def _qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """Draw the QR code as filled squares (vector, sharp at any zoom), on white with the quiet zone."""
    matrix = segno.make(url, error="m").matrix
    border = 4
    module = size / (len(matrix) + 2 * border)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(*INK)
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(x + (start + border) * module, y + (r + border) * module, (c - start) * module, module, style="F")
            else:
                c += 1


def _line(pdf: FPDF, text: str, size: float, *, bold: bool = False, colour=INK, height: float | None = None,
          width: float = 0, align: str = "C") -> None:
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(width, height or size * 0.5, text, align=align, new_x="LMARGIN", new_y="NEXT")


def certificate_pdf(sheet: Sheet) -> bytes:
    """One certificate: A4 landscape, the scheme's name and colours, the code in print and as a QR code."""
    pdf = _document("L", f"Certificate: {sheet.course_title}, {sheet.holder_name}", "Certificate of completion")
    pdf.set_fill_color(*BRAND)
    pdf.rect(0, 0, 297, 16, style="F")
    pdf.rect(0, 200, 297, 10, style="F")
    pdf.set_xy(15, 4)
    pdf.set_font("DejaVu", "B", 16)
    pdf.set_text_color(255, 255, 255)
    pdf.cell(0, 8, sheet.scheme_name)
    pdf.set_margins(20, 20, 20)
    pdf.set_xy(20, 28)
    _line(pdf, "Certificate of completion", 28, bold=True, colour=BRAND, height=14)
    pdf.ln(4)
    _line(pdf, "This is to certify that", 13, colour=GREY, height=8)
    _line(pdf, sheet.holder_name, 26 if len(sheet.holder_name) <= 40 else 16, bold=True, height=13 if
          len(sheet.holder_name) <= 40 else 8)
    _line(pdf, "completed", 13, colour=GREY, height=8)
    _line(pdf, sheet.course_title, 20 if len(sheet.course_title) <= 60 else 13, bold=True, height=10 if
          len(sheet.course_title) <= 60 else 7)
    _line(pdf, f"Course version {sheet.course_version}", 11, colour=GREY, height=7)
    pdf.ln(4)
    details = [("Completed on", sheet.completed_on), ("Learning hours", sheet.hours)]
    if sheet.trainers:
        details.append(("Trainer", sheet.trainers))
    details.append(("Expires on", sheet.expires_on or "Does not expire"))
    if sheet.accrediting_body:
        details.append(("Accredited by", f"{sheet.accrediting_body}, accreditation number {sheet.accreditation_number}"))
    pdf.set_x(20)
    for label, value in details:
        pdf.set_x(20)
        pdf.set_font("DejaVu", "B", 11)
        pdf.set_text_color(*INK)
        pdf.cell(45, 7, label + ":")
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(160, 7, value, new_x="LMARGIN", new_y="NEXT")
    _qr(pdf, sheet.verify_url, 232, 128, 48)
    pdf.set_xy(20, 176)
    _line(pdf, f"Certificate code: {sheet.code}", 12, bold=True, height=7, align="L", width=205)
    _line(pdf, f"Check it at {sheet.verify_url}", 9, colour=GREY, height=5, align="L", width=205)
    _line(pdf, f"Issued on {sheet.issued_on}. Anyone can check this certificate: scan the QR code, or type the code at "
               f"{sheet.verify_base}", 9, colour=GREY, height=5, align="L", width=205)
    return bytes(pdf.output())


def transcript_pdf(transcript: Transcript) -> bytes:
    """Every completion on one document (A4 portrait), expired ones marked, for a CV or a job application."""
    pdf = _document("P", f"Training transcript: {transcript.holder_name}", "Training transcript")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_fill_color(*BRAND)
    pdf.rect(0, 0, 210, 14, style="F")
    pdf.set_xy(12, 3)
    pdf.set_font("DejaVu", "B", 14)
    pdf.set_text_color(255, 255, 255)
    pdf.cell(0, 8, transcript.scheme_name)
    pdf.set_margins(15, 20, 15)
    pdf.set_xy(15, 22)
    _line(pdf, "Training transcript", 22, bold=True, colour=BRAND, height=11, align="L")
    _line(pdf, transcript.holder_name, 15, bold=True, height=8, align="L")
    _line(pdf, f"Made on {transcript.made_on}. Total learning hours: {transcript.total_hours}.", 10, colour=GREY,
          height=6, align="L")
    pdf.ln(3)
    if not transcript.lines:
        _line(pdf, "No courses completed yet.", 11, height=7, align="L")
        return bytes(pdf.output())
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(*INK)
    pdf.set_fill_color(255, 255, 255)
    pdf.set_draw_color(*GREY)
    with pdf.table(col_widths=(50, 25, 16, 25, 24, 40), text_align="LEFT", line_height=5,
                   headings_style=_headings(), cell_fill_mode="NONE") as table:
        row = table.row()
        for heading in ("Course", "Completed", "Hours", "Expires", "Status", "Certificate code"):
            row.cell(heading)
        for line in transcript.lines:
            row = table.row()
            # Groups split by spaces, so a long code wraps between groups (a typed code may have spaces or dashes).
            for value in (line.course_title, line.completed_on, line.hours, line.expires, line.status,
                          line.code.replace("-", " ")):
                row.cell(value)
    pdf.ln(4)
    _line(pdf, f"Check any certificate code at {transcript.verify_base}", 9, colour=GREY, height=5, align="L")
    return bytes(pdf.output())


def _headings():
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=BRAND)

