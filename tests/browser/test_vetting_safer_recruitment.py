"""Browser journey on a phone: the volunteer makes a confidential self-declaration with a disclosure; a
coordinator records an identity check and a risk-assessed approval with a condition; a manager confirms it;
only then is the volunteer cleared. axe runs on every page."""
import re

from playwright.sync_api import expect

from app.auth.models import Role
from app.extensions import db
from app.timefmt import today_london
from app.vetting.enums import DbsOutcome
from tests.browser.test_vetting_journeys import saved
from tests.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.vetting.factories import make_dbs, make_nppv


def fill_date_in(page, legend: str, day) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_identity_check_conditional_approval_and_a_managers_confirmation(phone_page, new_page, assert_accessible):
    today = today_london()
    make_user(Role.COORDINATOR, email="coord@example.org", name="Cara Coordinator", areas=["Durham"])
    make_user(Role.MANAGER, email="boss@example.org", name="Bo Manager")
    volunteer = make_user(Role.VOLUNTEER, email="dee@example.org", name="Dee Disclosed", areas=["Durham"])
    make_dbs(volunteer, outcome=DbsOutcome.DISCLOSED, issued_on=today, requested_on=today, submitted_on=today)
    make_nppv(volunteer, granted_on=today, submitted_on=today)
    volunteer_id = volunteer.id
    db.session.remove()
    page = phone_page

    dee = new_page(phone=True)
    browser_sign_in(dee, "dee@example.org", DEFAULT_PASSWORD)
    dee.goto("/vetting/mine")
    dee.get_by_role("link", name="Your confidential self-declaration").click()
    expect(dee.locator("main")).to_contain_text("need to tell us about protected convictions and cautions")
    assert_accessible(dee, "self-declaration")
    dee.get_by_label("Yes").check()
    dee.get_by_role("button", name="Send my declaration").click()
    expect(dee.locator(".govuk-error-summary")).to_contain_text("Tell us what you are declaring")
    assert_accessible(dee, "self-declaration with an error")
    dee.get_by_label("What are you declaring?").fill("Shoplifting in 2015, conditional discharge.")
    dee.get_by_role("button", name="Send my declaration").click()
    saved(dee, "Your declaration has been sent")
    expect(dee.locator("main")).to_contain_text("You sent your self-declaration on")

    browser_sign_in(page, "coord@example.org", DEFAULT_PASSWORD)
    page.goto(f"/vetting/people/{volunteer_id}")
    expect(page.locator("main")).to_contain_text("Shoplifting in 2015, conditional discharge.")
    expect(page.locator("main")).to_contain_text("No identity check recorded yet")
    page.get_by_role("button", name="Record an identity check").click()
    expect(page.locator("main")).to_contain_text("Never take or keep a copy or a scan")
    assert_accessible(page, "identity check")
    page.get_by_role("button", name="Largest text size").click()
    expect(page.locator("html")).to_have_class(re.compile("cpm-text-largest"))
    no_sideways_scroll(page)  # the long document names wrap
    page.get_by_role("button", name="Normal text size").click()
    page.get_by_label("Route 1").check()
    page.get_by_label("Passport (any current)").check()
    page.get_by_role("group", name="Have you confirmed every name they have used?").get_by_label("Yes").check()
    page.get_by_role("group", name="Have you confirmed every address of the last five years?").get_by_label("Yes").check()
    fill_date_in(page, "Date you examined the originals", today)
    page.get_by_role("button", name="Save identity check").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Route 1 needs a group 1 document and at least one more")
    expect(page.get_by_label("Passport (any current)")).to_be_checked()  # what was chosen is kept
    assert_accessible(page, "identity check with an error")
    page.get_by_label("Council tax statement (UK, last 12 months)").check()
    page.get_by_role("button", name="Save identity check").click()
    saved(page, "Identity check saved")
    expect(page.locator("main")).to_contain_text("Originals examined by")
    expect(page.locator("main")).to_contain_text("Cara Coordinator")

    page.get_by_role("link", name=re.compile("^Record decision")).click()
    assert_accessible(page, "decision with conditions")
    page.get_by_label("Approved").check()
    page.get_by_label("Reasons for the decision").fill("One matter long ago; open about it; strong references.")
    page.get_by_label("Supervised for the first 3 months").check()
    page.get_by_role("button", name="Save decision").click()
    saved(page, "Decision saved")
    expect(page.locator("main")).to_contain_text("Conditions:")
    expect(page.locator("main")).to_contain_text("Supervised for the first 3 months")
    expect(page.locator(".govuk-inset-text")).to_contain_text("waiting for a manager to confirm")
    expect(page.get_by_role("link", name="Confirm this approval")).to_have_count(0)  # coordinators cannot
    assert_accessible(page, "record awaiting confirmation")
    no_sideways_scroll(page)

    manager = new_page(phone=True)
    browser_sign_in(manager, "boss@example.org", DEFAULT_PASSWORD)
    manager.goto("/vetting?show=awaiting-confirmation")
    assert_accessible(manager, "work list: awaiting confirmation")
    manager.get_by_role("link", name="Dee Disclosed").click()
    manager.get_by_role("link", name="Confirm this approval").click()
    expect(manager.locator("main")).to_contain_text("One matter long ago")
    expect(manager.locator("main")).to_contain_text("Supervised for the first 3 months")
    assert_accessible(manager, "confirm an approval")
    no_sideways_scroll(manager)
    manager.get_by_role("button", name="Confirm this approval").click()
    saved(manager, "Approval confirmed")
    expect(manager.locator("main")).to_contain_text("Confirmed by Bo Manager")
    expect(manager.locator(".govuk-inset-text")).to_contain_text("Vetting complete")
    assert_accessible(manager, "record confirmed")

    dee.goto("/vetting/mine")
    expect(dee.locator("main")).to_contain_text("Your DBS check is complete")
    expect(dee.locator("main")).not_to_contain_text("Supervised")
    assert_accessible(dee, "your checks")
