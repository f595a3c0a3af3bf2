"""Expenses at the same moment: a double tap on "Submit" makes one submission, two approvers make one decision,
five taps on "Start a claim" make one draft, two payment batches never hold the same claim."""
from datetime import date

import pytest
from sqlalchemy import func, select

from app.auth.models import Role
from app.expenses.models import Claim, ClaimStatus
from app.extensions import db
from tests.concurrency.conftest import audit_count, settle
from tests.concurrency.test_races import _post_all
from tests.expenses.factories import approved_claim, journey, make_claim, make_driver
from tests.factories import make_user

pytestmark = pytest.mark.real_commits


def test_submitting_twice_at_once_makes_one_submission(app, race, smtp):
    person = make_driver()
    claim = make_claim(person, [journey(date.today(), "12")])
    smtp.clear()
    results = _post_all(app, race, [(person, f"/expenses/claims/{claim.id}/submit", {})] * 3)
    assert audit_count("expenses.claim_submitted") == 1
    assert sum("Claim submitted." in page for _, page in results) == 1
    assert all("Claim submitted." in page or "changed a moment ago" in page or "already submitted" in page
               for _, page in results)
    assert [m["Subject"] for m in settle(smtp, 1)] == ["Expenses claim received"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Claim)) == 1


def test_two_approvers_at_once_make_one_decision(app, race, smtp):
    person = make_driver(areas=("Durham",))
    claim = make_claim(person, [journey(date.today(), "12")], submit=True)
    coordinator, manager = make_user(Role.COORDINATOR, areas=["Durham"]), make_user(Role.MANAGER)
    smtp.clear()
    url = f"/expenses/claims/{claim.id}/decision"
    _post_all(app, race, [(coordinator, url, {"decision": "approve"}),
                          (manager, url, {"decision": "reject", "comment": "Claimed last month already"})])
    approved, rejected = audit_count("expenses.claim_approved"), audit_count("expenses.claim_rejected")
    assert (approved, rejected) in ((1, 0), (0, 1))
    db.session.expire_all()
    status = db.session.get(Claim, claim.id).status
    assert status is (ClaimStatus.APPROVED if approved else ClaimStatus.REJECTED)
    assert len(settle(smtp, 1)) == 1


def test_five_taps_on_start_a_claim_make_one_draft(app, race):
    person = make_driver()
    _post_all(app, race, [(person, "/expenses/claims/new", {})] * 5)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Claim).where(Claim.claimant_id == person.id)) == 1
    assert audit_count("expenses.claim_started") == 1


def test_two_payment_batches_at_once_never_share_a_claim(app, race):
    manager, other = make_user(Role.MANAGER), make_user(Role.MANAGER)
    for _ in range(3):
        approved_claim(make_driver(), manager, [journey(date.today(), "5")])
    _post_all(app, race, [(manager, "/expenses/finance/batches", {}), (other, "/expenses/finance/batches", {})])
    db.session.expire_all()
    batches = set(db.session.scalars(select(Claim.batch_id)))
    assert len(batches) == 1 and None not in batches
    assert audit_count("expenses.batch_created") == 1
