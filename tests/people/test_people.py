"""The volunteers list and person page: stages checked against a hand-built set, search, filters, scope, links,
bad input, and a fixed query count at two sizes."""
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import and_, insert, select

from app.applications.rules import Status
from app.auth.models import Role, User, UserRole
from app.expenses import rules as expense_rules
from app.expenses import services_lines
from app.extensions import db
from app.kept import note_people
from app.people import queries
from app.people.rules import Stage
from app.readiness.models import Client, Pairing
from app.timefmt import today_london
from tests.applications.factories import make_application
from tests.expenses.factories import journey, make_claim
from tests.factories import area_named, make_user
from tests.readiness.factories import make_ready_volunteer, make_released
from tests.vetting.factories import make_dbs, make_nppv

# The hand-built set: who is where, and the stage each must show. Written out, not computed.
EXPECTED = {
    "Ann Applied": Stage.APPLIED,        # Durham applicant, application sent
    "Ben Accepted": Stage.ACCEPTED,      # Durham volunteer, accepted, no checks
    "Cat Vetted": Stage.VETTED,          # Durham, accepted, DBS clear and police vetting granted
    "Dan Trained": Stage.TRAINED,        # Durham, every gate done, not released
    "Eve Released": Stage.RELEASED,      # Weardale, released, not in a pair
    "Fay Paired": Stage.ACTIVE,          # Weardale, released and paired with Gus
    "Gus Paired": Stage.ACTIVE,
    "Hal Nothing": Stage.NONE,           # Durham volunteer with no application
    "Jon Stale": Stage.ACCEPTED,         # Durham, accepted, DBS older than the recheck period
}
DURHAM = {"Ann Applied", "Ben Accepted", "Cat Vetted", "Dan Trained", "Hal Nothing", "Jon Stale"}
WEARDALE = {"Eve Released", "Fay Paired", "Gus Paired"}


@pytest.fixture
def world():
    today = today_london()
    people = {}
    ann = make_user(Role.APPLICANT, name="Ann Applied", email="ann@example.org")
    make_application(user=ann, status=Status.SUBMITTED, areas=("Durham",))
    people["Ann Applied"] = ann
    for name, email in (("Ben Accepted", "ben@example.org"), ("Cat Vetted", "cat@example.org"),
                        ("Jon Stale", "jon@example.org")):
        person = make_user(Role.VOLUNTEER, name=name, email=email, areas=["Durham"])
        make_application(user=person, status=Status.ACCEPTED, areas=("Durham",))
        people[name] = person
    make_dbs(people["Cat Vetted"], issued_on=today - timedelta(days=100))
    make_nppv(people["Cat Vetted"], granted_on=today - timedelta(days=90))
    make_dbs(people["Jon Stale"], issued_on=today - timedelta(days=4 * 366))
    make_nppv(people["Jon Stale"], granted_on=today - timedelta(days=90))
    people["Dan Trained"] = make_ready_volunteer(name="Dan Trained", email="dan@example.org")
    for name in ("Eve Released", "Fay Paired", "Gus Paired"):
        people[name] = make_ready_volunteer(name=name, email=f"{name.split()[0].lower()}@example.org",
                                            areas=("Weardale",))
        make_released(people[name])
    people["Hal Nothing"] = make_user(Role.VOLUNTEER, name="Hal Nothing", email="hal@example.org", areas=["Durham"])
    drafter = make_user(Role.APPLICANT, name="Ivy Draft", email="ivy@example.org")
    make_application(user=drafter, status=Status.DRAFT, areas=("Durham",))
    client = Client(reference="WEA-0100", area_id=area_named("Weardale").id, needs=[])
    db.session.add(client)
    db.session.flush()
    db.session.add(Pairing(client_id=client.id, first_id=people["Fay Paired"].id, second_id=people["Gus Paired"].id,
                           started_on=today - timedelta(days=10)))
    ended = Client(reference="WEA-0101", area_id=area_named("Weardale").id, needs=[])
    db.session.add(ended)
    db.session.flush()
    db.session.add(Pairing(client_id=ended.id, first_id=people["Eve Released"].id, second_id=people["Gus Paired"].id,
                           started_on=today - timedelta(days=40), ended_on=today - timedelta(days=20)))
    db.session.commit()
    people["client"] = client
    return people


def names_in(html: str) -> set[str]:
    return {n for n in [*EXPECTED, "Ivy Draft"] if n in html}


def rows_of(html: str) -> dict[str, str]:
    """name -> stage words, from the list's table rows."""
    found = {}
    for row in re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S):
        name = re.search(r'<a [^>]*>([^<]+)</a>', row)
        cells = re.findall(r'<td [^>]*>(.*?)</td>', row, re.S)
        if name and cells:
            found[name.group(1).strip()] = cells[-1].strip()
    return found


