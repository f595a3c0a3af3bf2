"""Shared CSV pieces: cells a spreadsheet will not run as formulas (CSV injection)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def safe_cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula: a leading = + - @ | % tab or carriage return gets a ' before it."""
    return "'" + text if text[:1] in FORMULA_STARTS else text
