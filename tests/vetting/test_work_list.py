"""The coordinators' work list: lists, area filter, pagination and a fixed number of queries."""
from datetime import date, timedelta

from sqlalchemy import select

from app.audit import AuditEvent
from app.auth.models import Role
from app.extensions import db
from app.timefmt import today_london
from app.vetting.enums import DbsOutcome, Decision
from tests.factories import make_user
from tests.vetting.factories import make_dbs, make_nppv


def names(page: str, *candidates: str) -> set[str]:
    return {name for name in candidates if name in page}


def test_lists_and_area_filter(login_as):
    today = today_london()
    coordinator = login_as("coordinator", areas=["Durham", "Stanley"])
    elsewhere = make_user(Role.VOLUNTEER, name="Otto Outside", areas=["Weardale"])
    make_dbs(elsewhere, outcome=None)
    waiting = make_user(Role.VOLUNTEER, name="Wanda Waiting", areas=["Durham"])
    make_dbs(waiting, outcome=None)
    deciding = make_user(Role.VOLUNTEER, name="Dan Deciding", areas=["Stanley"])
    make_dbs(deciding, outcome=DbsOutcome.DISCLOSED, issued_on=today)
    make_nppv(deciding, granted_on=today)
    expiring = make_user(Role.VOLUNTEER, name="Eve Expiring", areas=["Durham"])
    make_dbs(expiring, issued_on=today.replace(year=today.year - 3) + timedelta(days=20))
    make_nppv(expiring, granted_on=today)
    done = make_user(Role.VOLUNTEER, name="Colin Complete", areas=["Durham"])
    make_dbs(done, issued_on=today)
    make_nppv(done, granted_on=today)
    everyone = ("Wanda Waiting", "Dan Deciding", "Eve Expiring", "Colin Complete")

    page = coordinator.get("/vetting").get_data(as_text=True)
    assert names(page, *everyone) == {"Wanda Waiting", "Dan Deciding", "Eve Expiring"}
    assert names(coordinator.get("/vetting?show=all").get_data(as_text=True), *everyone) == set(everyone)
    # Need to know: someone outside the coordinator's areas is on no list, and their record is not found.
    assert "Otto Outside" not in coordinator.get("/vetting?show=all").get_data(as_text=True)
    assert coordinator.get(f"/vetting/people/{elsewhere.id}").status_code == 404
    assert names(coordinator.get("/vetting?show=awaiting-result").get_data(as_text=True), *everyone) == {"Wanda Waiting"}
    assert names(coordinator.get("/vetting?show=awaiting-decision").get_data(as_text=True), *everyone) == {"Dan Deciding"}
    assert names(coordinator.get("/vetting?show=expiring-30").get_data(as_text=True), *everyone) == {"Eve Expiring"}
    durham = coordinator.user.areas[0].id
    page = coordinator.get(f"/vetting?show=all&area={durham}").get_data(as_text=True)
    assert names(page, *everyone) == {"Wanda Waiting", "Eve Expiring", "Colin Complete"}
    assert "Awaiting decision</a>: 0" in page and "Awaiting result</a>: 1" in page


def test_nonsense_filters_fall_back_to_the_default(login_as):
    coordinator = login_as("manager")
    assert coordinator.get("/vetting?show=bogus&area=xyz&page=-3").status_code == 200


def test_work_list_paginates(login_as):
    coordinator = login_as("manager")
    for n in range(30):
        make_user(Role.VOLUNTEER, name=f"Person {n:02d}", commit=False)
    from app.extensions import db

    db.session.commit()
    first = coordinator.get("/vetting?show=all").get_data(as_text=True)
    second = coordinator.get("/vetting?show=all&page=2").get_data(as_text=True)
    assert "Person 00" in first and "Person 24" in first and "Person 25" not in first
    assert "Person 25" in second and "Person 29" in second and "Person 00" not in second
    assert 'href="/vetting?page=2&amp;show=all" rel="next"' in first  # the filter is kept


def _volunteers(n: int, offset: int):
    today = today_london()
    for i in range(n):
        person = make_user(Role.VOLUNTEER, name=f"Volunteer {offset + i}", areas=["Durham", "Stanley"], commit=False)
        from app.extensions import db

        db.session.flush()
        make_dbs(person, outcome=DbsOutcome.DISCLOSED, issued_on=today - timedelta(days=i), commit=False)
        make_nppv(person, granted_on=date(2025, 1, 1), commit=False)
        make_dbs(person, outcome=None, commit=False)
    from app.extensions import db

    db.session.commit()