def test_every_stage_is_as_written_for_the_hand_built_set(app, world):
    manager = make_user(Role.MANAGER)
    with app.test_request_context():
        ids = {name: world[name].id for name in EXPECTED}
        stages = queries.stages_of(list(ids.values()), today_london())
    assert {name: stages[i] for name, i in ids.items()} == EXPECTED
    assert manager.id not in stages


def test_managers_see_everyone_with_their_stage_and_not_drafts(login_as, world):
    page = login_as("manager").get("/volunteers").get_data(as_text=True)
    assert rows_of(page) == {name: stage.label for name, stage in EXPECTED.items()}
    assert "Ivy Draft" not in page
    assert "9 people" in page


@pytest.mark.parametrize(("args", "expected"), [
    ({"q": "ann"}, {"Ann Applied"}),
    ({"q": "PAIRED"}, {"Fay Paired", "Gus Paired"}),
    ({"q": "dan@example"}, {"Dan Trained"}),
    ({"q": "gus paired"}, {"Gus Paired"}),
    ({"q": "100%"}, set()),
    ({"stage": "active"}, {"Fay Paired", "Gus Paired"}),
    ({"stage": "accepted"}, {"Ben Accepted", "Jon Stale"}),
    ({"stage": "none"}, {"Hal Nothing"}),
    ({"stage": "vetted"}, {"Cat Vetted"}),
    ({"stage": "trained"}, {"Dan Trained"}),
    ({"stage": "released"}, {"Eve Released"}),
    ({"stage": "applied"}, {"Ann Applied"}),
    ({"area": "Weardale"}, WEARDALE),
    ({"area": "Durham"}, DURHAM),
    ({"area": "Durham", "stage": "accepted", "q": "jon"}, {"Jon Stale"}),
])
def test_search_and_filters(login_as, world, args, expected):
    if "area" in args:
        args = args | {"area": str(area_named(args["area"]).id)}
    page = login_as("manager").get("/volunteers", query_string=args).get_data(as_text=True)
    assert set(rows_of(page)) == expected


def test_a_coordinator_sees_only_their_areas_and_cannot_open_others(login_as, world):
    durham = login_as("coordinator", areas=["Durham"])
    page = durham.get("/volunteers").get_data(as_text=True)
    assert set(rows_of(page)) == DURHAM  # Ann is an applicant: in scope through the area she applied for
    assert durham.get(f"/volunteers/{world['Eve Released'].id}").status_code == 404
    assert durham.get(f"/volunteers/{world['Dan Trained'].id}").status_code == 200
    # Weardale's area id in the filter does not widen the list: it is not offered, so it is refused
    response = durham.get("/volunteers", query_string={"area": str(area_named("Weardale").id)})
    assert response.status_code == 200
    assert "Choose an area from the list" in response.get_data(as_text=True)
    weardale = login_as("coordinator", areas=["Weardale"])
    assert set(rows_of(weardale.get("/volunteers").get_data(as_text=True))) == WEARDALE
    assert weardale.get(f"/volunteers/{world['Ann Applied'].id}").status_code == 404


def test_trainers_volunteers_and_admins_are_refused(login_as, world):
    for role in ("trainer", "volunteer", "admin", "applicant"):
        client = login_as(role)
        assert client.get("/volunteers").status_code == 403
        assert client.get(f"/volunteers/{world['Dan Trained'].id}").status_code == 403


def test_unknown_ids_drafts_and_yourself_are_not_found(login_as, world):
    manager = login_as("manager")
    assert manager.get("/volunteers/987654").status_code == 404
    ivy = db.session.scalar(select(User).where(User.email == "ivy@example.org"))
    assert manager.get(f"/volunteers/{ivy.id}").status_code == 404
    me = make_user(Role.MANAGER, Role.VOLUNTEER, areas=["Durham"])
    assert login_as(me).get(f"/volunteers/{me.id}").status_code == 404


def test_the_person_page_links_to_every_record(login_as, world):
    dan = world["Dan Trained"]
    application = make_application(user=dan, status=Status.SUBMITTED, areas=("Durham",), submitted_days_ago=3)
    services_lines.confirm_driver(dan, expense_rules.tax_year_of(today_london()), Decimal("0"))  # Dan drives
    db.session.commit()
    claim = make_claim(dan, journeys=[journey(today_london() - timedelta(days=2), "12")], submit=True)
    page = login_as("manager").get(f"/volunteers/{dan.id}").get_data(as_text=True)
    for href in (f"/applications/{application.id}", f"/vetting/people/{dan.id}", f"/training/people/{dan.id}",
                 f"/readiness/people/{dan.id}", f"/expenses/claims/{claim.id}"):
        assert f'href="{href}"' in page, href
    assert "Trained" in page


