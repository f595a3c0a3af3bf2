"""Issue 15: the rough edges found walking every role on a phone, each walked again in a browser."""
import re
import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.applications.models import Application
from app.applications.rules import Status
from app.auth.models import Role, TextSize, User
from app.extensions import db
from tests.applications.factories import make_application
from tests.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD, make_user


def test_an_answer_typed_before_an_idle_sign_out_is_there_after_signing_in_again(phone_page, live_app, assert_accessible):
    person = make_user(Role.APPLICANT, email="idle@example.org")
    make_application(person, status=Status.DRAFT)
    tab = phone_page
    browser_sign_in(tab, "idle@example.org", DEFAULT_PASSWORD)
    tab.goto("/apply/experience")
    expect(tab.locator("#session-ends")).to_contain_text("you will be signed out at")  # said without JavaScript too
    answer = "I was helped by a mentor when I left prison, and I want to do the same for someone else."
    tab.get_by_label("Why would you like to be a peer mentor?").fill(answer)
    idle = live_app.config["SESSION_IDLE_TIMEOUT"]
    live_app.config["SESSION_IDLE_TIMEOUT"] = timedelta(seconds=2)
    try:
        time.sleep(3)  # the idle limit passes while they think
        tab.get_by_role("button", name="Save and continue").click()
        expect(tab.get_by_role("heading", name="Sign in")).to_be_visible()
        banner = tab.locator(".govuk-notification-banner")
        expect(banner).to_contain_text("What you typed has been kept")
        expect(banner).to_contain_text("Important")
        expect(banner).not_to_contain_text("Done")
        assert "prison" not in tab.url, "the answer must never travel in a URL"
        live_app.config["SESSION_IDLE_TIMEOUT"] = idle
        tab.get_by_label("E-mail address").fill("idle@example.org")
        tab.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
    finally:
        live_app.config["SESSION_IDLE_TIMEOUT"] = idle
    expect(tab).to_have_url(re.compile(r"/apply/experience$"))
    expect(tab.get_by_label("Why would you like to be a peer mentor?")).to_have_value(answer)
    assert_accessible(tab, "the step with its kept answer")
    tab.get_by_role("button", name="Save and continue").click()
    expect(tab.locator(".govuk-notification-banner--success")).to_be_visible()
    db.session.expire_all()
    assert db.session.scalar(select(Application.motivation).where(Application.user_id == person.id)) == answer
    tab.goto("/apply/experience")  # used once: not filled in again over what is saved
    expect(tab.get_by_label("Why would you like to be a peer mentor?")).to_have_value(answer)


def test_someone_else_signing_in_on_the_same_phone_does_not_get_the_kept_answer(phone_page, live_app):
    make_application(make_user(Role.APPLICANT, email="first@example.org"), status=Status.DRAFT)
    make_application(make_user(Role.APPLICANT, email="second@example.org"), status=Status.DRAFT,
                     motivation="Second person's own words.")
    tab = phone_page
    browser_sign_in(tab, "first@example.org", DEFAULT_PASSWORD)
    tab.goto("/apply/experience")
    tab.get_by_label("Why would you like to be a peer mentor?").fill("First person's private words.")
    idle = live_app.config["SESSION_IDLE_TIMEOUT"]
    live_app.config["SESSION_IDLE_TIMEOUT"] = timedelta(seconds=1)
    try:
        time.sleep(2)
        tab.get_by_role("button", name="Save and continue").click()
        expect(tab.get_by_role("heading", name="Sign in")).to_be_visible()
    finally:
        live_app.config["SESSION_IDLE_TIMEOUT"] = idle
    tab.get_by_label("E-mail address").fill("second@example.org")
    tab.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.goto("/apply/experience")
    expect(tab.get_by_label("Why would you like to be a peer mentor?")).to_have_value("Second person's own words.")


