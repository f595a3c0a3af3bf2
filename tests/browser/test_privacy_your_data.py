"""On a phone, a volunteer opens "Your data" from their account, reads it, and downloads it as JSON; a
coordinator produces the same for a volunteer in their area. Axe-clean, nothing running off the side."""
import json

from playwright.sync_api import expect

from app.auth.models import Role
from tests.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.privacy.factories import rich_volunteer


def menu(page, link: str) -> None:
    if page.viewport_size["width"] < 641:  # a phone: the menu is behind its button
        toggle = page.get_by_role("button", name="Menu")
        expect(toggle).to_be_visible()
        toggle.click()
    page.get_by_role("navigation", name="Menu").get_by_role("link", name=link, exact=True).click()


def test_a_volunteer_reads_and_downloads_their_data_on_a_phone(phone_page, new_page, assert_accessible, tmp_path):
    page = phone_page
    person = rich_volunteer("Nadia Newton-Armstrong")
    other = rich_volunteer("Otto Other", areas=("Weardale",))
    email, person_id, other_email = person.email, person.id, other.email
    browser_sign_in(page, email, DEFAULT_PASSWORD)
    menu(page, "Your account")
    page.get_by_role("button", name="Largest text size").click()
    page.get_by_role("link", name="See and download what the portal holds about you").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    expect(page.get_by_role("heading", name="Your self-declarations")).to_be_visible()
    expect(page.get_by_text("Nadia Newton-Armstrong declared a caution")).to_be_visible()
    expect(page.get_by_text("Supervised for the first 3 months")).to_be_visible()
    expect(page.get_by_text("references given in confidence are exempt", exact=False).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") - page.viewport_size["width"] <= 1
    assert_accessible(page, "your data, largest text, phone")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download your data (JSON file)").click()
    assert download_info.value.suggested_filename == "your-data.json"
    saved = tmp_path / "your-data.json"
    download_info.value.save_as(saved)
    data = json.loads(saved.read_text())
    assert data["person_id"] == person_id and data["account"][0]["email"] == email
    assert data["self_declarations"][0]["details"] == "Nadia Newton-Armstrong declared a caution"
    assert "Otto" not in saved.read_text() and other_email not in saved.read_text()

    # A coordinator for the volunteer's area produces the same for a subject access request.
    coordinator = new_page(phone=True)
    make_user(Role.COORDINATOR, email="cora.privacy@example.org", areas=("Durham",))
    browser_sign_in(coordinator, "cora.privacy@example.org", DEFAULT_PASSWORD)
    coordinator.goto(f"/readiness/people/{person_id}")
    coordinator.get_by_role("link", name="Their data (for a subject access request)").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Their data")
    expect(coordinator.get_by_text("Chat about Nadia Newton-Armstrong's past")).to_be_visible()
    assert_accessible(coordinator, "a person's data, produced by staff")
