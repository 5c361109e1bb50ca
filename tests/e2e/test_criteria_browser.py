"""The published-criteria section in the system Chromium: an FLC ratio of exactly 8 meets the
published breakpoint beyond the source, opened by keyboard, with no serious axe-core finding."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.workup_screen import enter_case
from tests.support import golden

pytestmark = pytest.mark.e2e

SETTLE = "() => !document.querySelector('#workup-form.htmx-request')"


def test_browser_flc_ratio_8_shows_published_breakpoint_met_beyond_the_source(page, live_server):
    page.goto(live_server.url)
    enter_case(page, golden("crit-flc-ratio-8-normal-labs"))
    page.wait_for_timeout(600)
    page.wait_for_function(SETTLE)
    section = page.locator("#published-criteria")
    expect(section.get_by_role("heading", name="Published criteria")).to_be_visible()
    expect(section.locator("[data-criteria-line]")).to_have_count(1)  # only what says something (1.2)
    expect(section.locator("[data-criteria-line]")).to_contain_text(
        "Published thresholds met where the source does not trigger: FLC κ/λ ratio 8 (FLC breakpoint as published)."
    )
    criterion = page.locator("#criterion-CRIT-FLC-PUBLISHED")
    expect(criterion).not_to_be_visible()  # collapsed to the summary lines
    # Keyboard only: focus the outer summary, open it, then the criterion's own summary.
    outer = page.locator("#criteria-all > summary")
    outer.focus()
    page.keyboard.press("Enter")
    expect(criterion).to_be_visible()
    expect(criterion).to_have_attribute("data-status", "met")
    criterion.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(criterion.locator("[data-basis-for=CRIT-FLC-PUBLISHED]")).to_contain_text("FLC_PUBLISHED_HIGH")
    expect(page.locator("[data-rule-id=BX-FLC]")).to_have_count(0)
    violations = [
        v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")
    ]
    assert violations == []
