"""Every page a role can reach without parameters is checked with axe, at desktop width and on a phone.

Journeys check the pages with data in them; this sweep makes sure no page is forgotten, and that none
scrolls sideways on a 375px screen at the largest text size.
"""
import pytest
from playwright.sync_api import expect

from app.auth.models import Role
from app.extensions import db
from tests.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.test_access_matrix import RULES, _access

SKIP = {"static", "auth.logout", "core.healthz"}


def pages_for(role: Role | None) -> list[str]:
    """GET pages without URL parameters that this role (None: a visitor) is allowed to see."""
    user = make_user(role, commit=False) if role else None
    paths = []
    for rule in RULES:
        if rule.endpoint in SKIP or rule.arguments or "GET" not in rule.methods:
            continue
        access = _access(rule)
        allowed = access.kind == "public" if user is None else access.allows(user)
        if allowed and not rule.rule.endswith((".ics", ".json", ".pdf", ".csv")):
            paths.append(rule.rule)
    if user is not None:
        db.session.expunge(user)
    return sorted(set(paths))


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "visitor")
def test_every_page_is_accessible_and_fits_a_phone(browser, live_server, assert_accessible, role):
    if role is not None:
        make_user(role, email=f"sweep-{role.value}@example.org", areas=["Durham"])
        db.session.remove()
    paths = pages_for(role)
    assert paths, "no pages found for this role"
    context = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 740},
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        if role is not None:
            browser_sign_in(page, f"sweep-{role.value}@example.org", DEFAULT_PASSWORD)
            page.get_by_role("button", name="Largest text size").click()
        for path in paths:
            response = page.goto(path)
            assert response.status < 500, f"{path} answered {response.status}"
            expect(page.locator("h1").first).to_be_visible()
            assert page.title().endswith("Community Peer Mentors"), f"{path} has no proper <title>"
            assert_accessible(page, f"{path} as {role.value if role else 'visitor'}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{path} scrolls sideways by {overflow}px on a phone at the largest text size"
    finally:
        context.close()
