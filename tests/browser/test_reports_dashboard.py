"""The managers' dashboard in a browser: at desktop width and on a 360px phone, axe finds nothing serious and
nothing is wider than the screen; every chart's SVG image actually draws (the Content-Security-Policy refuses
nothing, the console is clean); with JavaScript off the charts and their tables are all still there."""
import io
import os

import pytest
from PIL import Image
from playwright.sync_api import expect

from app.auth.models import Role
from tests.conftest import browser_sign_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.reports.scheme import build

CHARTS = 7
SHOTS = os.environ.get("REPORTS_SCREENSHOTS")  # a folder: save what the test saw, to look at
DRAWN = """() => [...document.querySelectorAll('img.cpm-chart__image')]
  .map(img => img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width > 0)"""
WIDEST = """(() => [...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(-3).map(e => e.tagName + '.' + e.className).join(', '))()"""


@pytest.fixture
def manager_email():
    build()
    return make_user(Role.MANAGER, email="manager-dashboard@example.org", name="Morgan Manager").email


def _check(tab, width: int, assert_accessible, label: str) -> None:
    tab.goto("/dashboard?start=2025-07-01&end=2026-06-30")
    expect(tab.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    tab.wait_for_load_state("load")
    drawn = tab.evaluate(DRAWN)
    assert len(drawn) == CHARTS and all(drawn), f"{label}: charts not drawn: {drawn}"
    for alt in tab.locator("img.cpm-chart__image").evaluate_all("els => els.map(e => e.alt)"):
        assert alt.strip(), f"{label}: a chart without alternative text"
    assert tab.locator("table.govuk-table").count() >= CHARTS
    assert_accessible(tab, f"dashboard, {label}")
    overflow = tab.evaluate("document.documentElement.scrollWidth") - width
    assert overflow <= 0, f"{label}: the page scrolls sideways by {overflow}px: {tab.evaluate(WIDEST)}"


def test_the_dashboard_on_a_desktop_and_a_phone(browser, live_server, manager_email, assert_accessible):
    for width, phone in ((1280, False), (360, True)):
        context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 800},
                                      is_mobile=phone, has_touch=phone)
        tab = context.new_page()
        errors = []
        tab.on("console", lambda msg, errors=errors: errors.append(msg.text) if msg.type in ("error", "warning") else None)
        try:
            browser_sign_in(tab, manager_email, DEFAULT_PASSWORD)
            _check(tab, width, assert_accessible, f"{width}px")
            if SHOTS:
                tab.screenshot(path=f"{SHOTS}/dashboard-{width}.png", full_page=True)
            # The month-by-month numbers are one click away, and the lapse counts open their lists.
            tab.get_by_text("The numbers by month").click()
            expect(tab.get_by_role("table", name="The pipeline by month")).to_be_visible()
            tab.locator("#lapses a[href*='/dashboard/lapsing/dbs/90']").click()
            expect(tab.get_by_role("heading", level=1)).to_contain_text("DBS check lapsing within 90 days")
            assert_accessible(tab, f"lapse list, {width}px")
        finally:
            context.close()
        refused = [e for e in errors if "Content Security Policy" in e or "Refused" in e]
        assert not refused and not [e for e in errors if "error" in e.lower()], errors


def test_the_charts_show_with_javascript_off(browser, live_server, manager_email, assert_accessible):
    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 800},
                                  java_script_enabled=False, is_mobile=True)
    tab = context.new_page()
    try:
        browser_sign_in(tab, manager_email, DEFAULT_PASSWORD)
        tab.goto("/dashboard")
        images = tab.locator("img.cpm-chart__image")
        expect(images).to_have_count(CHARTS)
        for i in range(CHARTS):
            # Drawn, not a broken-image box: the chart's first colour (GOV.UK blue) is on the screen.
            picture = Image.open(io.BytesIO(images.nth(i).screenshot())).convert("RGB")
            assert any(abs(r - 29) + abs(g - 112) + abs(b - 184) < 40 for _, (r, g, b) in picture.getcolors(1 << 24)), \
                f"chart {i} is not drawn with JavaScript off"
        if SHOTS:
            tab.screenshot(path=f"{SHOTS}/dashboard-no-js-360.png", full_page=True)
        expect(tab.get_by_role("table", name="What lapses soon: the numbers")).to_be_visible()
        tab.get_by_text("The numbers by month").click()  # <details> opens without JavaScript
        expect(tab.get_by_role("table", name="The pipeline by month")).to_be_visible()
    finally:
        context.close()
