"""Issue 15, training: someone at a taster day without an account. On a 360 px phone the trainer searches the
register, finds nobody, adds the person there and then; the newcomer follows the e-mailed link, chooses a
password and sees the session on their training record. Axe checks each page."""
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import Role, User
from app.db_types import utcnow
from app.extensions import db
from app.training.models import Attendance, Booking
from tests.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.training.factories import make_session

NEW_PASSWORD = "harbour lantern quietly"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def local(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _fits(tab) -> None:
    assert tab.evaluate("document.documentElement.scrollWidth") <= 361, f"{tab.url} scrolls sideways at 360px"


def test_a_trainer_adds_a_newcomer_who_then_makes_an_account_and_sees_the_session(browser, live_server, smtp,
                                                                                  assert_accessible):
    trainer = make_user(Role.TRAINER, email="tess.trainer@example.org", name="Tess Trainer")
    item = make_session("taster-day", starts_at=utcnow().replace(microsecond=0) + timedelta(days=1), trainers=[trainer])
    item.starts_at = utcnow().replace(microsecond=0) - timedelta(hours=6, minutes=30)
    item.ends_at = item.starts_at + timedelta(hours=6)  # ended half an hour ago: the register is still open
    db.session.commit()

    context = browser.new_context(base_url=live_server, **PHONE)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    browser_sign_in(tab, trainer.email, DEFAULT_PASSWORD)
    tab.goto(f"/training/sessions/{item.id}/register")
    tab.get_by_label("Their name").fill("Priya Newcomer")
    tab.get_by_role("button", name="Find").click()
    expect(tab.locator("main")).to_contain_text("Nobody called 'Priya Newcomer' can join this session")
    expect(tab.get_by_role("heading", name="Add someone without an account")).to_be_visible()
    expect(tab.get_by_label("Full name")).to_have_value("Priya Newcomer")
    assert_accessible(tab, "register: nobody found, the form for someone without an account")
    _fits(tab)

    tab.get_by_label("E-mail address").fill("priya.newcomer@example.org")
    tab.get_by_label("Phone number (optional)").fill("0770090012")  # one digit short
    tab.get_by_role("button", name="Add to the register and invite").click()
    expect(tab.locator(".govuk-error-summary")).to_contain_text("Enter a UK phone number")
    expect(tab.get_by_label("E-mail address")).to_have_value("priya.newcomer@example.org")  # kept
    assert_accessible(tab, "someone without an account: a mistake shown by its field")
    _fits(tab)
    tab.get_by_label("Phone number (optional)").fill("07700 900 123")
    tab.get_by_role("button", name="Add to the register and invite").click()
    expect(tab.locator(".govuk-notification-banner")).to_contain_text(
        "Priya Newcomer is added to the register and marked present")
    row = tab.get_by_role("group", name="Priya Newcomer (walk-in)")
    expect(row.get_by_label("Present")).to_be_checked()
    row.get_by_label("Present").check()  # the trainer confirms the mark and saves the register
    tab.get_by_role("button", name="Save register").click()
    expect(tab.locator(".govuk-notification-banner")).to_contain_text("Register saved")
    assert_accessible(tab, "the register with the newcomer on it")
    _fits(tab)
    tab.get_by_role("button", name="Largest text size").click()  # and the form fits 320 px at the largest text
    tab.set_viewport_size({"width": 320, "height": 740})
    tab.goto(f"/training/sessions/{item.id}/register/new-person?find=Someone+Else")
    expect(tab.get_by_label("Full name")).to_have_value("Someone Else")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 321, "the form scrolls sideways at 320px"
    assert_accessible(tab, "someone without an account, its own page, 320px, largest text")
    person = db.session.scalar(select(User).where(User.email == "priya.newcomer@example.org"))
    booking = db.session.scalar(select(Booking).where(Booking.user_id == person.id))
    assert booking.walk_in and booking.attendance is Attendance.PRESENT and person.roles == {Role.APPLICANT}
    context.close()

    invitation = smtp.last("priya.newcomer@example.org")
    assert invitation["Subject"] == "Make your account: your training record is waiting"
    context = browser.new_context(base_url=live_server, **PHONE)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.goto(local(smtp.link(invitation, "/admin/invitation/")))
    expect(tab.get_by_role("heading", name="Choose a password")).to_be_visible()
    assert_accessible(tab, "the newcomer chooses a password")
    _fits(tab)
    tab.get_by_label("Create a password").fill(NEW_PASSWORD)
    tab.get_by_label("Type the password again").fill(NEW_PASSWORD)
    tab.get_by_role("button", name="Save password").click()
    expect(tab.locator(".govuk-notification-banner")).to_contain_text("Your password is saved")
    browser_sign_in(tab, "priya.newcomer@example.org", NEW_PASSWORD)
    toggle = tab.get_by_role("button", name="Menu")  # on a phone the menu is behind its button
    expect(toggle).to_be_visible()
    toggle.click()
    tab.get_by_role("navigation", name="Menu").get_by_role("link", name="Your training", exact=True).click()
    expect(tab.get_by_role("heading", name="Your training")).to_be_visible()
    completed = tab.locator("table.cpm-record")
    expect(completed).to_contain_text("Taster day")
    expect(completed).to_contain_text("Current")
    expect(tab.get_by_role("link", name="Apply to become a Community Peer Mentor")).to_be_visible()
    assert_accessible(tab, "the newcomer's training record")
    _fits(tab)
    context.close()
