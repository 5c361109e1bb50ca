"""Browser: while a value is half typed or implausible the panel keeps a result, worked out without
that field and saying so, and an open "Why?" stays open (issue 22, item 1). With and without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SETTLE = "() => !document.querySelector('#workup-form.htmx-request')"
# After every panel swap, note whether the panel still carried a result.
WATCH_PANEL = """() => {
  window.panelHadResult = [];
  document.body.addEventListener('htmx:afterSettle', () => {
    window.panelHadResult.push(Boolean(document.querySelector('#recommendation-panel [data-disposition]')));
  });
}"""


def _settle(page) -> None:
    page.wait_for_timeout(400)
    page.wait_for_function(SETTLE)


def test_typing_half_a_value_keeps_the_result_and_the_open_why(page, live_server):
    page.goto(live_server.url)
    page.locator("#step-mri .step-next").click()
    page.locator("#id_calcium").press_sequentially("11.8")
    page.locator("#id_hemoglobin").press_sequentially("10.9")
    expect(page.locator("#finding-BX-ANEMIA")).to_be_attached()
    why = page.locator("#finding-BX-CALCIUM details.why")
    why.locator("summary").click()
    _settle(page)
    page.evaluate(WATCH_PANEL)

    page.locator("#id_hemoglobin").fill("")
    page.locator("#id_hemoglobin").press_sequentially("1")  # 1 g/dL: not plausible yet
    expect(page.locator("[data-left-out]")).to_contain_text("Not including Hemoglobin")
    expect(page.locator("#feedback-hemoglobin")).to_contain_text("outside the plausible range")
    expect(page.locator("#recommendation-panel [data-disposition]")).to_be_visible()
    expect(page.locator("#finding-BX-ANEMIA")).to_have_count(0)  # worked out without it
    assert why.get_attribute("open") is not None

    page.locator("#id_hemoglobin").press_sequentially("0.9")
    expect(page.locator("#finding-BX-ANEMIA")).to_be_attached()
    expect(page.locator("[data-left-out]")).to_have_count(0)
    expect(page.locator("#feedback-hemoglobin")).to_have_text("")
    _settle(page)
    assert why.get_attribute("open") is not None
    assert page.evaluate("window.panelHadResult") and all(page.evaluate("window.panelHadResult"))


def test_typing_implausible_value_without_javascript_keeps_the_result(page_without_js, live_server):
    page = page_without_js
    page.goto(live_server.url)
    page.locator("#id_calcium").press_sequentially("11.8")
    page.locator("#id_hemoglobin").press_sequentially("1")
    page.locator("#step-context button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("[data-left-out]")).to_contain_text("Not including Hemoglobin")
    expect(page.locator("#div_id_hemoglobin")).to_contain_text("outside the plausible range")
    expect(page.locator("#finding-BX-CALCIUM")).to_be_visible()
    expect(page.locator("#id_hemoglobin")).to_have_value("1")
    expect(page.locator("[data-report-waits]")).to_be_visible()  # no report text that lacks it
