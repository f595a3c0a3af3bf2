"""Browser journeys for the foundation: sign up, confirm by e-mail, sign in, text size, sign out; each role's home."""
import re

import pytest
from playwright.sync_api import expect

from app.auth.models import Role
from app.extensions import db
from tests.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD, make_user


def test_sign_up_confirm_sign_in_text_size_sign_out(phone_page, smtp, assert_accessible, live_server):
    page = phone_page
    page.goto("/")
    assert_accessible(page, "home (visitor)")
    page.get_by_role("button", name="Start now").click()
    assert_accessible(page, "sign up")
    page.get_by_role("button", name="Create account").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your full name")
    assert_accessible(page, "sign up with errors")
    page.get_by_label("Full name").fill("Jo Brown")
    page.get_by_label("E-mail address").fill("jo.brown@example.org")
    page.get_by_label("Create a password").fill("password")
    page.get_by_label("Type the password again").fill("password")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#password-error")).to_contain_text("too common")
    expect(page.get_by_label("Full name")).to_have_value("Jo Brown")  # kept
    page.get_by_label("Create a password").fill("kettle harbour viaduct")
    page.get_by_label("Type the password again").fill("kettle harbour viaduct")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    assert_accessible(page, "check your e-mail")

    link = smtp.link(smtp.last("jo.brown@example.org"), "/confirm-email/")
    page.goto(link.replace("http://localhost", live_server))
    assert_accessible(page, "confirm e-mail")
    page.get_by_role("button", name="Confirm my e-mail address").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your e-mail address is confirmed")

    page.get_by_label("E-mail address").fill("jo.brown@example.org")
    page.get_by_label("Password", exact=True).fill("kettle harbour viaduct")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/apply$"))  # "Start now" led to the application, and still does
    page.goto("/")
    expect(page.get_by_role("heading", name="Hello, Jo")).to_be_visible()
    assert_accessible(page, "applicant home")

    page.get_by_role("button", name="Largest text size").click()
    expect(page.locator("html")).to_have_class(re.compile("cpm-text-largest"))
    expect(page.get_by_role("button", name="Largest text size")).to_have_attribute("aria-pressed", "true")
    body_size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.govuk-body-l')).fontSize)")
    assert body_size > 24  # 18-19px text scaled by 137.5%
    page.reload()
    expect(page.locator("html")).to_have_class(re.compile("cpm-text-largest"))  # remembered
    assert_accessible(page, "largest text")

    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():
        menu.click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("You have signed out")
    page.goto("/account")
    expect(page).to_have_url(re.compile("/sign-in"))
    assert page.console_errors == []


@pytest.mark.parametrize("role,card", [(r, f"#home-{r.value}") for r in Role])
def test_each_role_signs_in_and_sees_its_home(page, role, card, assert_accessible):
    make_user(role, email=f"{role.value}@example.org", name=f"Demo {role.label}")
    db.session.remove()
    browser_sign_in(page, f"{role.value}@example.org", DEFAULT_PASSWORD)
    expect(page.locator(card)).to_be_visible()
    assert_accessible(page, f"{role.value} home")


def test_staff_pages_are_accessible(page, assert_accessible):
    make_user("admin", "manager", email="boss@example.org")
    make_user("coordinator", email="coord@example.org", areas=["Durham"])
    db.session.remove()
    browser_sign_in(page, "boss@example.org", DEFAULT_PASSWORD)
    for path, heading in [("/admin/people", "People"), ("/admin/areas", "Areas"), ("/audit", "Audit log")]:
        page.goto(path)
        expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
        assert_accessible(page, path)
    page.goto("/admin/people")
    page.get_by_role("link", name="Coordinator Person").first.click()
    assert_accessible(page, "person page")
    page.get_by_label("Trainer").check()
    page.get_by_role("button", name="Save roles").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Roles saved")
    page.goto("/audit?action=role")
    expect(page.locator("table")).to_contain_text("role.granted")


def test_the_portal_works_without_javascript(browser, live_server):
    make_user("volunteer", email="nojs@example.org")
    db.session.remove()
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    browser_sign_in(page, "nojs@example.org", DEFAULT_PASSWORD)
    expect(page.get_by_role("heading", name=re.compile("Hello"))).to_be_visible()
    page.get_by_role("button", name="Large text size").click()
    expect(page.locator("html")).to_have_class(re.compile("cpm-text-large"))
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    context.close()


def test_forms_are_refused_without_the_csrf_token(live_server, page):
    """The live app keeps CSRF on: a forged cross-site POST gets the friendly expired-form page."""
    response = page.request.post(f"{live_server}/sign-in", form={"email": "a@example.org", "password": "x"})
    assert response.status == 400
    assert "Your form had expired" in response.text()
