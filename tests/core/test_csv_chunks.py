"""Streamed CSV exports write many lines per piece (app/csvout.csv_chunks), reading their rows as they go."""
import csv
import io

from app.csvout import csv_chunks, csv_line, csv_text


def test_chunks_hold_the_same_text_as_the_rows_written_one_by_one():
    rows = [[n, f"Name {n}", 'quote "and" comma, here', "line\nbreak"] for n in range(1, 1_201)]

    pieces = list(csv_chunks(rows, per_chunk=500))

    assert [len(list(csv.reader(io.StringIO(p)))) for p in pieces] == [500, 500, 200]
    assert "".join(pieces) == "".join(csv_line(r) for r in rows) == csv_text(rows)


def test_rows_are_read_a_chunk_at_a_time_not_all_first():
    read = []

    def rows():
        for n in range(10):
            read.append(n)
            yield [n]

    pieces = csv_chunks(rows(), per_chunk=4)
    assert next(pieces) == "0\r\n1\r\n2\r\n3\r\n"
    assert read == [0, 1, 2, 3]  # the rest are read only when the next piece is asked for
    assert list(pieces) == ["4\r\n5\r\n6\r\n7\r\n", "8\r\n9\r\n"]


def test_no_rows_no_pieces():
    assert list(csv_chunks([])) == []
