"""The whole journey in a browser: apply on a phone (leaving and resuming on another device), send,
a coordinator reviews, both referees answer through their e-mailed links, the chat is recorded, accepted.
The applicant's status page and e-mails follow along; axe checks each distinct page."""
import re

from playwright.sync_api import expect

from app.auth.models import Role
from app.timefmt import today_london
from tests.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD, area_named, make_user

EMAIL = "alex.applicant@example.org"


def local(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def sign_up_and_confirm(tab, smtp, assert_accessible):
    tab.goto("/become-a-peer-mentor")
    expect(tab.get_by_role("heading", name="Become a peer mentor")).to_be_visible()
    assert_accessible(tab, "become a peer mentor")
    tab.get_by_role("button", name="Create an account to apply").click()
    tab.get_by_label("Full name").fill("Alex Applicant")
    tab.get_by_label("E-mail address").fill(EMAIL)
    tab.get_by_label("Create a password").fill(DEFAULT_PASSWORD)
    tab.get_by_label("Type the password again").fill(DEFAULT_PASSWORD)
    tab.get_by_role("button", name="Create account").click()
    tab.goto(local(smtp.link(smtp.last(EMAIL), "/confirm-email/")))
    tab.get_by_role("button", name="Confirm my e-mail address").click()
    browser_sign_in(tab, EMAIL, DEFAULT_PASSWORD)


def first_steps(tab, assert_accessible):
    tab.get_by_role("button", name="Start your application").click()
    expect(tab.get_by_text("You have completed 0 of 5 sections")).to_be_visible()
    assert_accessible(tab, "task list")
    tab.get_by_role("link", name="About you", exact=True).click()
    assert_accessible(tab, "about you")
    tab.get_by_label("Postcode").fill("not a postcode")
    tab.locator("input#date_of_birth").fill("27")
    tab.locator("#date_of_birth-month").fill("3")
    tab.locator("#date_of_birth-year").fill("1985")
    tab.get_by_label("Phone number").fill("07700 900 982")
    tab.get_by_label("Postal address").fill("1 High Street\nDurham")
    tab.get_by_role("button", name="Save and continue").click()
    expect(tab.locator(".govuk-error-summary")).to_contain_text("Enter a real UK postcode, like DH1 3LE")
    assert_accessible(tab, "about you with an error")
    expect(tab.get_by_label("Phone number")).to_have_value("07700 900 982")  # what was typed is kept
    tab.get_by_label("Postcode").fill("dh1 3le")
    tab.get_by_role("button", name="Save and continue").click()
    expect(tab.get_by_text("You have completed 1 of 5 sections")).to_be_visible()


def remaining_steps(tab, assert_accessible, durham_id):
    tab.get_by_role("link", name="Where and when").click()
    assert_accessible(tab, "where and when")
    tab.locator(f'input[name="areas"][value="{durham_id}"]').check()
    tab.get_by_label("Weekends").check()
    tab.get_by_role("button", name="Save and continue").click()
    tab.get_by_role("link", name="About your experience").click()
    assert_accessible(tab, "experience")
    tab.get_by_label("Why would you like to be a peer mentor?").fill("I have been there and want to help others.")
    tab.get_by_label("Recovery from drug or alcohol use").check()
    tab.get_by_role("button", name="Save and continue").click()
    tab.get_by_role("link", name="Your referees").click()
    assert_accessible(tab, "referees")
    for prefix, name, mail, phone in (("one", "Rita Friend", "rita@example.net", "07700900001"),
                                      ("two", "Sam Boss", "sam@example.net", "07700900002")):
        tab.locator(f"#{prefix}_name").fill(name)
        tab.locator(f"#{prefix}_email").fill(mail)
        tab.locator(f"#{prefix}_phone").fill(phone)
    tab.locator("#one_relationship").check()          # Friend
    expect(tab.get_by_label("Family member or partner")).to_have_count(0)  # not offered, so never refused
    tab.locator("#two_relationship-2").check()        # Employer or colleague
    tab.get_by_role("button", name="Save and continue").click()
    tab.get_by_role("link", name="Agreements").click()
    assert_accessible(tab, "agreements")
    tab.locator("#consent_data").check()
    tab.locator("#consent_checks").check()
    tab.get_by_role("button", name="Save and continue").click()
    expect(tab.get_by_text("You have completed 5 of 5 sections")).to_be_visible()
    tab.get_by_role("link", name="Check your answers and send").click()
    expect(tab.get_by_text("Rita Friend")).to_be_visible()
    assert_accessible(tab, "check your answers")
    tab.get_by_role("button", name="Send my application").click()
    expect(tab.get_by_role("heading", name="Application sent")).to_be_visible()
    assert_accessible(tab, "application sent")


def coordinator_reviews(desk, assert_accessible, coordinator):
    browser_sign_in(desk, coordinator.email, DEFAULT_PASSWORD)
    desk.goto("/applications")
    expect(desk.locator("#status-counts")).to_contain_text("Received: 1")
    assert_accessible(desk, "queue")
    desk.get_by_role("link", name="Alex Applicant").click()
    expect(desk.get_by_text("Recovery from drug or alcohol use")).to_be_visible()
    assert_accessible(desk, "application detail")
    desk.get_by_label("Note for the record (optional)").fill("Lives near our Durham pairs")
    desk.get_by_role("button", name="Start review").click()
    desk.get_by_role("button", name="Request references").click()
    expect(desk.get_by_text("References requested. Each referee has been e-mailed a link.")).to_be_visible()


def referees_answer(new_page, smtp, assert_accessible):
    for address in ("rita@example.net", "sam@example.net"):
        tab = new_page(phone=True)
        tab.goto(local(smtp.link(smtp.last(address), "/reference/")))
        expect(tab.get_by_role("heading", name="Reference for Alex Applicant")).to_be_visible()
        assert_accessible(tab, "reference form")
        tab.get_by_label("How long have you known them?").fill("6 years")
        tab.get_by_label("What makes them suited to supporting other people?").fill("Patient, kind and reliable.")
        tab.get_by_label("I am not related to them or their partner").check()
        tab.get_by_role("button", name="Send reference").click()
        expect(tab.get_by_role("heading", name="Reference sent")).to_be_visible()
        assert_accessible(tab, "reference sent")
        tab.reload()  # the link works once
        expect(tab.get_by_role("heading", name="You have already sent this reference")).to_be_visible()


def coordinator_decides(desk, assert_accessible):
    desk.reload()
    expect(desk.locator("#referee-2")).to_contain_text("Received")
    assert_accessible(desk, "detail with references to assess")
    for position, name in ((1, "Rita Friend"), (2, "Sam Boss")):
        card = desk.locator(f"#referee-{position}")
        card.get_by_label("Yes, satisfactory").check()
        card.get_by_role("button", name=f"Record reference from {name}").click()
        expect(desk.locator(f"#referee-{position}")).to_contain_text("Satisfactory")
        if position == 1:
            assert_accessible(desk, "detail with a reference to assess")
    today = today_london()
    desk.get_by_role("link", name="Book a chat").click()
    assert_accessible(desk, "book a chat")
    desk.locator("input#day").fill(str(today.day))
    desk.locator("#day-month").fill(str(today.month))
    desk.locator("#day-year").fill(str(today.year))
    desk.get_by_label("How and when").fill("Phone call at 2pm")
    desk.get_by_role("button", name="Book the chat").click()
    desk.get_by_role("link", name="Record the chat").click()
    assert_accessible(desk, "record the chat")
    desk.locator("input#held_on").fill(str(today.day))
    desk.locator("#held_on-month").fill(str(today.month))
    desk.locator("#held_on-year").fill(str(today.year))
    desk.get_by_label("Went well, ready to go ahead").check()
    desk.get_by_label("Notes").fill("Warm, open, keen to start.")
    desk.get_by_role("button", name="Record the chat").click()
    desk.get_by_role("link", name="Decline").click()
    assert_accessible(desk, "decline")  # looked at, not used
    desk.go_back()
    desk.reload()
    desk.get_by_role("button", name="Accept as a volunteer").click()
    expect(desk.get_by_text("Alex Applicant is now a volunteer")).to_be_visible()
    history = desk.locator("ol[aria-labelledby=history]")
    expect(history).to_contain_text("Started the review: Coordinator")
    expect(history).to_contain_text("Recorded reference 2 as satisfactory")
    expect(history).to_contain_text("Why: Lives near our Durham pairs")
    expect(history).to_contain_text("Accepted as a volunteer")


def test_apply_review_references_chat_accept(phone_page, new_page, smtp, assert_accessible):
    durham = area_named("Durham")
    coordinator = make_user(Role.COORDINATOR, email="cora@example.org", areas=[durham])
    durham_id = durham.id
    sign_up_and_confirm(phone_page, smtp, assert_accessible)
    first_steps(phone_page, assert_accessible)
    # Leave, and carry on later on another phone: the draft is there.
    phone_page.context.close()
    resumed = new_page(phone=True)
    browser_sign_in(resumed, EMAIL, DEFAULT_PASSWORD)
    resumed.get_by_role("button", name="Continue your application").click()
    expect(resumed.get_by_text("You have completed 1 of 5 sections")).to_be_visible()
    remaining_steps(resumed, assert_accessible, durham_id)
    assert smtp.last(EMAIL)["Subject"] == "We have received your application"

    resumed.goto("/apply")
    expect(resumed.locator("main")).to_contain_text("Received")
    assert_accessible(resumed, "status page")
    resumed.get_by_role("link", name="Withdraw your application").click()
    assert_accessible(resumed, "withdraw")
    resumed.get_by_role("link", name="No, keep my application").click()

    desk = new_page()
    coordinator_reviews(desk, assert_accessible, coordinator)
    resumed.reload()
    expect(resumed.locator("main")).to_contain_text("References requested")
    referees_answer(new_page, smtp, assert_accessible)
    coordinator_decides(desk, assert_accessible)

    assert smtp.last(EMAIL)["Subject"] == "Welcome to the team"
    assert [m["Subject"] for m in smtp.to(EMAIL)][-3:] == [
        "We have received your application", "A chat about volunteering with us", "Welcome to the team"]
    resumed.goto("/apply")
    expect(resumed.locator("main")).to_contain_text("Accepted")
    expect(resumed.locator("main")).to_contain_text(re.compile("You are now a volunteer peer mentor"))
    assert not resumed.console_errors and not desk.console_errors