def test_work_list_runs_a_fixed_number_of_queries(login_as, count_queries):
    """Both on a normal load and on the day's first, which writes everyone's lists (app/vetting/services_lists.py)."""
    from app.extensions import db
    from app.vetting import services_lists

    coordinator = login_as("coordinator", areas=["Durham"])
    _volunteers(3, 0)
    with count_queries() as small_first:
        assert coordinator.get("/vetting?show=all").status_code == 200
    with count_queries() as small:
        assert coordinator.get("/vetting?show=all").status_code == 200
    _volunteers(40, 100)
    with count_queries() as large:
        page = coordinator.get("/vetting?show=all&page=2").get_data(as_text=True)
    assert "Volunteer" in page
    assert len(small) == len(large), f"{len(small)} queries for 3 volunteers, {len(large)} for 43"
    assert len(large) <= 16  # the view log now also moves the audit chain on
    services_lists.forget()
    db.session.commit()
    with count_queries() as large_first:
        assert coordinator.get("/vetting?show=all&page=2").status_code == 200
    assert len(small_first) == len(large_first) <= len(large) + 6  # the state claimed, the lists rewritten


def test_default_list_runs_a_fixed_number_of_queries(login_as, count_queries):
    coordinator = login_as("coordinator", areas=["Durham"])
    _volunteers(3, 0)
    coordinator.get("/vetting")  # the day's first load writes everyone's lists (counted in the test above)
    with count_queries() as small:
        assert coordinator.get("/vetting").status_code == 200
    _volunteers(40, 100)
    with count_queries() as large:
        page = coordinator.get("/vetting?page=2").get_data(as_text=True)
    assert "Volunteer 1" in page
    assert len(small) == len(large), f"{len(small)} queries for 3 volunteers, {len(large)} for 43"


def test_record_page_runs_a_fixed_number_of_queries(login_as, count_queries):
    """The view log is committed after rendering, so nothing on the page is reloaded row by row."""
    coordinator = login_as("coordinator", areas=["Durham"])
    person = make_user(Role.VOLUNTEER, name="Rita Rechecked", areas=["Durham"])
    make_dbs(person, issued_on=date(2020, 1, 1))
    make_nppv(person, granted_on=date(2020, 2, 1))
    with count_queries() as small:
        assert coordinator.get(f"/vetting/people/{person.id}").status_code == 200
    for year in (2021, 2022, 2023):
        make_dbs(person, outcome=DbsOutcome.DISCLOSED, issued_on=date(year, 1, 1), decision=Decision.APPROVED,
                 decided_by=coordinator.user)
        make_nppv(person, granted_on=date(year, 2, 1))
    with count_queries() as large:
        assert "Rita Rechecked" in coordinator.get(f"/vetting/people/{person.id}").get_data(as_text=True)
    assert len(small) == len(large), f"{len(small)} queries for one record of each, {len(large)} for four"


def test_viewing_the_work_list_logs_who_was_shown(login_as):
    coordinator = login_as("coordinator", areas=["Durham"])
    shown = make_user(Role.VOLUNTEER, name="Sam Shown", areas=["Durham"])
    coordinator.get("/vetting?show=awaiting-submission")
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "vetting.list_viewed")).all()
    assert event.actor_id == coordinator.user.id and event.details["shown"] == [shown.id]
    assert event.details["show"] == "awaiting-submission" and event.details["page"] == 1


def test_the_list_follows_a_change_of_areas_and_of_day_at_once(login_as, monkeypatch):
    """The lists' SQL is built once per member of staff, areas and policy (queries._lists), and the lists are kept
    for one day (services_lists): a coordinator given another area sees its people on the next load, and
    tomorrow's bands are tomorrow's, not yesterday's."""
    import app.vetting.views
    from tests.factories import area_named

    today = today_london()
    coordinator = login_as("coordinator", areas=["Durham"])
    weardale = make_user(Role.VOLUNTEER, name="Wendy Weardale", areas=["Weardale"])
    make_dbs(weardale, outcome=None)
    # Eve's DBS recheck falls in 31 days: not on the 30-day list today, on it tomorrow.
    eve = make_user(Role.VOLUNTEER, name="Eve Expiring", areas=["Durham"])
    make_dbs(eve, issued_on=today.replace(year=today.year - 3) + timedelta(days=31))
    make_nppv(eve, granted_on=today)
    assert "Wendy Weardale" not in coordinator.get("/vetting").get_data(as_text=True)
    assert "Eve Expiring" not in coordinator.get("/vetting?show=expiring-30").get_data(as_text=True)

    coordinator.user.areas.append(area_named("Weardale"))
    db.session.commit()
    assert names(coordinator.get("/vetting").get_data(as_text=True), "Wendy Weardale") == {"Wendy Weardale"}

    monkeypatch.setattr(app.vetting.views, "today_london", lambda: today + timedelta(days=1))
    assert "Eve Expiring" in coordinator.get("/vetting?show=expiring-30").get_data(as_text=True)
    coordinator.user.areas.remove(area_named("Weardale"))
    db.session.commit()
    assert "Wendy Weardale" not in coordinator.get("/vetting?show=all").get_data(as_text=True)
