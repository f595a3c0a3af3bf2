"""The applicant's pages on a 375px phone at the largest text size: nothing runs off the side of the screen,
even with a long name and e-mail address, on errors, after sending, and for a referee."""
from playwright.sync_api import expect

from app.applications.rules import Status
from app.auth.models import Role
from app.extensions import db
from tests.applications.factories import make_application
from tests.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD, make_user

LONG_EMAIL = "blessing.oluwaseun-fairweather.volunteering@example.org"

PAGE_WIDTH = "document.documentElement.scrollWidth"


def assert_fits(tab, what: str):
    """Nothing on the page is wider than the phone's screen."""
    tab.wait_for_load_state()
    width = tab.evaluate(PAGE_WIDTH)
    assert width <= 375, f"{what} is {width}px wide at the largest text size on a 375px phone"


def largest_text(tab):
    tab.get_by_role("button", name="Largest text size").click()
    expect(tab.locator("html.cpm-text-largest")).to_have_count(1)


def test_applicant_pages_fit_a_phone_at_the_largest_text_size(phone_page):
    person = make_user(Role.APPLICANT, email=LONG_EMAIL, name="Blessing Oluwaseun-Fairweather")
    application = make_application(person)
    tab = phone_page
    tab.goto("/become-a-peer-mentor")
    largest_text(tab)
    assert_fits(tab, "The become a peer mentor page")
    browser_sign_in(tab, LONG_EMAIL, DEFAULT_PASSWORD)
    largest_text(tab)
    for url in ("/", "/apply", "/apply/about-you", "/apply/where-and-when", "/apply/experience",
                "/apply/referees", "/apply/consents", "/apply/check-answers"):
        tab.goto(url)
        assert_fits(tab, url)
    tab.goto("/apply/about-you")
    tab.get_by_label("Postcode").fill("not a postcode")
    tab.get_by_role("button", name="Save and continue").click()
    expect(tab.locator(".govuk-error-summary")).to_be_visible()
    assert_fits(tab, "About you with an error")
    tab.goto("/apply/check-answers")
    tab.get_by_role("button", name="Send my application").click()
    expect(tab.get_by_role("heading", name="Application sent")).to_be_visible()
    assert_fits(tab, "Application sent")
    tab.goto("/apply")
    expect(tab.locator("main")).to_contain_text("Received")
    assert_fits(tab, "The status page")
    tab.goto("/apply/withdraw")
    assert_fits(tab, "Withdraw")
    db.session.refresh(application)
    assert application.status == Status.SUBMITTED


def test_a_used_reference_link_fits_a_phone_at_the_largest_text_size(phone_page, live_server):
    from app.applications.services import hash_token
    from app.db_types import utcnow

    application = make_application(status=Status.REFERENCES_REQUESTED)
    referee = application.referees[0]
    referee.token_hash, referee.received_at = hash_token("a-used-link"), utcnow()
    db.session.commit()
    phone_page.goto("/become-a-peer-mentor")
    largest_text(phone_page)
    phone_page.goto("/reference/a-used-link")
    expect(phone_page.get_by_role("heading", name="You have already sent this reference")).to_be_visible()
    assert_fits(phone_page, "A used reference link")


def test_apply_again_after_a_decline_on_a_phone(phone_page, assert_accessible):
    person = make_user(Role.APPLICANT, email=LONG_EMAIL, name="Blessing Oluwaseun-Fairweather")
    make_application(person, status=Status.DECLINED, preferred_name="Bee")
    tab = phone_page
    browser_sign_in(tab, LONG_EMAIL, DEFAULT_PASSWORD)
    largest_text(tab)
    tab.goto("/apply")
    expect(tab.locator("main")).to_contain_text("Not accepted")
    assert_accessible(tab, "status page after a decline")
    assert_fits(tab, "The status page after a decline")
    tab.get_by_role("button", name="Start a new application").click()
    expect(tab.get_by_text("We have started a new application with your earlier answers")).to_be_visible()
    expect(tab.get_by_text("You have completed 0 of 5 sections")).to_be_visible()
    tab.get_by_role("link", name="About you", exact=True).click()
    expect(tab.get_by_label("Preferred name (optional)")).to_have_value("Bee")
    assert_fits(tab, "About you, filled in from last time")
