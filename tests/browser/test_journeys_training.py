"""Issue 15, training: no sessions in the past, one place per course, cancelling asks first, a feed you can copy."""
import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import func, select

from app.db_types import utcnow
from app.extensions import db
from app.timefmt import to_london
from app.training.models import Booking, BookingStatus, TrainingSession
from tests.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.training.factories import load_catalogue, make_session


def test_a_session_cannot_be_scheduled_for_a_time_already_gone(phone_page, assert_accessible):
    coordinator = make_user("coordinator", email="sched@example.org", areas=["Durham"])
    make_user("trainer", name="Tom Trainer")
    load_catalogue()
    tab = phone_page
    browser_sign_in(tab, coordinator.email, DEFAULT_PASSWORD)
    tab.goto("/training/sessions/new")
    earlier = to_london(utcnow() - timedelta(minutes=30))
    tab.get_by_label("Course").select_option(label="Taster day")
    group = tab.get_by_role("group", name="Date", exact=True)
    group.get_by_label("Day").fill(str(earlier.day))
    group.get_by_label("Month", exact=True).fill(str(earlier.month))
    group.get_by_label("Year").fill(str(earlier.year))
    tab.get_by_label("Start time").fill(earlier.strftime("%H:%M"))
    tab.get_by_label("End time").fill("23:59")
    tab.get_by_label("Venue").select_option(label="Darlington Community Hub (Darlington)")
    tab.get_by_label("Tom Trainer").check()
    tab.get_by_role("button", name="Save session").click()
    summary = tab.locator(".govuk-error-summary")
    expect(summary).to_contain_text(re.compile("already passed|today or in the future"))
    assert_accessible(tab, "a start time in the past")
    assert db.session.scalar(select(func.count()).select_from(TrainingSession)) == 0


def test_the_same_course_cannot_be_booked_twice_and_cancelling_asks_first(phone_page, assert_accessible):
    volunteer = make_user("volunteer", email="twice@example.org")
    first = make_session("taster-day", starts_at=utcnow().replace(microsecond=0) + timedelta(days=7))
    second = make_session("taster-day", starts_at=first.starts_at + timedelta(days=7), trainers=first.trainers)
    tab = phone_page
    browser_sign_in(tab, volunteer.email, DEFAULT_PASSWORD)
    tab.goto(f"/training/sessions/{first.id}")
    tab.get_by_role("button", name="Book a place").click()
    expect(tab.get_by_text("You are booked.")).to_be_visible()
    tab.goto(f"/training/sessions/{second.id}")
    expect(tab.locator("main")).to_contain_text("You already have a place on this course")
    expect(tab.get_by_role("button", name="Book a place")).to_have_count(0)

    tab.goto(f"/training/sessions/{first.id}")
    tab.get_by_role("button", name="Cancel my booking").click()
    expect(tab.get_by_role("heading", name="Cancel your place?")).to_be_visible()
    assert_accessible(tab, "cancel confirmation")
    tab.get_by_role("link", name="No, keep it").click()
    booking = db.session.scalar(select(Booking).where(Booking.user_id == volunteer.id))
    db.session.refresh(booking)
    assert booking.status is BookingStatus.BOOKED, "one tap must not cancel a place"
    tab.get_by_role("button", name="Cancel my booking").click()
    tab.get_by_role("button", name="Yes, cancel my place").click()
    expect(tab.get_by_text("Your booking is cancelled.")).to_be_visible()
    db.session.refresh(booking)
    assert booking.status is BookingStatus.CANCELLED
    tab.goto(f"/training/sessions/{second.id}")  # now the other day can be booked
    expect(tab.get_by_role("button", name="Book a place")).to_be_visible()


def test_the_calendar_feed_can_be_copied_and_says_how_to_add_it(page, browser, live_server):
    make_user("volunteer", email="feed@example.org")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    browser_sign_in(page, "feed@example.org", DEFAULT_PASSWORD)
    page.goto("/training/record")
    page.get_by_role("button", name="Get my calendar feed").click()
    address = page.get_by_label("Your calendar feed address").input_value()
    page.get_by_role("button", name="Copy the address").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == address
    page.get_by_text("How to add it to Google, Apple or Outlook").click()
    for app_name in ("Google Calendar", "Apple Calendar (iPhone or iPad)", "Outlook"):
        expect(page.get_by_role("heading", name=app_name)).to_be_visible()

    plain = browser.new_context(base_url=live_server, java_script_enabled=False)
    tab = plain.new_page()
    try:
        browser_sign_in(tab, "feed@example.org", DEFAULT_PASSWORD)
        tab.goto("/training/record")
        expect(tab.get_by_role("button", name="Copy the address")).to_be_hidden()
        expect(tab.get_by_text("Select the address and copy it.")).to_be_visible()
    finally:
        plain.close()
