"""The approval queue and the finance page at two sizes that both fill a page: the same queries and rows loaded.

The growth guard's small world (tests/test_growth_guard.py) has fewer claims waiting, and fewer volunteers paid,
than a page holds, so there these pages load more rows in the large world until their page is full."""
from datetime import date

import pytest
from sqlalchemy import insert

from app.auth.models import Role
from app.db_types import utcnow
from app.expenses.models import Claim, ClaimStatus, Line, LineKind
from app.extensions import db
from tests.factories import make_user
from tests.test_growth_guard import World, measure_fresh


def _claims(n: int, status: ClaimStatus) -> None:
    """n claims in this status from n new volunteers in Durham, each with a journey and a parking cost."""
    now = utcnow()
    people = [make_user(Role.VOLUNTEER, areas=["Durham"]) for _ in range(n)]
    start = db.session.scalar(db.select(db.func.coalesce(db.func.max(Claim.id), 0)))
    db.session.execute(insert(Claim), [
        {"id": start + i + 1, "claimant_id": person.id, "status": status, "created_at": now, "submitted_at": now,
         "decided_at": now if status is ClaimStatus.APPROVED else None, "version": 1}
        for i, person in enumerate(people)])
    lines = []
    for i in range(n):
        lines.append({"claim_id": start + i + 1, "kind": LineKind.MILEAGE, "spent_on": date.today(),
                      "from_place": "Home", "to_place": "Durham", "miles_tenths": 100, "vehicle": "car",
                      "stream": "mentoring", "pence": 450, "description": "", "created_at": now,
                      "priced": [{"miles": "10", "pence_per_mile": 45, "pence": 450, "band": "first"}]})
        lines.append({"claim_id": start + i + 1, "kind": LineKind.PARKING, "spent_on": date.today(),
                      "stream": "mentoring", "pence": 200, "description": "Parking", "created_at": now})
    db.session.execute(insert(Line), lines)
    db.session.commit()


@pytest.mark.parametrize("role, url, status, page", [
    ("coordinator", "/expenses/approvals", ClaimStatus.SUBMITTED, 25),
    ("manager", "/expenses/approvals", ClaimStatus.SUBMITTED, 25),
    ("manager", "/expenses/finance", ClaimStatus.APPROVED, 50),
])
def test_a_full_page_loads_the_same_rows_however_many_claims_there_are(app, login_as, role, url, status, page):
    clients = {"coordinator": login_as("coordinator", areas=["Durham"]), "manager": login_as("manager")}
    world = World(app, clients, {})
    _claims(page + 5, status)
    small = measure_fresh(world, role, url)
    _claims(4 * page, status)
    large = measure_fresh(world, role, url)
    assert small.status == large.status == 200
    assert (large.queries, large.rows) == (small.queries, small.rows), (small, large)
