"""The approval queue runs the same number of queries with 10 claims waiting as with 1,000."""
from datetime import date

from sqlalchemy import insert

from app.auth.models import Role
from app.db_types import utcnow
from app.expenses.models import Claim, ClaimStatus, Line, LineKind, line_passengers
from app.extensions import db
from tests.factories import make_user


def _waiting_claims(n: int, claimants, passenger) -> None:
    """n submitted claims spread over the claimants, each with a journey (some with a passenger) and a cost."""
    now = utcnow()
    start = db.session.scalar(db.select(db.func.coalesce(db.func.max(Claim.id), 0)))
    db.session.execute(insert(Claim), [
        {"id": start + i + 1, "claimant_id": claimants[i % len(claimants)].id, "status": ClaimStatus.SUBMITTED,
         "created_at": now, "submitted_at": now, "version": 1} for i in range(n)])
    lines = []
    for i in range(n):
        claim_id = start + i + 1
        lines.append({"claim_id": claim_id, "kind": LineKind.MILEAGE, "spent_on": date.today(), "from_place": "Home",
                      "to_place": "Durham", "miles_tenths": 100, "vehicle": "car", "stream": "mentoring",
                      "priced": [{"miles": "10", "pence_per_mile": 45, "pence": 450, "band": "first"}], "pence": 450,
                      "description": "", "created_at": now})
        lines.append({"claim_id": claim_id, "kind": LineKind.PARKING, "spent_on": date.today(), "stream": "mentoring",
                      "pence": 200, "description": "Parking", "created_at": now})
    db.session.execute(insert(Line), lines)
    mileage = db.session.scalars(db.select(Line.id).where(Line.kind == LineKind.MILEAGE, Line.claim_id > start)).all()
    db.session.execute(insert(line_passengers), [{"line_id": lid, "user_id": passenger.id} for lid in mileage[::3]])
    db.session.commit()


def _count(client, count_queries) -> int:
    client.get("/expenses/approvals")  # warm up
    with count_queries() as queries:
        response = client.get("/expenses/approvals")
    assert response.status_code == 200
    return len(queries)


def test_the_approval_queue_runs_a_fixed_number_of_queries(login_as, count_queries):
    claimants = [make_user(Role.VOLUNTEER, areas=["Durham"]) for _ in range(10)]
    passenger = make_user(Role.VOLUNTEER, areas=["Durham"])
    for role, extra in ((Role.COORDINATOR, {"areas": ["Durham"]}), (Role.MANAGER, {})):
        client = login_as(make_user(role, **extra))
        if role is Role.COORDINATOR:
            _waiting_claims(10, claimants, passenger)
            ten = _count(client, count_queries)
            _waiting_claims(990, claimants, passenger)
        thousand = _count(client, count_queries)
        assert "1000 waiting" in client.get("/expenses/approvals").get_data(as_text=True)
        if role is Role.COORDINATOR:
            assert ten == thousand, f"the queue ran {ten} queries with 10 claims but {thousand} with 1,000"
        assert thousand <= 12, f"{role.value}: {thousand} queries"
