"""Browser journey on a phone: a coordinator accepts an application and follows the next steps to the
volunteer's readiness; the volunteer works through their gates on "Your path to mentoring" (the agreement,
an emergency contact); release is refused while the induction meeting is missing; the coordinator records it
and releases; the volunteer's home page then says they are released. The coordinator adds a client and pairs
the new mentor with an experienced one; the volunteer sees the client and logs a contact. axe runs on every page.

Vetting and training records are made directly (their own journeys drive those pages), and identity checks and
self-declarations come from the stand-in for the safer-recruitment records (see app/readiness/queries.py).
"""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.auth.models import Role
from app.extensions import db
from app.timefmt import today_london
from tests.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.readiness.conftest_support import patch_vetting_extras
from tests.readiness.factories import make_ready_volunteer, make_released


@pytest.fixture(autouse=True)
def vetting_extras(monkeypatch):
    return patch_vetting_extras(monkeypatch)


def fill_date(page, day) -> None:
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))


def banner(page, message: str) -> None:
    expect(page.locator(".govuk-notification-banner").first).to_contain_text(message)


def fits(page, label: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{label} scrolls sideways by {overflow}px"


def test_from_accepted_through_every_gate_to_released_and_paired_on_a_phone(phone_page, new_page, assert_accessible):
    cara = make_user(Role.COORDINATOR, email="coord@example.org", name="Cara Coordinator", areas=["Durham"])
    partner = make_ready_volunteer(areas=("Durham",), name="Pia Partner", supervisor=cara)
    make_released(partner, on=today_london() - timedelta(days=200))
    make_ready_volunteer(skip={"application", "agreement", "emergency-contact", "induction"}, areas=("Durham",),
                         email="vol@example.org", name="Vic Volunteer", supervisor=make_user(Role.MANAGER))
    db.session.remove()
    coordinator = phone_page

    browser_sign_in(coordinator, "coord@example.org", DEFAULT_PASSWORD)
    coordinator.goto("/applications")
    coordinator.get_by_role("link", name=re.compile("Vic Volunteer")).first.click()
    coordinator.get_by_role("button", name=re.compile("^Accept")).first.click()
    banner(coordinator, "is now a volunteer")
    expect(coordinator.locator("#next-steps")).to_contain_text("Next steps")
    assert_accessible(coordinator, "accepted application with next steps")
    coordinator.locator("#next-steps").get_by_role("link", name=re.compile("readiness")).click()
    expect(coordinator.get_by_role("heading", level=1, name="Readiness")).to_be_visible()
    expect(coordinator.locator("#gate-agreement")).to_contain_text("Not done yet")
    assert_accessible(coordinator, "readiness of a volunteer")
    fits(coordinator, "readiness of a volunteer")

    volunteer = new_page(phone=True)
    browser_sign_in(volunteer, "vol@example.org", DEFAULT_PASSWORD)
    expect(volunteer.locator("#home-path")).to_contain_text("Your path to mentoring")
    expect(volunteer.locator("#home-path")).to_contain_text("You have done 12 of 15 steps")
    assert_accessible(volunteer, "home page with the path")
    fits(volunteer, "home page with the path")
    volunteer.locator("#home-path").get_by_role("link", name="Sign the volunteer agreement").click()
    expect(volunteer.get_by_role("heading", level=1, name="Volunteer agreement")).to_be_visible()
    volunteer.get_by_role("button", name="Sign the agreement").click()
    expect(volunteer.locator(".govuk-error-summary")).to_contain_text("Type your full name to sign the agreement")
    assert_accessible(volunteer, "agreement with errors")
    fits(volunteer, "agreement with errors")
    volunteer.get_by_label("Type your full name to sign").fill("Vic Volunteer")
    volunteer.get_by_label("I have read the volunteer agreement and agree to it").check()
    volunteer.get_by_role("button", name="Sign the agreement").click()
    banner(volunteer, "You have signed the volunteer agreement")
    expect(volunteer.get_by_role("heading", level=1, name="Your path to mentoring")).to_be_visible()
    assert_accessible(volunteer, "path")

    volunteer.get_by_role("link", name="Add an emergency contact").click()
    volunteer.get_by_label("Their name").fill("Pat Volunteer")
    volunteer.get_by_label("How they know you").fill("partner")
    volunteer.get_by_label("Their phone number").fill("12")
    volunteer.get_by_role("button", name="Save emergency contact").click()
    expect(volunteer.locator(".govuk-error-summary")).to_contain_text("Enter a phone number")
    expect(volunteer.get_by_label("Their name")).to_have_value("Pat Volunteer")
    assert_accessible(volunteer, "emergency contact with an error")
    volunteer.get_by_label("Their phone number").fill("07700 900123")
    volunteer.get_by_role("button", name="Save emergency contact").click()
    banner(volunteer, "Emergency contact saved")
    expect(volunteer.locator("body")).to_contain_text("You have done 14 of 15 steps")

    coordinator.reload()
    coordinator.get_by_role("button", name="Release to client work").click()
    banner(coordinator, "Cannot release yet. These gates are not passed: Induction meeting held, supervisor named")
    assert_accessible(coordinator, "release refused")
    coordinator.get_by_role("link", name="Record the induction meeting").click()
    assert_accessible(coordinator, "induction form")
    fits(coordinator, "induction form")
    fill_date(coordinator, today_london())
    coordinator.get_by_label("Supervisor").select_option(label="Cara Coordinator")
    coordinator.get_by_role("button", name="Record induction meeting").click()
    banner(coordinator, "Induction meeting recorded")
    expect(coordinator.locator("#gate-induction")).to_contain_text("supervisor Cara Coordinator")
    coordinator.get_by_role("button", name="Release to client work").click()
    banner(coordinator, "Vic Volunteer is released to client work")
    expect(coordinator.locator("body")).to_contain_text("Released to client work since")
    assert_accessible(coordinator, "released")

    coordinator.goto("/readiness/staff?state=released")
    expect(coordinator.get_by_role("link", name="Vic Volunteer")).to_be_visible()
    assert_accessible(coordinator, "readiness list")
    fits(coordinator, "readiness list")

    volunteer.goto("/")
    expect(volunteer.locator("#home-released")).to_contain_text("You are released to mentor clients")
    expect(volunteer.locator("#home-path")).to_have_count(0)
    volunteer.goto("/readiness")
    expect(volunteer.locator(".govuk-panel")).to_contain_text("You are released to mentor clients")
    assert_accessible(volunteer, "path when released")

    coordinator.goto("/readiness/clients")
    assert_accessible(coordinator, "clients (none)")
    coordinator.get_by_role("button", name="Add a client").click()
    coordinator.get_by_label("Client reference code").fill("Mrs Smith")
    coordinator.get_by_label("Area").select_option(label="Durham")
    coordinator.get_by_label("Housing").check()
    coordinator.get_by_role("button", name="Add client").click()
    expect(coordinator.locator(".govuk-error-summary")).to_contain_text("letters, digits and hyphens")
    assert_accessible(coordinator, "add a client with an error")
    fits(coordinator, "add a client")
    coordinator.get_by_label("Client reference code").fill("DUR-0042")
    coordinator.get_by_role("button", name="Add client").click()
    banner(coordinator, "Client DUR-0042 added")
    coordinator.get_by_label("First mentor").select_option(label="Vic Volunteer")
    coordinator.get_by_label("Second mentor").select_option(label="Pia Partner")
    coordinator.get_by_role("button", name="Pair these mentors").click()
    banner(coordinator, "Vic Volunteer and Pia Partner are paired with client DUR-0042")
    assert_accessible(coordinator, "client with a pairing")
    fits(coordinator, "client with a pairing")

    volunteer.goto("/readiness/pairings")
    expect(volunteer.locator("body")).to_contain_text("Client DUR-0042")
    expect(volunteer.locator("body")).to_contain_text("Pia Partner")
    assert_accessible(volunteer, "your clients")
    volunteer.get_by_role("link", name=re.compile("^Log a contact")).click()
    fill_date(volunteer, today_london())
    volunteer.get_by_label("How long, in minutes").fill("45")
    volunteer.get_by_label("Visit").check()
    assert_accessible(volunteer, "log a contact")
    fits(volunteer, "log a contact")
    volunteer.get_by_role("button", name="Log contact").click()
    banner(volunteer, "Contact logged")
    expect(volunteer.locator("body")).to_contain_text("You have logged 0 hours 45 minutes with clients")
