"""The coordinators' queue: own areas first, filters, counts per status, pages, and a fixed number of queries."""
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from app.applications.models import Application, application_areas
from app.applications.rules import Status
from app.auth.models import User
from app.db_types import utcnow
from app.extensions import db
from tests.applications.factories import make_application
from tests.factories import area_named


def names(page: str, *candidates: str) -> set[str]:
    return {c for c in candidates if c in page}


def test_queue_opens_on_the_coordinators_own_areas(login_as):
    c = login_as("coordinator", areas=["Durham"])
    make_application(status=Status.SUBMITTED, areas=("Durham",), full_name="Dee Durham")
    make_application(status=Status.IN_REVIEW, areas=("Weardale", "Durham"), full_name="Bea Both")
    make_application(status=Status.SUBMITTED, areas=("Weardale",), full_name="Wes Weardale")
    make_application(status=Status.DRAFT, areas=("Durham",), full_name="Dan Draft")
    page = c.get("/applications").get_data(as_text=True)
    assert names(page, "Dee Durham", "Bea Both", "Wes Weardale", "Dan Draft") == {"Dee Durham", "Bea Both"}
    assert '<option value="mine" selected' in page
    # Need to know: a coordinator never sees applications outside the areas they cover, whatever the filter.
    everywhere = c.get("/applications?area=").get_data(as_text=True)
    assert names(everywhere, "Dee Durham", "Bea Both", "Wes Weardale", "Dan Draft") == {"Dee Durham", "Bea Both"}
    assert ">Weardale</option>" not in page and ">All areas</option>" not in page
    weardale = c.get(f"/applications?area={area_named('Weardale').id}").get_data(as_text=True)
    assert names(weardale, "Dee Durham", "Bea Both", "Wes Weardale") == {"Bea Both"}  # Bea is in Durham too
    wes = next(a for a in db.session.scalars(select(Application)) if a.full_name == "Wes Weardale")
    assert c.get(f"/applications/{wes.id}").status_code == 404


def test_managers_see_every_area(login_as):
    m = login_as("manager")
    make_application(status=Status.SUBMITTED, areas=("Durham",), full_name="Dee Durham")
    make_application(status=Status.SUBMITTED, areas=("Weardale",), full_name="Wes Weardale")
    page = m.get("/applications").get_data(as_text=True)
    assert names(page, "Dee Durham", "Wes Weardale") == {"Dee Durham", "Wes Weardale"}
    weardale = m.get(f"/applications?area={area_named('Weardale').id}").get_data(as_text=True)
    assert names(weardale, "Dee Durham", "Wes Weardale") == {"Wes Weardale"}


def test_a_coordinator_never_sees_or_acts_on_their_own_application(login_as):
    c = login_as("coordinator", areas=["Durham"])
    c.user.role_grants  # noqa: B018  (loaded)
    own = make_application(user=c.user, status=Status.SUBMITTED, areas=("Durham",), full_name="Cora Coordinator")
    assert "Cora Coordinator" not in c.get("/applications").get_data(as_text=True)
    assert c.get(f"/applications/{own.id}").status_code == 404
    assert c.post(f"/applications/{own.id}/start-review", data={"note": ""}).status_code == 404
    db.session.refresh(own)
    assert own.status == Status.SUBMITTED


def test_status_filter_and_counts(login_as):
    c = login_as("coordinator", areas=["Durham"])
    for status, n in ((Status.SUBMITTED, 2), (Status.IN_REVIEW, 1), (Status.ACCEPTED, 1), (Status.WITHDRAWN, 1)):
        for i in range(n):
            make_application(status=status, full_name=f"{status.value} person {i}")
    page = c.get("/applications").get_data(as_text=True)
    assert "Received: 2" in page and "In review: 1" in page and "Accepted: 1" in page and "Withdrawn: 1" in page
    assert "accepted person 0" not in page and "submitted person 1" in page  # open ones by default
    only = c.get("/applications?status=accepted&area=mine").get_data(as_text=True)
    assert names(only, "accepted person 0", "submitted person 0") == {"accepted person 0"}
    assert "Received: 2" in only  # counts ignore the status filter, so every status stays reachable
    assert "5 applications shown" in c.get("/applications?status=all").get_data(as_text=True)


def test_submitted_date_and_days_waiting_filters(login_as):
    c = login_as("coordinator", areas=["Durham"])
    make_application(status=Status.SUBMITTED, submitted_days_ago=30, full_name="Old Olive")
    make_application(status=Status.SUBMITTED, submitted_days_ago=2, full_name="New Nina")
    waiting = c.get("/applications?waiting=14").get_data(as_text=True)
    assert names(waiting, "Old Olive", "New Nina") == {"Old Olive"}
    since = (utcnow() - timedelta(days=7)).date()
    recent = c.get(f"/applications?submitted_from={since.isoformat()}").get_data(as_text=True)
    assert names(recent, "Old Olive", "New Nina") == {"New Nina"}
    until = (utcnow() - timedelta(days=20)).date()
    older = c.get(f"/applications?submitted_to={until.isoformat()}").get_data(as_text=True)
    assert names(older, "Old Olive", "New Nina") == {"Old Olive"}


def test_bad_filters_get_messages_not_errors(login_as):
    c = login_as("coordinator")
    response = c.get("/applications?waiting=lots&submitted_from=2026-01-10&submitted_to=2026-01-01")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The to date must be the same as or after the from date" in page
    assert "Days waiting must be a whole number, like 14" in page
    assert c.get("/applications?status=nonsense").status_code == 200


