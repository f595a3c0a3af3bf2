"""Browser journey: a coordinator records a DBS check with a disclosure, risk-assesses and approves it, records
police vetting, and the volunteer's own page then shows their vetting complete. axe runs on every page."""
import re

from playwright.sync_api import expect

from app.auth.models import Role
from app.extensions import db
from app.timefmt import today_london
from tests.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD, make_user


def fill_date(page, day) -> None:
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))


def saved(page, message: str) -> None:
    expect(page.locator(".govuk-notification-banner")).to_contain_text(message)


def test_coordinator_vets_a_volunteer_with_a_disclosure(page, new_page, assert_accessible):
    make_user(Role.COORDINATOR, email="coord@example.org", name="Cara Coordinator", areas=["Durham"])
    make_user(Role.VOLUNTEER, email="vol@example.org", name="Vic Volunteer", areas=["Durham"])
    make_user(Role.MANAGER, email="boss@example.org", name="Bo Manager")
    db.session.remove()
    today = today_london()

    browser_sign_in(page, "coord@example.org", DEFAULT_PASSWORD)
    page.locator("#home-coordinator-vetting").get_by_role("link", name="Vetting work list").click()
    expect(page.get_by_role("heading", level=1, name="Vetting work list")).to_be_visible()
    assert_accessible(page, "work list")
    page.get_by_label("Area").select_option(label="Durham")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Vic Volunteer").click()
    expect(page.get_by_role("heading", level=1, name="Vic Volunteer")).to_be_visible()
    expect(page.locator(".govuk-inset-text")).to_contain_text("No DBS check has been started")
    assert_accessible(page, "vetting record (empty)")

    page.get_by_role("button", name="Start a DBS check").click()
    expect(page.get_by_label("Enhanced", exact=True)).to_be_checked()  # the policy's level is preselected
    assert_accessible(page, "start a DBS check")
    fill_date(page, today)
    page.get_by_role("button", name="Save DBS check").click()
    saved(page, "DBS check started")

    page.get_by_role("link", name=re.compile("^Record date submitted")).click()
    assert_accessible(page, "date submitted")
    fill_date(page, today)
    page.get_by_role("button", name="Save date submitted").click()
    saved(page, "Date submitted saved")

    page.get_by_role("link", name=re.compile("^Record certificate")).click()
    page.get_by_label("Certificate number").fill("1234 5678")
    fill_date(page, today)
    page.get_by_label("Information disclosed").check()
    page.get_by_role("button", name="Save certificate").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Certificate number must be 12 digits")
    expect(page.get_by_label("Certificate number")).to_have_value("1234 5678")  # kept as typed
    assert_accessible(page, "certificate with an error")
    page.get_by_label("Certificate number").fill("0012 3456 7890")
    page.get_by_role("button", name="Save certificate").click()
    saved(page, "Certificate saved")
    expect(page.locator(".govuk-inset-text")).to_contain_text("a risk-assessed decision is needed")

    page.get_by_role("link", name=re.compile("^Record decision")).click()
    expect(page.locator(".govuk-warning-text")).to_contain_text("Declining ends this person's onboarding")
    assert_accessible(page, "decision")
    page.get_by_label("Approved").check()
    page.get_by_label("Reasons for the decision").fill("Single matter over ten years ago; strong references.")
    page.get_by_role("button", name="Save decision").click()
    saved(page, "Decision saved")
    expect(page.get_by_text("Single matter over ten years ago")).to_be_visible()

    page.get_by_role("button", name="Record police vetting").click()
    assert_accessible(page, "police vetting")
    page.get_by_label("Force reference").fill("DUR/2026/0042")
    fill_date(page, today)
    page.get_by_role("button", name="Save police vetting").click()
    saved(page, "Police vetting saved")
    page.get_by_role("link", name=re.compile("^Record result")).click()
    assert_accessible(page, "police vetting result")
    page.get_by_label("Granted").check()
    fill_date(page.get_by_role("group", name="Date", exact=True), today)  # the letter's expiry is left blank
    page.get_by_role("button", name="Save result").click()
    saved(page, "Police vetting result saved")
    expect(page.locator(".govuk-inset-text")).to_contain_text("The approval is waiting for a manager to confirm it")

    manager = new_page()
    browser_sign_in(manager, "boss@example.org", DEFAULT_PASSWORD)
    manager.goto(page.url)
    manager.get_by_role("link", name="Confirm this approval").click()
    expect(manager.locator("main")).to_contain_text("Single matter over ten years ago")
    manager.get_by_role("button", name="Confirm this approval").click()
    saved(manager, "Approval confirmed")
    page.reload()
    expect(page.locator(".govuk-inset-text")).to_contain_text("Vetting complete")
    assert_accessible(page, "vetting record (complete)")
    # The only console message is the 400 status of the form sent back with an error.
    assert [e for e in page.console_errors if "status of 400" not in e] == []

    volunteer = new_page(phone=True)
    browser_sign_in(volunteer, "vol@example.org", DEFAULT_PASSWORD)
    expect(volunteer.locator("#home-volunteer-vetting")).to_contain_text("are good until")
    volunteer.locator("#home-volunteer-vetting").get_by_role("link", name="See your checks").click()
    expect(volunteer.get_by_role("heading", name="Vetting complete")).to_be_visible()
    expect(volunteer.locator("main")).to_contain_text("Your DBS check is complete")
    expect(volunteer.locator("main")).to_contain_text("Your police vetting is complete")
    expect(volunteer.locator("main")).not_to_contain_text("Single matter")
    expect(volunteer.locator("main")).not_to_contain_text("disclosed")
    assert_accessible(volunteer, "your checks")
    volunteer.get_by_role("button", name="Largest text size").click()
    expect(volunteer.locator("html")).to_have_class(re.compile("cpm-text-largest"))
    expect(volunteer.get_by_role("heading", name="Vetting complete")).to_be_visible()
    assert volunteer.evaluate("document.documentElement.scrollWidth") <= 375  # the e-mail address wraps
    assert volunteer.goto("/vetting").status == 403


