"""rules.Decider (each gate decided once per distinct set of the facts its rule reads, READS) gives what
rules.evaluate gives person by person. Volunteers are made at random near the boundary days, then each one fact
(to the depth of a DBS check's decision) is changed at a time: a memo keyed on too few facts hands the changed
volunteer the first one's outcome, and is caught. Pure: no app, no database."""
import random
from dataclasses import fields, replace
from datetime import timedelta
from operator import attrgetter

import pytest

from app.dates import add_years
from app.readiness import rules
from app.readiness.rules import CourseFacts, Facts, SelfDeclaration
from app.vetting.enums import (
    DbsLevel,
    DbsOutcome,
    Decision,
    JoinRoute,
    NppvLevel,
    NppvOutcome,
    StatusOutcome,
    Workforce,
)
from app.vetting.policy import VettingPolicy
from app.vetting.rules import DbsFacts, DecisionFacts, NppvFacts, StatusCheckFacts
from tests.readiness.test_rules import ON, POLICY

D = timedelta(days=1)
POLICIES = {"period": VettingPolicy(), "update_service": VettingPolicy(recheck="update_service")}
# the days the rules turn on: today, either side of it, of the lead times, and of the three-year recheck
DAYS = sorted({ON + n * D for n in (-400, -61, -60, -59, -1, 0, 1, 59, 60, 61, 400)}
              | {add_years(ON, -3) + n * D for n in (-1, 0, 1)} | {add_years(ON + 60 * D, -3) + n * D for n in (-1, 0, 1)})
COURSE_CODES = sorted({g.course for g in POLICY.gates if g.rule == "course"})


def _day(rng):
    return rng.choice(DAYS)


def _maybe_day(rng):
    return rng.choice([None, None, *DAYS])


def _rarely_day(rng):
    return rng.choice(DAYS) if rng.random() < 0.3 else None


def _maybe(values):
    return lambda rng: rng.choice([None, *values])


def _one_of(values):
    return lambda rng: rng.choice(list(values))


DECISION = {"decision": _one_of(Decision), "decided_on": _day, "recorded_at": lambda rng: None,
            "conditions": _one_of([(), ("not_gambling",)]), "needs_confirmation": _one_of([True, False]),
            "confirmed": _one_of([True, False]), "decided_by_id": _one_of([None, 1, 2])}
STATUS_CHECK = {"checked_on": _day, "outcome": _one_of(StatusOutcome), "recorded_at": lambda rng: None}
DBS = {"level": _one_of(DbsLevel), "workforce": _one_of(Workforce), "requested_on": _day, "submitted_on": _maybe_day,
       "issued_on": _maybe_day, "outcome": _maybe(DbsOutcome), "subscribed_on": _maybe_day, "consent_on": _maybe_day,
       "original_seen_on": _maybe_day, "id": lambda rng: rng.randint(1, 4), "join_route": _maybe(JoinRoute),
       "renews_on": _rarely_day, "consent_withdrawn_on": _rarely_day,
       "decisions": lambda rng: tuple(_record(DecisionFacts, DECISION, rng) for _ in range(rng.choice([0, 0, 1]))),
       "status_checks": lambda rng: tuple(_record(StatusCheckFacts, STATUS_CHECK, rng)
                                          for _ in range(rng.choice([0, 0, 1, 2])))}
NPPV = {"level": _one_of(NppvLevel), "submitted_on": _day, "outcome": _maybe(NppvOutcome), "granted_on": _maybe_day,
        "expires_on": _day, "outcome_on": _maybe_day, "id": lambda rng: rng.randint(1, 4),
        "open_changes": lambda rng: tuple(_day(rng) for _ in range(rng.choice([0, 0, 1])))}
COURSE = {"completed_on": _day, "expires_on": _maybe_day}
FACTS = {"application_accepted_on": _maybe_day, "references_satisfactory": _one_of(range(4)),
         "identity_checked_on": _maybe_day, "self_declaration": _one_of(SelfDeclaration),
         "dbs_checks": lambda rng: _checks(rng),
         "police": lambda rng: tuple(_record(NppvFacts, NPPV, rng) for _ in range(rng.choice([0, 1, 1, 2]))),
         "courses": lambda rng: {code: tuple(CourseFacts(**{k: g(rng) for k, g in COURSE.items()})
                                             for _ in range(rng.choice([1, 1, 2])))
                                 for code in rng.sample(COURSE_CODES, rng.randint(0, len(COURSE_CODES)))},
         "agreements": lambda rng: {v: _day(rng) for v in rng.sample([0, 1, 2], rng.randint(0, 2))},
         "induction_on": _maybe_day, "supervisor": _one_of([None, "Sam Supervisor", "Alex Bell"]),
         "emergency_contact": _one_of([True, False])}


