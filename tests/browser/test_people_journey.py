"""A manager on a 360px phone: finds a volunteer, opens their page, follows the link to their training record,
then reads the audit log filtered to one kind of action. Axe clean and nothing wider than the screen throughout."""
from datetime import date, timedelta

from playwright.sync_api import expect

from app import audit
from app.applications.rules import Status
from app.auth.models import Role
from app.extensions import db
from tests.applications.factories import make_application
from tests.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.training.factories import make_completion

WIDTH = 360


def _fits(tab, where: str) -> None:
    overflow = tab.evaluate("document.documentElement.scrollWidth") - WIDTH
    assert overflow <= 1, f"{where} scrolls sideways by {overflow}px"


def test_a_manager_finds_a_volunteer_and_their_training_then_reads_the_log(browser, live_server, assert_accessible):
    make_user(Role.MANAGER, email="manager-phone@example.org", name="Morgan Manager")
    sam = make_user(Role.COORDINATOR, name="Sam Coordinator", areas=["Durham"])
    val = make_user(Role.VOLUNTEER, name="Valentina Volunteer-Worthington", email="val-phone@example.org",
                    areas=["Durham"])
    make_application(user=val, status=Status.ACCEPTED, areas=("Durham",))
    make_completion(val, "taster-day", date.today() - timedelta(days=12))
    for n in range(3):
        make_user(Role.VOLUNTEER, name=f"Other Volunteer{n}", areas=["Weardale"])
    audit.record(sam, "application.accept", val, from_status="chat_held", to_status="accepted")
    audit.record(sam, "role.granted", val, role="volunteer")
    db.session.commit()
    db.session.remove()

    context = browser.new_context(base_url=live_server, viewport={"width": WIDTH, "height": 740},
                                  is_mobile=True, has_touch=True)
    tab = context.new_page()
    try:
        browser_sign_in(tab, "manager-phone@example.org", DEFAULT_PASSWORD)
        tab.goto("/volunteers")
        expect(tab.get_by_role("heading", name="Volunteers", level=1)).to_be_visible()
        assert_accessible(tab, "volunteers list")
        _fits(tab, "volunteers list")
        tab.get_by_label("Name or e-mail").fill("valentina")
        tab.get_by_role("button", name="Search").click()
        expect(tab.get_by_text("1 person", exact=True)).to_be_visible()
        expect(tab.locator("table")).not_to_contain_text("Other Volunteer")
        expect(tab.locator("table")).to_contain_text("Accepted")
        _fits(tab, "search results")
        tab.get_by_role("link", name="Valentina Volunteer-Worthington").click()
        expect(tab.get_by_role("heading", name="Valentina Volunteer-Worthington", level=1)).to_be_visible()
        assert_accessible(tab, "person page")
        _fits(tab, "person page")
        tab.get_by_role("link", name="Training record").click()
        expect(tab.locator("h1")).to_contain_text("Valentina Volunteer-Worthington")
        expect(tab.locator("main")).to_contain_text("Taster day")
        assert_accessible(tab, "training record")
        _fits(tab, "training record")

        tab.goto("/audit")
        expect(tab.locator("main")).not_to_contain_text("Morgan Manager signed in")
        tab.get_by_label("Kind of action").select_option(label="Applications and references")
        tab.get_by_role("button", name="Filter").click()
        table = tab.locator("table")
        expect(table).to_contain_text("Sam Coordinator accepted Valentina Volunteer-Worthington's application")
        expect(table).not_to_contain_text("gave Valentina")
        assert_accessible(tab, "filtered audit log")
        _fits(tab, "filtered audit log")
        tab.get_by_label("Kind of action").select_option(label="Any kind of action")
        tab.get_by_label("Show sign-ins and sign-outs").check()
        tab.get_by_role("button", name="Filter").click()
        expect(tab.locator("table")).to_contain_text("Morgan Manager signed in")
        _fits(tab, "audit log with sign-ins")
    finally:
        context.close()
