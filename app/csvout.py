"""Shared CSV pieces: one row as a line of text (for streamed exports), and cells a spreadsheet will not run as
formulas (CSV injection)."""
import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def safe_cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula: a leading = + - @ | % tab or carriage return gets a ' before it."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_line(values) -> str:
    """One CSV row as text, line ending included: what a streamed export yields for each row."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()
