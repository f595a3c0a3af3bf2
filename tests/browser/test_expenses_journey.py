"""Browser journey on a phone: a volunteer claims a saved journey with a passenger and a parking receipt, the
coordinator sends it back with a question, the volunteer fixes it, the coordinator approves, and finance (a
manager) exports the batch and marks it paid. axe runs on every page."""
import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from playwright.sync_api import expect

from app.auth.models import Role
from app.expenses import rules, services_lines
from app.extensions import db
from tests.conftest import browser_sign_in
from tests.expenses.factories import photo_bytes
from tests.factories import DEFAULT_PASSWORD, make_user


def banner(page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner")).to_contain_text(text)


def menu(page, link: str) -> None:
    if page.viewport_size["width"] < 641:  # a phone: the menu is behind its button
        toggle = page.get_by_role("button", name="Menu")
        expect(toggle).to_be_visible()
        toggle.click()
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=link, exact=True).click()


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1


def test_volunteer_claims_coordinator_queries_and_approves_finance_pays(phone_page, new_page, assert_accessible, tmp_path):
    volunteer = make_user(Role.VOLUNTEER, email="val@example.org", name="Val Volunteer", areas=["Durham"])
    make_user(Role.VOLUNTEER, email="pat@example.org", name="Pat Passenger", areas=["Durham"])
    make_user(Role.COORDINATOR, email="cara@example.org", name="Cara Coordinator", areas=["Durham"])
    make_user(Role.MANAGER, email="max@example.org", name="Max Manager")
    services_lines.confirm_driver(volunteer, rules.tax_year_of(date.today()), Decimal(0))
    services_lines.save_journey(volunteer, "Home to Durham Community Centre", "DH7 8AA", "Durham Community Centre",
                                Decimal("6.4"), rules.Vehicle.CAR)
    db.session.commit()
    db.session.remove()
    receipt = tmp_path / "parking.jpg"
    receipt.write_bytes(photo_bytes(exif_gps=True))

    page = phone_page
    browser_sign_in(page, "val@example.org", DEFAULT_PASSWORD)
    page.get_by_role("button", name="Largest text size").click()
    menu(page, "Expenses")
    expect(page.get_by_role("heading", level=1, name="Your expenses")).to_be_visible()
    assert_accessible(page, "your expenses")
    page.get_by_role("button", name="Start a claim").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Claim \d+"))).to_be_visible()
    assert_accessible(page, "empty claim")

    page.get_by_role("link", name=re.compile("^Home to Durham Community Centre")).click()  # tap one
    expect(page.get_by_label("Miles")).to_have_value("6.4")
    page.get_by_label("Pat Passenger").check()
    assert_accessible(page, "journey form")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Add journey").click()  # tap two
    banner(page, "Journey added.")
    expect(page.get_by_text("6.4 miles at 45p, 1 passenger for 6.4 miles at 5p")).to_be_visible()

    page.get_by_role("button", name="Add parking, fares or another cost").click()
    page.get_by_label("Parking", exact=True).check()
    page.get_by_label("What it was for").fill("Parking at the centre")
    page.get_by_label("Amount on the receipt").fill("32.00")
    page.locator("input[type=file]#receipt").set_input_files(str(receipt))
    assert_accessible(page, "cost form")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Add cost").click()
    expect(page.get_by_text("£32.00")).to_be_visible()
    page.get_by_role("button", name="Submit claim").click()
    banner(page, "Claim submitted.")
    claim_url = page.url
    assert_accessible(page, "submitted claim")
    no_sideways_scroll(page)

    coordinator = new_page()
    browser_sign_in(coordinator, "cara@example.org", DEFAULT_PASSWORD)
    menu(coordinator, "Expense claims")
    assert_accessible(coordinator, "approval queue")
    coordinator.get_by_role("link", name=re.compile("^Val Volunteer, claim")).click()
    with coordinator.expect_download() as download:
        coordinator.get_by_role("link", name=re.compile("^Download the receipt")).click()
    assert download.value.suggested_filename.endswith(".jpg")
    assert_accessible(coordinator, "claim to decide")
    coordinator.get_by_label("Send back to the volunteer with a question").check()
    coordinator.get_by_label("Comment for the volunteer").fill("Was the parking £3.20 rather than £32?")
    coordinator.get_by_role("button", name="Record decision").click()
    banner(coordinator, "Claim sent back with your question.")

    page.goto(claim_url)
    expect(page.locator(".govuk-inset-text")).to_contain_text("£3.20 rather than £32")
    assert_accessible(page, "queried claim")
    page.get_by_role("button", name=re.compile("^Remove Parking")).click()
    banner(page, "Removed.")
    page.get_by_role("button", name="Add parking, fares or another cost").click()
    page.get_by_label("Parking", exact=True).check()
    page.get_by_label("What it was for").fill("Parking at the centre")
    page.get_by_label("Amount on the receipt").fill("3.20")
    page.locator("input[type=file]#receipt").set_input_files(str(receipt))
    page.get_by_role("button", name="Add cost").click()
    page.get_by_role("button", name="Resubmit claim").click()
    banner(page, "Claim submitted.")

    coordinator.goto(claim_url)
    coordinator.get_by_label("Approve").check()
    coordinator.get_by_role("button", name="Record decision").click()
    banner(coordinator, "Claim approved.")

    finance = new_page()
    browser_sign_in(finance, "max@example.org", DEFAULT_PASSWORD)
    menu(finance, "Expenses finance")
    expect(finance.get_by_text("1 approved claim")).to_be_visible()
    assert_accessible(finance, "finance")
    finance.get_by_role("button", name="Make a payment batch").click()
    banner(finance, "Payment batch made")
    with finance.expect_download() as download:
        finance.get_by_role("link", name=re.compile(r"^Download batch \d+")).click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [r["type"] for r in rows] == ["Mileage", "Parking"]
    assert [int(r["pence"]) for r in rows] == [288 + 32, 320] and {r["cost_code"] for r in rows} == {"CPM-4010"}
    finance.get_by_role("link", name=re.compile(r"^Mark batch \d+ as paid")).click()
    assert_accessible(finance, "mark paid")
    today = date.today()
    finance.get_by_label("Day").fill(str(today.day))
    finance.get_by_label("Month").fill(str(today.month))
    finance.get_by_label("Year").fill(str(today.year))
    finance.get_by_label("Payment reference").fill("BACS 2026-12")
    finance.get_by_role("button", name="Mark as paid").click()
    banner(finance, "marked as paid")

    page.goto(claim_url)
    expect(page.get_by_text("Paid on")).to_be_visible()
    expect(page.get_by_text("BACS 2026-12")).to_be_visible()
    assert_accessible(page, "paid claim")
