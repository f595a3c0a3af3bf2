"""Admins grant and remove roles (audited), set areas, manage the list of areas; managers read the audit log."""
from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select

from app import audit
from app.audit import AuditEvent
from app.auth.models import Role, User
from app.core.models import Area
from app.extensions import db
from tests.factories import make_user


def test_admin_grants_and_removes_roles_and_each_is_audited(login_as):
    admin = login_as("admin")
    person = make_user("applicant")
    response = admin.post(f"/admin/people/{person.id}/roles", data={"roles": ["volunteer", "trainer"]})
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.roles == {Role.VOLUNTEER, Role.TRAINER}
    events = db.session.execute(select(AuditEvent.action, AuditEvent.details, AuditEvent.actor_id)
                                .where(AuditEvent.subject_id == person.id).order_by(AuditEvent.id)).all()
    assert [(a, d["role"]) for a, d, _ in events] == [
        ("role.removed", "applicant"), ("role.granted", "trainer"), ("role.granted", "volunteer")]
    assert {actor for _, _, actor in events} == {admin.user.id}


@pytest.mark.parametrize("wanted", [["manager"], ["admin", "manager"], ["admin", "trainer"], []])
def test_admins_cannot_change_their_own_roles_in_any_direction(login_as, smtp, wanted):
    admin = login_as("admin")
    make_user("admin", email="other.admin@example.org")
    admin.post(f"/admin/people/{admin.user.id}/roles", data={"roles": wanted})
    db.session.refresh(admin.user)
    assert admin.user.roles == {Role.ADMIN}
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action.like("role.%"))) is None
    assert smtp.to("other.admin@example.org") == []
    page = admin.get(f"/admin/people/{admin.user.id}").get_data(as_text=True)
    assert "You cannot change your own roles. Ask another admin." in page
    assert "Another admin has to change your roles." in page and 'name="roles"' not in page


def test_another_admin_can_change_an_admins_roles(login_as):
    admin = login_as("admin")
    other = make_user("admin")
    admin.post(f"/admin/people/{other.id}/roles", data={"roles": ["admin", "trainer"]})
    db.session.refresh(other)
    assert other.roles == {Role.ADMIN, Role.TRAINER}


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_every_grant_of_manager_or_admin_is_e_mailed_to_the_other_active_admins(login_as, smtp, role):
    admin = login_as("admin", name="Ada Admin")
    second, third = make_user("admin", email="second@example.org"), make_user("admin", email="third@example.org")
    gone = make_user("admin", email="gone@example.org")
    gone.deactivated_at = gone.created_at
    db.session.commit()
    person = make_user("coordinator", name="Cora Coordinator", email="cora@example.org")
    admin.post(f"/admin/people/{person.id}/roles", data={"roles": ["coordinator", role]})
    db.session.refresh(person)
    assert Role(role) in person.roles
    for other in (second, third):
        (message,) = smtp.to(other.email)
        assert message["Subject"] == f"Cora Coordinator is now a {role}"
        body = smtp.body(message)
        assert "Ada Admin" in body and f"/admin/people/{person.id}" in body
    assert smtp.to(admin.user.email) == [] and smtp.to("gone@example.org") == [] and smtp.to("cora@example.org") == []
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "role.granted"))
    assert (event.actor_id, event.subject_id, event.details["role"]) == (admin.user.id, person.id, role)


def test_other_grants_are_not_e_mailed_to_admins(login_as, smtp):
    admin = login_as("admin")
    make_user("admin", email="quiet@example.org")
    person = make_user("volunteer")
    admin.post(f"/admin/people/{person.id}/roles", data={"roles": ["volunteer", "trainer", "coordinator"]})
    db.session.refresh(person)
    assert Role.TRAINER in person.roles and smtp.to("quiet@example.org") == []


def test_admin_sets_a_coordinators_areas(login_as):
    admin = login_as("admin")
    person = make_user("coordinator")
    ids = list(db.session.scalars(select(Area.id).where(Area.name.in_(["Durham", "Teesdale"]))))
    admin.post(f"/admin/people/{person.id}/areas", data={"areas": ids})
    db.session.refresh(person)
    assert sorted(a.name for a in person.areas) == ["Durham", "Teesdale"]
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "areas.changed")).details["after"] == ["Durham", "Teesdale"]


def test_deactivate_needs_a_reason_and_keeps_the_page(login_as):
    admin = login_as("admin")
    person = make_user("volunteer")
    response = admin.post(f"/admin/people/{person.id}/deactivate", data={"reason": ""})
    assert response.status_code == 400
    assert "Enter why you are deactivating this account" in response.get_data(as_text=True)
    admin.post(f"/admin/people/{person.id}/deactivate", data={"reason": "Moved away"})
    db.session.refresh(person)
    assert not person.is_active
    admin.post(f"/admin/people/{person.id}/reactivate")
    db.session.refresh(person)
    assert person.is_active


