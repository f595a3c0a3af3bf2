"""The coordinators' work list: lists, area filter, pagination and a fixed number of queries."""
from datetime import date, timedelta

from app.auth.models import Role
from app.timefmt import today_london
from app.vetting.enums import DbsOutcome
from tests.factories import make_user
from tests.vetting.factories import make_dbs, make_nppv


def names(page: str, *candidates: str) -> set[str]:
    return {name for name in candidates if name in page}


def test_lists_and_area_filter(login_as):
    today = today_london()
    coordinator = login_as("coordinator", areas=["Durham"])
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
    coordinator = login_as("coordinator")
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
    coordinator = login_as("coordinator", areas=["Durham"])
    _volunteers(3, 0)
    with count_queries() as small:
        assert coordinator.get("/vetting?show=all").status_code == 200
    _volunteers(40, 100)
    with count_queries() as large:
        page = coordinator.get("/vetting?show=all&page=2").get_data(as_text=True)
    assert "Volunteer" in page
    assert len(small) == len(large), f"{len(small)} queries for 3 volunteers, {len(large)} for 43"
    assert len(large) <= 12
