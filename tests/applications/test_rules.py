"""The pure rules: the whole state machine, ages, postcodes, phone numbers, and the policy file."""
from datetime import date
from itertools import product

import pytest

from app.applications.rules import (
    OPEN,
    TERMINAL,
    TRANSITIONS,
    Action,
    IllegalTransition,
    Status,
    accept_blockers,
    age_on,
    allowed_actions,
    next_status,
    normalise_phone,
    normalise_postcode,
    policy,
)

S, A = Status, Action
EXPECTED = {
    (S.DRAFT, A.SUBMIT): S.SUBMITTED,
    (S.DRAFT, A.WITHDRAW): S.WITHDRAWN,
    (S.SUBMITTED, A.START_REVIEW): S.IN_REVIEW,
    (S.SUBMITTED, A.DECLINE): S.DECLINED,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.IN_REVIEW, A.REQUEST_REFERENCES): S.REFERENCES_REQUESTED,
    (S.IN_REVIEW, A.BOOK_CHAT): S.CHAT_BOOKED,
    (S.IN_REVIEW, A.RECORD_CHAT): S.CHAT_HELD,
    (S.IN_REVIEW, A.DECLINE): S.DECLINED,
    (S.IN_REVIEW, A.WITHDRAW): S.WITHDRAWN,
    (S.REFERENCES_REQUESTED, A.BOOK_CHAT): S.CHAT_BOOKED,
    (S.REFERENCES_REQUESTED, A.RECORD_CHAT): S.CHAT_HELD,
    (S.REFERENCES_REQUESTED, A.DECLINE): S.DECLINED,
    (S.REFERENCES_REQUESTED, A.WITHDRAW): S.WITHDRAWN,
    (S.CHAT_BOOKED, A.BOOK_CHAT): S.CHAT_BOOKED,
    (S.CHAT_BOOKED, A.REQUEST_REFERENCES): S.CHAT_BOOKED,
    (S.CHAT_BOOKED, A.RECORD_CHAT): S.CHAT_HELD,
    (S.CHAT_BOOKED, A.DECLINE): S.DECLINED,
    (S.CHAT_BOOKED, A.WITHDRAW): S.WITHDRAWN,
    (S.CHAT_HELD, A.REQUEST_REFERENCES): S.CHAT_HELD,
    (S.CHAT_HELD, A.ACCEPT): S.ACCEPTED,
    (S.CHAT_HELD, A.DECLINE): S.DECLINED,
    (S.CHAT_HELD, A.WITHDRAW): S.WITHDRAWN,
}


def test_the_table_is_exactly_the_intended_machine():
    assert TRANSITIONS == EXPECTED


@pytest.mark.parametrize(("status", "action"), sorted(product(Status, Action)), ids=lambda v: v.value)
def test_every_pair_is_allowed_or_refused(status, action):
    """All 72 (status, action) pairs: the allowed ones move as expected, every other one is refused."""
    if (status, action) in EXPECTED:
        assert next_status(status, action) == EXPECTED[(status, action)]
        assert action in allowed_actions(status)
    else:
        with pytest.raises(IllegalTransition):
            next_status(status, action)
        assert action not in allowed_actions(status)


@pytest.mark.parametrize("status", sorted(TERMINAL))
def test_decided_applications_are_final(status):
    assert allowed_actions(status) == frozenset()


def test_withdraw_is_possible_from_every_status_before_a_decision():
    for status in [S.DRAFT, *OPEN]:
        assert next_status(status, A.WITHDRAW) == S.WITHDRAWN
    with pytest.raises(IllegalTransition):
        next_status(S.ACCEPTED, A.WITHDRAW)


def test_illegal_transition_message_is_plain_english():
    with pytest.raises(IllegalTransition, match="You cannot accept an application that is withdrawn"):
        next_status(S.WITHDRAWN, A.ACCEPT)


def test_accept_needs_two_satisfactory_references_and_a_chat():
    assert accept_blockers([True, True], chat_held=True) == []
    assert accept_blockers([True, None], chat_held=True) == ["Record whether both references are satisfactory"]
    assert accept_blockers([True], chat_held=True) == ["Record whether both references are satisfactory"]
    assert accept_blockers([True, False], chat_held=True) == ["A reference was not satisfactory"]
    assert accept_blockers([True, True], chat_held=False) == ["Record the informal chat"]


@pytest.mark.parametrize(("born", "on", "age"), [
    (date(2008, 11, 21), date(2026, 11, 21), 18),   # 18th birthday today
    (date(2008, 11, 22), date(2026, 11, 21), 17),   # 18 tomorrow
    (date(2008, 2, 29), date(2026, 2, 28), 17),     # leap-day birthday not yet reached
    (date(2008, 2, 29), date(2026, 3, 1), 18),
    (date(1950, 1, 1), date(2026, 11, 21), 76),
])
def test_age_on(born, on, age):
    assert age_on(born, on) == age


@pytest.mark.parametrize(("typed", "stored"), [
    ("dh1 3le", "DH1 3LE"), ("DL1  5QT", "DL1 5QT"), ("sr83ag", "SR8 3AG"), ("TS1 2AA", "TS1 2AA"),
    ("SW1A 1AA", "SW1A 1AA"), ("EC1A1BB", "EC1A 1BB"), ("M1 1AE", "M1 1AE"),
    ("", None), ("DH1", None), ("12345", None), ("DH1 3LEE", None), ("D H 1 3 L E X", None), ("DH1 ELE", None),
])
def test_postcodes(typed, stored):
    assert normalise_postcode(typed) == stored


@pytest.mark.parametrize(("typed", "stored"), [
    ("07700 900 982", "07700900982"), ("+44 7700 900982", "07700900982"), ("0044 (0)7700 900982", "07700900982"),
    ("01325 123456", "01325123456"), ("0191-386-1234", "01913861234"),
    ("", None), ("12345", None), ("07700 900 98", None), ("077009009821", None), ("+1 212 555 0100", None),
    ("09001 234567", None), ("phone me", None),
])
def test_phone_numbers(typed, stored):
    assert normalise_phone(typed) == stored


def test_policy_file_is_read():
    p = policy()
    assert p.minimum_age == 18 and p.reference_link_days > 0
    assert any(c.family for c in p.relationship)
    assert {"decline_reason", "lived_experience"} <= set(p.__dataclass_fields__)
    assert p.label("availability", "weekends") == "Weekends"
    assert p.label("availability", "gone") == "gone"


@pytest.mark.parametrize("action, details, note, what, why", [
    ("application.start_review", {}, "Picked up", "Started the review", "Picked up."),
    ("application.start_review", {}, None, "Started the review", ""),
    ("application.reference_assessed", {"referee": 2}, "Vague", "Recorded reference 2 as not satisfactory", "Vague."),
    ("application.reference_received", {"referee": 1}, None, "Reference 1 arrived", ""),
    ("application.decline", {}, None, "Declined", "We could not get in touch. Three calls."),
    ("application.record_chat", {"outcome": "positive", "held_on": "2026-11-20"}, None,
     "Recorded the informal chat: went well, ready to go ahead", ""),
    ("application.withdraw", {}, "Moving away", "Withdrew the application", "Moving away."),
])
def test_history_words(action, details, note, what, why):
    """The audit details carry codes; notes come beside them, the decline and the reference outcome from the rows."""
    from types import SimpleNamespace

    from app.applications.queries import describe

    application = SimpleNamespace(decline_reason="no_contact", decline_note="Three calls",
                                  referees=[SimpleNamespace(position=2, satisfactory=False)])
    assert describe(action, details, note, application) == (what, why)