def test_the_time_out_warning_offers_to_stay_signed_in(page, live_app):
    make_user(Role.VOLUNTEER, email="warned@example.org")
    idle = live_app.config["SESSION_IDLE_TIMEOUT"]
    browser_sign_in(page, "warned@example.org", DEFAULT_PASSWORD)
    live_app.config["SESSION_IDLE_TIMEOUT"] = timedelta(seconds=90)  # inside the two-minute warning at once
    try:
        page.goto("/account")
        dialog = page.get_by_role("dialog", name="You will be signed out soon")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("We will sign you out in 2 minutes")
        with page.expect_response(lambda r: r.url.endswith("/session/keep-alive")) as kept:
            dialog.get_by_role("button", name="Stay signed in").click()
        assert kept.value.status == 204
    finally:
        live_app.config["SESSION_IDLE_TIMEOUT"] = idle


def test_a_text_size_chosen_before_signing_in_is_kept(phone_page):
    person = make_user(Role.VOLUNTEER, email="bigtext@example.org")
    tab = phone_page
    tab.goto("/sign-in")
    tab.get_by_role("button", name="Largest text size").click()
    expect(tab.locator("html.cpm-text-largest")).to_have_count(1)
    tab.get_by_label("E-mail address").fill("bigtext@example.org")
    tab.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    expect(tab.get_by_role("heading", name="Hello")).to_be_visible()
    expect(tab.locator("html.cpm-text-largest")).to_have_count(1)
    db.session.expire_all()
    assert db.session.get(User, person.id).text_size == TextSize.LARGEST


@pytest.mark.parametrize("javascript, most", [(True, 165), (False, 300)], ids=["with-javascript", "without-javascript"])
def test_the_phone_header_leaves_room_for_the_heading(browser, live_server, javascript, most):
    """With JavaScript the menu folds behind its button; without it (or before it runs) the links wrap in rows."""
    make_user(Role.VOLUNTEER, email="header@example.org")
    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 640}, is_mobile=True,
                                  java_script_enabled=javascript)
    tab = context.new_page()
    try:
        browser_sign_in(tab, "header@example.org", DEFAULT_PASSWORD)
        expect(tab.get_by_role("heading", level=1)).to_contain_text("Hello")
        if javascript:
            expect(tab.get_by_role("button", name="Menu")).to_be_visible()
        top = tab.locator("h1").first.bounding_box()["y"]
        assert top <= most, f"the heading starts {top}px down a 360px phone (225px before issue 15, 445px unfolded)"
    finally:
        context.close()


def test_the_home_page_starts_a_newcomer_off(phone_page, assert_accessible):
    tab = phone_page
    tab.goto("/")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Volunteer as a peer mentor")
    expect(tab.get_by_role("heading", name="Who can volunteer")).to_be_visible()
    expect(tab.get_by_role("heading", name="What happens")).to_be_visible()
    assert_accessible(tab, "the start page")
    tab.get_by_role("link", name="Find out more about being a peer mentor").click()
    expect(tab.get_by_role("heading", name="Become a peer mentor")).to_be_visible()
    tab.go_back()
    tab.get_by_role("button", name="Start now").or_(tab.get_by_role("link", name="Start now")).click()
    expect(tab.get_by_role("heading", level=1)).to_contain_text("Create an account")


def test_sign_up_errors_follow_the_fields_and_passwords_autocomplete_once(phone_page):
    tab = phone_page
    tab.goto("/sign-up")
    tab.get_by_role("button", name="Create account").click()
    links = tab.locator(".govuk-error-summary__list a")
    expect(links).to_have_count(4)
    targets = [links.nth(i).get_attribute("href") for i in range(4)]
    assert targets == ["#full_name", "#email", "#password", "#confirm"], targets
    html = tab.content()
    for field in ("password", "confirm"):
        tag = re.search(rf'<input[^>]*id="{field}"[^>]*>', html).group(0)
        assert tag.count("autocomplete=") == 1 and 'autocomplete="new-password"' in tag, tag


def test_a_referee_who_cannot_be_family_is_not_offered_family(phone_page):
    make_application(make_user(Role.APPLICANT, email="refs@example.org"), status=Status.DRAFT)
    tab = phone_page
    browser_sign_in(tab, "refs@example.org", DEFAULT_PASSWORD)
    tab.goto("/apply/referees")
    expect(tab.get_by_text("cannot be family members or your partner")).to_be_visible()
    expect(tab.get_by_label("Family member or partner")).to_have_count(0)
    expect(tab.get_by_label("Friend").first).to_be_visible()