def test_areas_can_be_added_renamed_and_withdrawn_but_names_stay_unique(login_as):
    admin = login_as("admin")
    response = admin.post("/admin/areas", data={"name": "Durham", "places": "", "active": "yes"})
    assert "There is already an area with that name" in response.get_data(as_text=True)
    admin.post("/admin/areas", data={"name": "Online only", "places": "", "active": "yes"})
    area = db.session.scalar(select(Area).where(Area.name == "Online only"))
    admin.post(f"/admin/areas/{area.id}", data={"name": "Remote", "places": "Anywhere", "active": "no"})
    db.session.refresh(area)
    assert (area.name, area.places, area.active) == ("Remote", "Anywhere", False)


def test_people_search_by_name_and_role(login_as):
    admin = login_as("admin")
    make_user("trainer", name="Tilly Trainer")
    make_user("volunteer", name="Vic Volunteer")
    page = admin.get("/admin/people?q=tilly&role=").get_data(as_text=True)
    assert "Tilly Trainer" in page and "Vic Volunteer" not in page
    page = admin.get("/admin/people?q=&role=volunteer").get_data(as_text=True)
    assert "Vic Volunteer" in page and "Tilly Trainer" not in page


def _bulk_users(n):
    now = datetime.now(UTC)
    db.session.execute(insert(User), [
        {"email": f"bulk{i}@example.org", "full_name": f"Bulk {i}", "password_hash": "x", "session_token": f"t{i}",
         "created_at": now, "text_size": "normal"} for i in range(n)])
    db.session.commit()


def test_people_list_uses_the_same_queries_for_10_and_1000(login_as, count_queries):
    admin = login_as("admin")
    _bulk_users(10)
    with count_queries() as small:
        assert admin.get("/admin/people").status_code == 200
    _bulk_users_more = 990
    now = datetime.now(UTC)
    db.session.execute(insert(User), [
        {"email": f"more{i}@example.org", "full_name": f"More {i}", "password_hash": "x", "session_token": f"m{i}",
         "created_at": now, "text_size": "normal"} for i in range(_bulk_users_more)])
    db.session.commit()
    with count_queries() as large:
        assert admin.get("/admin/people").status_code == 200
    assert len(small) == len(large)


def test_audit_log_filters_and_paginates_with_fixed_queries(login_as, count_queries):
    manager = login_as("manager")
    subject = make_user("volunteer", email="subject@example.org")
    for n in range(5):
        audit.record(manager.user, "vetting.decided", subject, n=n)
    audit.record(manager.user, "role.granted", subject, role="trainer")
    db.session.commit()
    page = manager.get("/audit?action=role").get_data(as_text=True)
    assert "role.granted" in page and "vetting.decided" not in page
    page = manager.get("/audit?person=subject%40example.org").get_data(as_text=True)
    assert page.count("vetting.decided") == 5
    with count_queries() as small:
        manager.get("/audit")
    for n in range(200):
        audit.record(make_user("volunteer", commit=False), "bulk.event", subject, n=n)
    db.session.commit()
    with count_queries() as large:
        page = manager.get("/audit").get_data(as_text=True)
    assert len(small) == len(large)
    assert 'class="govuk-pagination' in page


def test_audit_log_date_filter_rejects_a_backwards_range(login_as):
    manager = login_as("manager")
    # GOV.UK date inputs send day, month and year under one name.
    response = manager.get("/audit?date_from=2&date_from=1&date_from=2026&date_to=1&date_to=1&date_to=2026")
    assert "must be the same as or after" in response.get_data(as_text=True)
    response = manager.get("/audit?date_from=31&date_from=2&date_from=2026")
    assert "must be a real date" in response.get_data(as_text=True)


def test_audit_rows_cannot_be_changed_through_the_orm(login_as):
    import pytest

    from app.audit import AuditLogIsAppendOnly

    row = audit.record(None, "test.thing")
    db.session.commit()
    row.action = "changed"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_names_are_escaped_in_tables(login_as):
    admin = login_as("admin")
    person = make_user("volunteer", name="<script>alert(1)</script> Smith")
    page = admin.get("/admin/people").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert f'href="/admin/people/{person.id}">&lt;script&gt;alert(1)&lt;/script&gt; Smith</a>' in page


def test_vetting_events_in_the_audit_log_are_for_managers_only(login_as):
    """An admin who is not a manager must not learn that someone's DBS check had a disclosure."""
    volunteer = make_user("volunteer")
    audit.record(None, "vetting.dbs_decision", volunteer)
    audit.record(None, "role.granted", volunteer, role="volunteer")
    db.session.commit()
    admin_page = login_as("admin").get("/audit").get_data(as_text=True)
    assert "role.granted" in admin_page and "vetting.dbs_decision" not in admin_page
    assert "Vetting entries are shown to managers only" in admin_page
    filtered = login_as("admin").get("/audit?action=vetting").get_data(as_text=True)
    assert "vetting.dbs_decision" not in filtered
    manager_page = login_as("manager").get("/audit").get_data(as_text=True)
    assert "vetting.dbs_decision" in manager_page
