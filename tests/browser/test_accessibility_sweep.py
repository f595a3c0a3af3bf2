"""Every page a role can reach is checked with axe and for sideways scrolling, on 320px and 360px phones.

The sweep runs on a small populated world (applications in the queue, vetting records, sessions with
bookings, completions, audit entries, long names and addresses), so tables have rows in them, and visits
pages with ids too (filled from that world), at the largest text size. GOV.UK asks for 320px.
"""
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from app import audit
from app.applications.rules import Status
from app.auth.models import Role
from app.extensions import db
from app.training.models import Booking, BookingStatus
from app.vetting.enums import IdDocument, IdRoute
from app.vetting.models import IdentityCheck, SelfDeclaration
from tests.applications.factories import make_application
from tests.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.test_access_matrix import RULES, _access
from tests.training.factories import make_completion, make_session, venue
from tests.vetting.factories import Decision, make_dbs, make_nppv

SKIP = {"static", "auth.logout", "core.healthz", "auth.verify_email", "auth.reset_password",
        "applications.reference", "training.feed", "training.session_ics"}
WIDTHS = (320, 360)
# Query strings that change what a list page shows (filters make tables appear).
EXTRA = {"applications.queue": ["?status=submitted", "?status=all"],
         "audit.log": ["?sessions=y", "?action=not-a-kind&person=alexandra"],
         "people.index": ["?stage=none", "?stage=wizard&area=abc"],
         "reports.dashboard": ["?start=31&start=2&start=2026"], "reports.funder": ["?period=2025-year"]}


WIDEST = """(() => [...document.querySelectorAll('main *, header *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(-3).map(e => e.tagName + '.' + e.className).join(', '))()"""


def populate(role: Role | None) -> tuple[object, dict]:
    """The person sweeping (if any) and ids for pages with parameters."""
    me = make_user(role, email=f"sweep-{role.value}-with-a-long-address@example.org",
                   name="Alexandra Montgomery-Fitzwilliam", areas=["Durham"]) if role else None
    other = make_user(Role.VOLUNTEER, email="christopher.worthington-smythe@longdomain-example.org",
                      name="Christopher Worthington-Smythe", areas=["Durham"])
    application = make_application(status=Status.SUBMITTED, areas=("Durham", "Chester-le-Street"))
    make_application(status=Status.CHAT_HELD, areas=("Durham",))
    check = make_dbs(other, decision=Decision.APPROVED)
    police = make_nppv(other)
    trainers = [me] if role == Role.TRAINER else ()
    session = make_session("taster-day", trainers=trainers or (make_user(Role.TRAINER),))
    make_session("grow-model", starts_at=session.starts_at + timedelta(days=3), trainers=session.trainers)
    db.session.add(Booking(session=session, user=other, status=BookingStatus.BOOKED))
    session.seats_taken = 1
    make_completion(other, "taster-day", date.today() - timedelta(days=40), commit=False)
    if role == Role.VOLUNTEER:
        make_completion(me, "taster-day", date.today() - timedelta(days=40), commit=False)
        make_completion(me, "adult-safeguarding-level-1", date.today() - timedelta(days=30), commit=False)
        make_dbs(me, decision=Decision.APPROVED, commit=False)
        make_nppv(me, commit=False)
        # "Your data" shows every section: an identity check and a long self-declaration fill two of them.
        db.session.add(IdentityCheck(volunteer_id=me.id, route=IdRoute.ROUTE_1, names_confirmed=True,
                                     addresses_confirmed=True, checked_on=date.today() - timedelta(days=90),
                                     documents=[IdDocument.PASSPORT.value, IdDocument.BANK_STATEMENT.value]))
        db.session.add(SelfDeclaration(volunteer_id=me.id, made_on=date.today() - timedelta(days=89),
                                       has_something=True, details="A conviction for theft in 2012. " * 8))
        db.session.add(Booking(session=session, user=me, status=BookingStatus.BOOKED))
        session.seats_taken = 2
    if role == Role.APPLICANT:
        make_application(user=me, status=Status.DRAFT, steps_done=[])
    for action in ("auth.login", "vetting.dbs_decision", "application.accept", "made.up_code"):
        audit.record(me or other, action, other, obj=check, reason_code="ready-to-go-ahead")
    db.session.commit()
    ids = {"user_id": other.id, "application_id": application.id, "referee_id": application.referees[0].id,
           "check_id": check.id, "record_id": police.id, "session_id": session.id,
           "venue_id": venue().id, "area_id": me.areas[0].id if me else 1, "code": "gdpr-induction", "number": 1,
           "kind": "dbs", "days": 30}
    email = me.email if me else None
    db.session.remove()
    return email, ids


def pages_for(role: Role | None, ids: dict) -> list[str]:
    """GET pages this role (None: a visitor) is allowed to see, with ids from the world."""
    from flask import url_for

    user = make_user(role, commit=False) if role else None
    paths = []
    for rule in RULES:
        if rule.endpoint in SKIP or "GET" not in rule.methods:
            continue
        access = _access(rule)
        allowed = access.kind == "public" if user is None else access.allows(user)
        if not allowed or rule.rule.endswith((".ics", ".json", ".pdf", ".csv")) or any(
                arg not in ids for arg in rule.arguments):
            continue
        path = url_for(rule.endpoint, **{arg: ids[arg] for arg in rule.arguments})
        paths += [path] + [path + extra for extra in EXTRA.get(rule.endpoint, [])]
    if user is not None:
        db.session.expunge(user)
    return sorted(set(paths))


def test_the_sweep_visits_your_data_for_everyone_and_a_persons_data_for_staff(app):
    ids = {"user_id": 1}
    with app.test_request_context():
        for role in Role:
            paths = pages_for(role, ids)
            assert "/account/your-data" in paths, role
            assert ("/people/1/data" in paths) == (role in (Role.COORDINATOR, Role.MANAGER)), role
            assert not any(p.endswith(".json") for p in paths)


@pytest.mark.parametrize("width", WIDTHS, ids=lambda w: f"{w}px")
@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "visitor")
def test_every_page_is_accessible_and_fits_a_phone(browser, live_server, app, assert_accessible, role, width):
    email, ids = populate(role)
    with app.test_request_context():
        paths = pages_for(role, ids)
    assert len(paths) > 3, "no pages found for this role"
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 640},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    problems = []
    try:
        if role is None:
            page.goto("/")
        else:
            browser_sign_in(page, email, DEFAULT_PASSWORD)
        page.get_by_role("button", name="Largest text size").click()
        for path in paths:
            response = page.goto(path)
            assert response.status < 500, f"{path} answered {response.status}"
            if response.status >= 400:
                problems.append(f"{path} answered {response.status}")
                continue
            expect(page.locator("h1").first).to_be_visible()
            assert page.title().endswith("Community Peer Mentors"), f"{path} has no proper <title>"
            assert_accessible(page, f"{path} as {role.value if role else 'visitor'} at {width}px")
            # Against the phone's width, not innerWidth: a mobile browser widens its layout to fit the content.
            overflow = page.evaluate("document.documentElement.scrollWidth") - width
            if overflow > 1:
                problems.append(f"{path} scrolls sideways by {overflow}px: {page.evaluate(WIDEST)}")
    finally:
        context.close()
    assert not problems, f"at {width}px, largest text:\n" + "\n".join(problems)