def test_the_not_allowed_page_says_who_can_help(page):
    for role, helper in ((Role.MANAGER, "ask an admin"), (Role.VOLUNTEER, "ask your coordinator"),
                         (Role.APPLICANT, "call the team")):
        user = make_user(role)
        page.context.clear_cookies()
        browser_sign_in(page, user.email, DEFAULT_PASSWORD)
        response = page.goto("/admin/people")
        assert response.status == 403
        expect(page.locator("main")).to_contain_text(helper)
        expect(page.locator("main")).not_to_contain_text("contact your coordinator")


def test_one_date_and_one_wording_for_police_vetting(page):
    from tests.vetting.factories import Decision, make_dbs, make_nppv

    coordinator = make_user(Role.COORDINATOR, email="dates@example.org", areas=["Durham"])
    volunteer = make_user(Role.VOLUNTEER, areas=["Durham"])
    make_dbs(volunteer, decision=Decision.APPROVED, decided_by=coordinator)
    police = make_nppv(volunteer)
    browser_sign_in(page, coordinator.email, DEFAULT_PASSWORD)
    page.goto(f"/vetting/people/{volunteer.id}")
    expect(page.locator("main")).not_to_contain_text("Expires")
    card = page.locator(".govuk-summary-card", has_text="Force reference")
    last_day = police.expires_on - timedelta(days=1)
    expect(card).to_contain_text(re.compile(rf"Good until\s*{last_day.day} {last_day:%B %Y}"))


def test_an_admin_invites_a_trainer_who_sets_a_password_and_signs_in(phone_page, new_page, smtp, assert_accessible):
    make_user(Role.ADMIN, email="inviter@example.org")
    tab = phone_page
    browser_sign_in(tab, "inviter@example.org", DEFAULT_PASSWORD)
    tab.goto("/admin/people")
    tab.get_by_role("button", name="Invite someone").click()
    assert_accessible(tab, "invite form")
    tab.get_by_label("Full name").fill("Tia Trainer")
    tab.get_by_label("E-mail address").fill("tia@example.org")
    tab.get_by_label("Trainer").check()
    tab.get_by_role("button", name="Send the invitation").click()
    expect(tab.get_by_text("Invitation sent to tia@example.org.")).to_be_visible()
    link = next(url for url in smtp.links(smtp.last("tia@example.org")) if "/admin/invitation/" in url)
    invitee = new_page(phone=True)
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="Choose a password")).to_be_visible()
    assert_accessible(invitee, "choose a password")
    invitee.get_by_label("Create a password").fill("lantern meadow quietly")
    invitee.get_by_label("Type the password again").fill("lantern meadow quietly")
    invitee.get_by_role("button", name="Save password").click()
    browser_sign_in(invitee, "tia@example.org", "lantern meadow quietly")
    expect(invitee.get_by_role("heading", name="Hello, Tia")).to_be_visible()
    expect(invitee.locator("#home-trainer")).to_be_visible()


def test_reference_dates_and_history_lines_read_as_sentences(page):
    from app.applications.services import _audit_step
    from tests.applications.factories import ready_to_accept

    coordinator = make_user(Role.COORDINATOR, email="words@example.org", areas=["Weardale"])
    application = ready_to_accept(areas=("Weardale",))
    # Audit details carry codes only; the note is kept beside the event (and purged with the others).
    _audit_step(coordinator, "application.record_chat", application, "Keen to start", outcome="positive")
    db.session.commit()
    browser_sign_in(page, coordinator.email, DEFAULT_PASSWORD)
    page.goto(f"/applications/{application.id}")
    referee = page.locator("#referee-1").inner_text()
    assert re.search(r"Requested \d{1,2} \w+ \d{4}\. Received \d{1,2} \w+ \d{4}\.", referee), referee
    history = page.locator("ol[aria-labelledby=history]").inner_text()
    assert "Recorded the informal chat: went well, ready to go ahead" in history
    assert "Why: Keen to start." in history and "Why: Went well" not in history
