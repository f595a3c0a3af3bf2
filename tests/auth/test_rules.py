"""The pure account rules: how long a sign-in waits, and how the wait is said."""
from datetime import timedelta

import pytest

from app.auth.rules import sign_in_delay, wait_in_words

S = timedelta(seconds=1)
FIRST, LONGEST = 30 * S, 15 * 60 * S


@pytest.mark.parametrize("failures,expected", [
    (0, 0 * S), (1, 0 * S), (4, 0 * S),                 # the free failures cost nothing
    (5, 30 * S), (6, 60 * S), (7, 120 * S), (8, 240 * S), (9, 480 * S),  # then the wait doubles
    (10, LONGEST), (11, LONGEST), (40, LONGEST), (10**6, LONGEST),     # and stops growing
])
def test_sign_in_delay(failures, expected):
    assert sign_in_delay(failures, 5, FIRST, LONGEST) == expected


def test_sign_in_delay_with_no_free_failures_waits_from_the_first():
    assert sign_in_delay(0, 0, FIRST, LONGEST) == FIRST
    assert sign_in_delay(1, 0, FIRST, LONGEST) == 2 * FIRST


@pytest.mark.parametrize("wait,words", [
    (timedelta(0), "1 second"), (timedelta(milliseconds=200), "1 second"), (S, "1 second"),
    (timedelta(milliseconds=1001), "2 seconds"), (30 * S, "30 seconds"), (59 * S, "59 seconds"),
    (60 * S, "1 minute"), (61 * S, "2 minutes"), (15 * 60 * S, "15 minutes"), (timedelta(hours=1), "60 minutes"),
    (timedelta(minutes=119), "119 minutes"), (timedelta(minutes=120), "2 hours"), (timedelta(minutes=121), "3 hours"),
    (timedelta(hours=24), "24 hours"),
])
def test_wait_in_words(wait, words):
    assert wait_in_words(wait) == words