def test_pairs_link_to_their_client(login_as, world):
    gus = world["Gus Paired"]
    page = login_as("manager").get(f"/volunteers/{gus.id}").get_data(as_text=True)
    assert f'href="/readiness/clients/{world["client"].id}"' in page
    assert "Fay Paired" in page and "Eve Released" in page and "Active" in page


def test_an_applicant_outside_the_coordinators_user_areas_shows_only_the_application(login_as, world):
    ann = world["Ann Applied"]
    page = login_as("coordinator", areas=["Durham"]).get(f"/volunteers/{ann.id}").get_data(as_text=True)
    assert "/applications/" in page
    assert f"/vetting/people/{ann.id}" not in page and f"/training/people/{ann.id}" not in page
    assert "not in an area you cover yet" in page


@pytest.mark.parametrize("args", [{"area": "abc"}, {"area": "999999"}, {"stage": "wizard"},
                                  {"q": "x" * 300}, {"q": "a\x00b"}, {"page": "-4"}])
def test_bad_filters_give_a_message_not_an_error(login_as, world, args):
    response = login_as("manager").get("/volunteers", query_string=args)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    if "page" not in args:
        assert "There is a problem" in html
    assert set(rows_of(html)) == set(EXPECTED)  # a refused filter shows the whole list


def _bulk_people(n: int, start: int) -> None:
    now = datetime.now(UTC)
    durham = area_named("Durham")
    db.session.execute(insert(User), [
        {"email": f"bulk{start + i}@example.org", "full_name": f"Bulk Person {start + i:04d}", "password_hash": "x",
         "session_token": f"bulk{start + i}", "created_at": now, "text_size": "normal"} for i in range(n)])
    ids = db.session.scalars(select(User.id).where(User.email.like("bulk%"))).all()
    have = set(db.session.scalars(select(UserRole.user_id).where(UserRole.user_id.in_(ids))))
    new = [i for i in ids if i not in have]
    db.session.execute(insert(UserRole), [{"user_id": i, "role": "volunteer", "granted_at": now} for i in new])
    from app.core.models import user_areas

    db.session.execute(insert(user_areas), [{"user_id": i, "area_id": durham.id} for i in new])
    note_people(db.session, new)  # written past the ORM: the kept tables are told whose records changed
    db.session.commit()


@pytest.mark.parametrize("role", ["manager", "coordinator"])
def test_the_list_takes_the_same_queries_for_20_and_500_people(login_as, count_queries, role):
    client = login_as(role, areas=["Durham"])
    _bulk_people(20, 0)
    counts = []
    for more in (0, 480):
        if more:
            _bulk_people(more, 20)
        # Not counted: the day's first list keeps everyone's stages (services_stages), and the commit above has
        # expired the signed-in person's own records.
        client.get("/volunteers")
        with count_queries() as plain:
            assert client.get("/volunteers").status_code == 200
        with count_queries() as filtered:
            assert client.get("/volunteers", query_string={"q": "bulk", "stage": "none"}).status_code == 200
        counts.append((len(plain), len(filtered)))
    assert counts[0] == counts[1]
    page = client.get("/volunteers", query_string={"page": "2"}).get_data(as_text=True)
    assert "500 people" in page and "Bulk Person 0025" in page


def test_nav_says_volunteers_to_coordinators_and_managers(login_as):
    for role in ("coordinator", "manager"):
        assert 'href="/volunteers"' in login_as(role).get("/").get_data(as_text=True)
    assert 'href="/volunteers"' not in login_as("trainer").get("/").get_data(as_text=True)


def test_a_coordinators_people_are_the_same_however_the_database_is_asked(app, world):
    """listed_in_areas (PostgreSQL's form of the coordinator's scope) finds exactly people() and in_areas() (SQLite's
    form), on whichever database the suite runs, including the people each part of it is there for."""
    durham = area_named("Durham").id
    staff_only = make_user(Role.TRAINER, name="Tia Trainer", email="tia@example.org", areas=["Durham"])
    staff_applied = make_user(Role.TRAINER, name="Ted Applied", email="ted@example.org", areas=["Durham"])
    make_application(user=staff_applied, status=Status.SUBMITTED, areas=("Weardale",))
    elsewhere = make_user(Role.APPLICANT, name="Una Elsewhere", email="una@example.org")
    make_application(user=elsewhere, status=Status.SUBMITTED, areas=("Weardale",))
    db.session.commit()

    def ids(condition):
        return set(db.session.scalars(select(User.id).where(condition)))

    listed = ids(queries.listed_in_areas([durham]))
    assert listed == ids(and_(queries.people(), queries.in_areas([durham])))
    names = {world[name].id: name for name in EXPECTED} | {staff_applied.id: "Ted Applied"}
    assert {names.get(person, person) for person in listed} == DURHAM | {"Ted Applied"}
    assert staff_only.id not in listed and elsewhere.id not in listed  # not listed: no role, no application here
    assert ids(queries.listed_in_areas([])) == set()