def test_queue_is_paginated(login_as):
    c = login_as("coordinator", areas=["Durham"])
    for i in range(27):
        make_application(status=Status.SUBMITTED, full_name=f"Person {i:02d}", submitted_days_ago=40 - i, commit=False)
    db.session.commit()
    first = c.get("/applications").get_data(as_text=True)
    second = c.get("/applications?page=2").get_data(as_text=True)
    assert "Person 00" in first and "Person 24" in first and "Person 25" not in first
    assert "Person 25" in second and "Person 26" in second and "Person 00" not in second


def bulk_applications(n: int, area_ids: list[int]) -> None:
    """Insert n submitted applications (with users and areas) in three statements."""
    start = db.session.scalar(select(db.func.coalesce(db.func.max(User.id), 0))) + 1
    now = datetime.now(UTC)
    db.session.execute(insert(User), [
        {"id": start + i, "email": f"bulk{start + i}@example.org", "full_name": f"Bulk {i}", "password_hash": "x",
         "session_token": f"bulk-token-{start + i}", "text_size": "normal", "created_at": now} for i in range(n)])
    db.session.execute(insert(Application), [
        {"id": start + i, "user_id": start + i, "status": Status.SUBMITTED if i % 2 else Status.IN_REVIEW,
         "full_name": f"Bulk {i}", "email": f"bulk{start + i}@example.org", "date_of_birth": date(1980, 1, 1),
         "availability": [], "lived_experience": [], "steps_done": [], "consent_data": True, "consent_checks": True,
         "possible_duplicate": False, "created_at": now, "updated_at": now,
         "submitted_at": now - timedelta(days=i % 60)} for i in range(n)])
    db.session.execute(insert(application_areas), [
        {"application_id": start + i, "area_id": area_ids[i % len(area_ids)]} for i in range(n)] + [
        {"application_id": start + i, "area_id": area_ids[(i + 1) % len(area_ids)]} for i in range(n)])
    if db.engine.dialect.name == "postgresql":
        for table in ("users", "applications"):
            db.session.execute(db.text(f"SELECT setval('{table}_id_seq', (SELECT MAX(id) FROM {table}))"))
    db.session.commit()


def test_queue_uses_the_same_number_of_queries_for_10_and_1000(login_as, count_queries):
    c = login_as("coordinator", areas=["Durham", "Weardale"])
    area_ids = [area_named(a).id for a in ("Durham", "Weardale", "Teesdale")]
    url = "/applications?status=all&area=mine&waiting=0"
    bulk_applications(10, area_ids)
    with count_queries() as small:
        assert c.get(url).status_code == 200
    bulk_applications(990, area_ids)
    with count_queries() as large:
        page = c.get(url).get_data(as_text=True)
    assert "Bulk" in page and "applications shown" in page
    assert len(small) == len(large), f"{len(small)} queries for 10, {len(large)} for 1000"
    assert len(large) <= 10
    print(f"queue queries: {len(small)} for 10 applications, {len(large)} for 1000")


def test_coordinator_home_counts_open_applications_in_their_areas(login_as):
    c = login_as("coordinator", areas=["Durham"])
    make_application(status=Status.SUBMITTED, areas=("Durham",))
    make_application(status=Status.CHAT_HELD, areas=("Durham",))
    make_application(status=Status.ACCEPTED, areas=("Durham",))
    make_application(status=Status.SUBMITTED, areas=("Weardale",))
    assert "2 applications waiting in your areas" in c.get("/").get_data(as_text=True)


def test_a_draft_withdrawn_before_sending_is_not_shown_to_coordinators(login_as, request_ctx):
    from app.applications import services

    c = login_as("coordinator", areas=["Durham"])
    draft = make_application(status=Status.DRAFT, full_name="Never Sent")
    services.withdraw_application(draft, draft.user)
    db.session.commit()
    assert "Never Sent" not in c.get("/applications?status=all&area=").get_data(as_text=True)
    assert c.get(f"/applications/{draft.id}").status_code == 404
    later = make_application(draft.user, email=draft.email)
    services.submit_application(later)
    db.session.commit()
    assert not later.possible_duplicate  # nothing to compare with: the draft was never sent


def test_the_total_shown_is_the_counts_of_the_statuses_listed(login_as, count_queries):
    """The queue's total comes from its counts per status (no COUNT of its own): for each status filter it
    is the number of applications listed, across pages."""
    c = login_as("coordinator", areas=["Durham"])
    for status, n in ((Status.SUBMITTED, 27), (Status.IN_REVIEW, 2), (Status.ACCEPTED, 3), (Status.DECLINED, 1)):
        for i in range(n):
            make_application(status=status, full_name=f"{status.value} person {i}")
    for args, total in (("", 29), ("?status=all", 33), ("?status=accepted", 3), ("?status=chat_held", 0)):
        page = c.get(f"/applications{args}").get_data(as_text=True)
        assert f"{total} application{'' if total == 1 else 's'} shown" in page, (args, total)
    assert "page=2" in c.get("/applications").get_data(as_text=True)  # 29 open: a second page
    second = c.get("/applications?page=2").get_data(as_text=True)
    assert second.count("submitted person") + second.count("in_review person") == 4
    with count_queries() as statements:
        c.get("/applications")
    assert not any("count(*)" in s.lower() and "group by" not in s.lower() for s in statements)


def test_the_home_counts_only_open_applications_in_the_coordinators_areas(login_as):
    c = login_as("coordinator", areas=["Durham"])
    for status, n in ((Status.SUBMITTED, 2), (Status.CHAT_HELD, 1), (Status.ACCEPTED, 3), (Status.WITHDRAWN, 1)):
        for i in range(n):
            make_application(status=status, areas=("Durham",), full_name=f"{status.value} person {i}")
    make_application(status=Status.SUBMITTED, areas=("Weardale",), full_name="Wes Weardale")
    assert "3 applications waiting in your areas" in c.get("/").get_data(as_text=True)