def test_update_service_check_shows_a_change_that_needs_a_new_check(phone_page, assert_accessible):
    """On a phone: Update Service details, a status check showing a change, which no decision can approve away."""
    from datetime import date

    from app.vetting.enums import DbsOutcome, Decision
    from tests.vetting.factories import make_dbs, make_identity, make_nppv

    make_user(Role.MANAGER, email="manager@example.org", name="Mo Manager")
    volunteer = make_user(Role.VOLUNTEER, email="sam@example.org", name="Sam Subscriber", areas=["Stanley"])
    make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED, decision=Decision.APPROVED, issued_on=date(2026, 2, 1))
    make_nppv(volunteer, granted_on=date(2026, 2, 10))
    make_identity(volunteer)
    make_user(Role.VOLUNTEER, email="long@example.org", name="Bartholomew Featherstonehaugh-Cholmondeley",
              areas=["East Durham Rural Corridor", "Great Aycliffe and Middridge"])
    volunteer_id = volunteer.id
    db.session.remove()
    page = phone_page
    today = today_london()

    browser_sign_in(page, "manager@example.org", DEFAULT_PASSWORD)
    page.goto("/vetting?show=all")
    assert_accessible(page, "work list on a phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing to scroll sideways
    page.get_by_role("button", name="Largest text size").click()
    expect(page.locator("html")).to_have_class(re.compile("cpm-text-largest"))
    expect(page.get_by_role("link", name="Bartholomew Featherstonehaugh-Cholmondeley")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name="Normal text size").click()
    expect(page.locator("html")).to_have_class(re.compile("cpm-text-normal"))
    page.get_by_role("link", name="Sam Subscriber").click()
    page.get_by_role("link", name=re.compile("^Change Update Service details")).click()
    assert_accessible(page, "Update Service details")
    page.get_by_label("With the certificate number").check()
    for legend in ("Date they joined the Update Service", "Date they agreed to status checks",
                   "Date you saw the original certificate in person"):
        group = page.get_by_role("group", name=legend)
        group.get_by_label("Day").fill("3")
        group.get_by_label("Month").fill("2")
        group.get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Save Update Service details").click()
    saved(page, "Update Service details saved")
    expect(page.locator("main")).to_contain_text("3 February 2026 by Mo Manager")

    page.get_by_role("link", name=re.compile("^Record status check")).click()
    assert_accessible(page, "status check")
    fill_date(page, today)
    page.get_by_label("Changed: new information").check()
    page.get_by_role("group", name="Does the name on the certificate match the identity check?").get_by_label("Yes").check()
    page.get_by_role("button", name="Save status check").click()
    saved(page, "Status check saved")
    expect(page.locator(".govuk-inset-text")).to_contain_text("showed new information")
    expect(page.locator(".govuk-inset-text")).to_contain_text("a new DBS check is needed")
    expect(page.get_by_role("link", name=re.compile("^Record decision"))).to_have_count(0)
    assert_accessible(page, "record after a changed status")
    page.goto("/vetting?show=expired")
    expect(page.get_by_role("link", name="Sam Subscriber")).to_be_visible()
    page.goto(f"/vetting/people/{volunteer_id}")
    expect(page.locator("main")).to_contain_text("no longer current")
