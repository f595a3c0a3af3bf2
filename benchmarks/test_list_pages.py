"""How long the staff list pages take with realistic data volumes (measured, not asserted).

Run: make benchmark. Each page is measured at 100 and 10,000 rows; the query count is printed alongside,
and must not grow with the data (that is asserted in the test suite; here it is reported).
"""
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from app.audit import AuditEvent
from app.auth.models import User
from app.extensions import db


def _fill(n_users: int, n_events: int) -> None:
    now = datetime.now(UTC)
    start = db.session.scalar(select(db.func.count()).select_from(User))
    db.session.execute(insert(User), [
        {"email": f"b{start + i}@example.org", "full_name": f"Bench {start + i}", "password_hash": "x",
         "session_token": f"bench{start + i}", "created_at": now, "text_size": "normal"} for i in range(n_users)])
    ids = list(db.session.scalars(select(User.id).limit(50)))
    db.session.execute(insert(AuditEvent), [
        {"occurred_at": now, "actor_id": ids[i % len(ids)], "subject_id": ids[(i + 1) % len(ids)],
         "action": "bench.event", "details": {"n": i}} for i in range(n_events)])
    db.session.commit()


@pytest.mark.parametrize("rows", [100, 10_000])
@pytest.mark.parametrize("path", ["/admin/people", "/audit", "/audit?action=bench&person=b1"])
def test_staff_list_page(benchmark, login_as, count_queries, path, rows):
    client = login_as("admin", email="bench-admin@example.org")
    client.user.role_grants  # noqa: B018
    from app.auth.models import Role, UserRole

    client.user.role_grants.append(UserRole(role=Role.MANAGER))
    db.session.commit()
    _fill(rows, rows)
    with count_queries() as queries:
        assert client.get(path).status_code == 200
    benchmark.extra_info["queries"] = len(queries)
    benchmark.pedantic(lambda: client.get(path), rounds=10, iterations=1)