def _checks(rng) -> tuple:
    """None, one or two DBS checks; two are often issued and requested on the same days (only the ids then say
    which is current)."""
    checks = [_record(DbsFacts, DBS, rng) for _ in range(rng.choice([0, 1, 1, 2]))]
    if len(checks) == 2 and rng.random() < 0.5:
        checks[1] = replace(checks[1], issued_on=checks[0].issued_on, requested_on=checks[0].requested_on)
    return tuple(checks)


def _record(cls, makers, rng):
    return cls(**{name: make(rng) for name, make in makers.items()})


def _changed(value, make, rng):
    """Another value from the same maker (the first of a few tries that differs)."""
    for _ in range(8):
        new = make(rng)
        if new != value:
            return new
    return value


def _one_field_changed(record, makers, rng):
    """The record with each of its fields changed in turn (a record with a nested tuple: each part's fields too)."""
    for name, make in makers.items():
        yield replace(record, **{name: _changed(getattr(record, name), make, rng)})
    for name, parts_makers in (("decisions", DECISION), ("status_checks", STATUS_CHECK)):
        parts = getattr(record, name, ())
        for n, part in enumerate(parts):
            for new in _one_field_changed(part, parts_makers, rng):
                yield replace(record, **{name: parts[:n] + (new,) + parts[n + 1:]})


def variants(facts: Facts, rng):
    """The volunteer with one fact changed, every fact in turn, down to a DBS decision's fields."""
    for name, make in FACTS.items():
        yield replace(facts, **{name: _changed(getattr(facts, name), make, rng)})
    for name, makers in (("dbs_checks", DBS), ("police", NPPV)):
        records = getattr(facts, name)
        for n, record in enumerate(records):
            for new in _one_field_changed(record, makers, rng):
                yield replace(facts, **{name: records[:n] + (new,) + records[n + 1:]})
    for code, done in facts.courses.items():
        for n, completion in enumerate(done):
            for key, make in COURSE.items():
                new = completion._replace(**{key: _changed(getattr(completion, key), make, rng)})
                yield replace(facts, courses={**facts.courses, code: done[:n] + (new,) + done[n + 1:]})
    for version in facts.agreements:
        yield replace(facts, agreements={**facts.agreements, version: _changed(facts.agreements[version], _day, rng)})


def mismatches(vetting: VettingPolicy, people: int = 120, seed: int = 5) -> list:
    """The volunteers (with one fact changed from one before them) for whom one shared Decider disagrees with
    evaluate."""
    rng, decider, wrong = random.Random(seed), rules.Decider(POLICY, vetting, ON), []
    for _ in range(people):
        base = Facts(**{name: make(rng) for name, make in FACTS.items()})
        for facts in [base, *variants(base, rng)]:
            if decider.readiness(facts) != rules.evaluate(facts, POLICY, vetting, ON):
                wrong.append(facts)
    return wrong


@pytest.mark.parametrize("recheck", sorted(POLICIES))
def test_a_shared_decider_decides_as_evaluate_does_whichever_one_fact_differs(recheck):
    assert mismatches(POLICIES[recheck]) == []


def test_every_rule_says_what_it_reads():
    assert set(rules.READS) == set(rules.EVALUATORS)


def _narrow_records(reads):
    return lambda gate, f: rules.records_key(f.dbs_checks, attrgetter(*reads))


def _dbs_without(name):
    return _narrow_records([f.name for f in fields(DbsFacts) if f.name not in ("id", name)])


NARROWER = {  # keys that leave out a fact the rule reads: the check above must catch each
    "dbs without the decisions": ("dbs", _dbs_without("decisions"), "period"),
    "dbs without the status checks": ("dbs", _dbs_without("status_checks"), "period"),
    "dbs without the issue date": ("dbs", _dbs_without("issued_on"), "period"),
    "dbs without the subscription": ("dbs", _dbs_without("subscribed_on"), "update_service"),
    "dbs without consent withdrawn": ("dbs", _dbs_without("consent_withdrawn_on"), "update_service"),
    "dbs without the ids' order": ("dbs", lambda gate, f: tuple(map(rules.DBS_READS, f.dbs_checks)), "period"),
    "police without open changes": ("police_vetting", lambda gate, f: tuple(
        (r.level, r.submitted_on, r.outcome, r.granted_on, r.expires_on, r.outcome_on) for r in f.police), "period"),
    "courses without expiry": ("course", lambda gate, f: tuple(c.completed_on for c in f.courses.get(gate.course, ())),
                               "period"),
    "agreements without the day signed": ("agreement", lambda gate, f: frozenset(f.agreements), "period"),
    "induction without the supervisor": ("induction", lambda gate, f: f.induction_on, "period"),
}


@pytest.mark.parametrize("case", sorted(NARROWER))
def test_a_memo_keyed_on_too_few_facts_is_caught(case, monkeypatch):
    rule, key, recheck = NARROWER[case]
    monkeypatch.setitem(rules.READS, rule, key)
    assert mismatches(POLICIES[recheck]), case
