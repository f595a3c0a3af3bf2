"""Shared CSV pieces: rows as text for streamed exports (a line, or a chunk of many lines), and cells a spreadsheet
will not run as formulas (CSV injection)."""
import csv
import io
from collections.abc import Iterable, Iterator
from itertools import islice

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def safe_cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula: a leading = + - @ | % tab or carriage return gets a ' before it."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_line(values) -> str:
    """One CSV row as text, line ending included: what a streamed export yields for each row."""
    return CsvLines().line(values)


def csv_text(rows) -> str:
    """Many CSV rows as one piece of text, each line ending included: a streamed export's batch."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


CHUNK_ROWS = 500  # rows per piece a streamed export yields: each piece is one write to the socket (and, with no
# Content-Length, one HTTP chunk), so a line per piece spent more on writing than on making the line


def csv_chunks(rows: Iterable, per_chunk: int = CHUNK_ROWS) -> Iterator[str]:
    """Rows (each a list of cells) as CSV text, per_chunk rows to a piece, read from `rows` as they come."""
    rows = iter(rows)
    while chunk := list(islice(rows, per_chunk)):
        yield csv_text(chunk)


class CsvLines:
    """Rows as lines of CSV text through one writer and one buffer, reused: for exports of many rows."""

    def __init__(self):
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)

    def line(self, values) -> str:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.writerow(values)
        return self.buffer.getvalue()
