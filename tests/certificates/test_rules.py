"""Certificate codes and statuses, as pure functions."""
import hashlib
from datetime import date, timedelta

import pytest

from app.certificates import rules
from app.certificates.rules import Status

KEY = b"k" * 32


def test_a_code_is_28_characters_of_140_bits_grouped_in_fours():
    code = rules.derive_code(KEY, bytes(16))
    assert len(code) == rules.CODE_LENGTH == 28 and set(code) <= set(rules.ALPHABET)
    assert rules.CODE_LENGTH * 5 >= 128
    assert rules.grouped(code).count("-") == 6 and rules.grouped(code).replace("-", "") == code


def test_codes_differ_for_every_nonce_and_every_key():
    codes = {rules.derive_code(KEY, n.to_bytes(16, "big")) for n in range(2000)}
    assert len(codes) == 2000
    assert rules.derive_code(KEY, bytes(16)) != rules.derive_code(b"another key", bytes(16))


def test_code_from_bytes_uses_the_top_140_bits():
    assert rules.code_from_bytes(bytes(18)) == "0" * 28
    assert rules.code_from_bytes(b"\xff" * 18) == "Z" * 28
    with pytest.raises(ValueError):
        rules.code_from_bytes(bytes(17))


@pytest.mark.parametrize("typed", [
    "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-2345", "abcd efgh jkmn pqrs tvwx yz01 2345", "ABCDEFGHJKMNPQRSTVWXYZ012345",
    " abcd-efgh-jkmn-pqrs-tvwx-yzOI-2345 ", "abcd.efgh_jkmn-pqrs-tvwx-yzol-2345"])
def test_typing_is_forgiving_about_case_separators_and_look_alike_letters(typed):
    assert rules.normalise(typed) == "ABCDEFGHJKMNPQRSTVWXYZ012345"


@pytest.mark.parametrize("typed", [None, "", "ABC", "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-234", "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-23456",
                                   "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-234!", "Ä" * 28, "A" * 81, "<script>",
                                   "ABCD-EFGH-JKMN-PQRS-TVWX-YZ01-234\x00"])
def test_anything_else_is_not_a_code(typed):
    assert rules.normalise(typed) is None


def test_the_database_keeps_a_sha256_hash():
    assert rules.code_hash("A" * 28) == hashlib.sha256(b"A" * 28).hexdigest()
    assert len(rules.code_hash("A" * 28)) == 64


EXPIRES = date(2029, 12, 1)


@pytest.mark.parametrize("day, revoked, superseded, expected", [
    (EXPIRES - timedelta(days=1), False, False, Status.VALID),   # the day before the expiry date: still valid
    (EXPIRES, False, False, Status.EXPIRED),                     # on the expiry date: expired
    (EXPIRES + timedelta(days=1), False, False, Status.EXPIRED),
    (EXPIRES - timedelta(days=1), True, False, Status.REVOKED),
    (EXPIRES, True, True, Status.REVOKED),                       # revoked wins over everything
    (EXPIRES - timedelta(days=1), False, True, Status.SUPERSEDED),
    (EXPIRES + timedelta(days=1), False, True, Status.SUPERSEDED),  # superseded wins over expired
])
def test_status_on_a_day(day, revoked, superseded, expected):
    assert rules.status_on(day, EXPIRES, revoked, superseded) is expected


def test_a_certificate_without_expiry_stays_valid():
    assert rules.status_on(date(2100, 1, 1), None, False, False) is Status.VALID


@pytest.mark.parametrize("minutes, label", [(45, "45 minutes"), (60, "1 hour"), (90, "1.5 hours"),
                                            (360, "6 hours"), (780, "13 hours"), (200, "3.33 hours")])
def test_hours_label(minutes, label):
    assert rules.hours_label(minutes) == label
