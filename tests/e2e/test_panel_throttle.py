"""Issue 21 item 2: nginx answers 429 beyond the panel limit; the screen keeps its panel and asks again."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SETTLE = "() => !document.querySelector('#workup-form.htmx-request')"


def test_panel_throttled_keeps_the_last_panel_then_retries(page, live_server):
    refused = []

    def route(request_route):
        if request_route.request.headers.get("hx-request") and not refused:
            refused.append(request_route.request.post_data)
            request_route.fulfill(status=429, body="Too many requests", headers={"Retry-After": "1"})
            return
        request_route.continue_()

    page.goto(live_server.url)
    page.locator("a.step-link[data-step-target=labs]").click()
    page.locator("#id_hemoglobin").press_sequentially("13.5")
    lab = page.locator("[data-lab=hemoglobin]")
    expect(lab).to_contain_text("13.5 g/dL")
    page.route(live_server.url + "/", route)
    page.locator("#id_hemoglobin").fill("10.9")
    page.wait_for_timeout(400)
    assert refused, "no panel request was refused"
    # Refused: the panel the person had is still there, whole, and nothing says "error".
    expect(lab).to_contain_text("13.5 g/dL")
    assert "Too many" not in page.locator("#recommendation-panel").inner_text()
    # The screen asks again after the pause and draws the answer for what is typed now.
    expect(lab).to_contain_text("10.9 g/dL", timeout=4000)
    page.wait_for_function(SETTLE)
    assert page.locator("#id_hemoglobin").input_value() == "10.9"
