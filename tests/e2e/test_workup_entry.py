"""Issue 14 on the workup screen in the system Chromium: number entry, calm updates, keyboard, layout.

Each behaviour a clinician hit is driven as they drive it (typing, Tab, clicks), with JavaScript and,
where the screen works without it, once without.
"""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SETTLE = "() => !document.querySelector('#workup-form.htmx-request')"
PANEL_POSTS = "() => window.__panelPosts || 0"
COUNT_POSTS = """() => { window.__panelPosts = 0; document.body.addEventListener('htmx:beforeRequest', (e) => {
  if (e.detail.elt.id === 'workup-form') { window.__panelPosts += 1; } }); }"""


def settle(page) -> None:
    page.wait_for_timeout(250)
    page.wait_for_function(SETTLE)


def lab_text(page, key: str) -> str:
    return " ".join(page.locator(f"[data-lab={key}]").inner_text().split())


def open_labs(page) -> None:
    page.locator("a.step-link[data-step-target=labs]").click()


# --- 1. Numbers are never silently changed --------------------------------------------------------

def test_entry_comma_decimal_is_evaluated_as_shown(page, live_server):
    page.goto(live_server.url)
    open_labs(page)
    page.locator("#id_hemoglobin").press_sequentially("10,9")
    page.locator("#id_creatinine").press_sequentially("0,9")
    settle(page)
    assert page.locator("#id_hemoglobin").input_value() == "10,9"
    assert "10.9 g/dL" in lab_text(page, "hemoglobin")
    assert "0.9 mg/dL" in lab_text(page, "creatinine")
    expect(page.locator("[data-rule-id=BX-RENAL]")).to_have_count(0)


@pytest.mark.parametrize("text", ["1o.9", "10e"])
def test_entry_unreadable_number_is_refused_in_its_field(page, live_server, text):
    page.goto(live_server.url)
    open_labs(page)
    page.locator("#id_hemoglobin").press_sequentially(text)
    settle(page)
    assert page.locator("#id_hemoglobin").input_value() == text
    expect(page.locator("#feedback-hemoglobin")).to_contain_text(f"“{text}” is not a number as written")
    expect(page.locator("#id_hemoglobin")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("[data-disposition]")).to_have_count(0)


def test_entry_unreadable_number_is_refused_without_javascript(page_without_js, live_server):
    page = page_without_js
    page.goto(live_server.url)
    page.locator("#id_hemoglobin").fill("1,000.5")
    page.locator("#step-labs button[type=submit]").click()
    assert page.locator("#id_hemoglobin").input_value() == "1,000.5"
    expect(page.locator("#feedback-hemoglobin")).to_contain_text("is not a number as written")


def test_entry_comma_decimal_without_javascript(page_without_js, live_server):
    page = page_without_js
    page.goto(live_server.url)
    page.locator("#id_hemoglobin").fill("10,9")
    page.locator("#step-labs button[type=submit]").click()
    assert "10.9 g/dL" in lab_text(page, "hemoglobin")


# --- 11. Only a real change asks for a panel; a panel update keeps what the person opened ----------

def test_update_leaving_a_field_sends_nothing(page, live_server):
    page.goto(live_server.url)
    page.evaluate(COUNT_POSTS)
    open_labs(page)
    page.locator("#id_hemoglobin").press_sequentially("10.9")
    settle(page)
    sent = page.evaluate(PANEL_POSTS)
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    page.locator("#id_hemoglobin").press("End")
    page.keyboard.type("5")
    page.keyboard.press("Backspace")
    settle(page)
    assert sent >= 1
    assert page.evaluate(PANEL_POSTS) == sent


def test_update_keeps_open_why_and_first_click_counts(page, live_server):
    page.goto(live_server.url)
    open_labs(page)
    page.locator("#id_hemoglobin").press_sequentially("10.9")
    settle(page)
    why = page.locator("[data-rule-id=BX-ANEMIA] details.why")
    why.locator("summary").click()
    expect(why).to_have_attribute("open", "")
    page.locator("#id_calcium").press_sequentially("9.5")
    settle(page)
    expect(page.locator("[data-rule-id=BX-ANEMIA] details.why")).to_have_attribute("open", "")


def test_update_keeps_copy_status_while_the_text_is_unchanged(page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(live_server.url)
    open_labs(page)
    page.locator("#id_hemoglobin").press_sequentially("13")
    settle(page)
    page.get_by_role("button", name="Copy impression").click()
    status = page.locator("[data-copy-status=impression]")
    expect(status).to_have_text("Copied.")
    page.locator("#id_wbc").press_sequentially("6")  # informational: the impression stays the same
    settle(page)
    expect(status).to_have_text("Copied.")
    page.locator("#id_hemoglobin").fill("10.9")  # anemia: the impression changes
    settle(page)
    expect(status).to_contain_text("changed after it was copied")


def test_update_older_answer_never_drawn_over_newer(page, live_server):
    """Hold the first panel request, let the second answer, then release the first: the panel keeps
    the second (the newer request replaced the older one in flight, hx-sync)."""
    held = []

    def route(request_route):
        if request_route.request.headers.get("hx-request") and not held:
            held.append(request_route)
            return
        request_route.continue_()

    page.goto(live_server.url)
    page.route(live_server.url + "/", route)
    open_labs(page)
    page.locator("#id_hemoglobin").press_sequentially("10.9")
    page.wait_for_timeout(300)
    assert held, "the first request was not held"
    page.locator("#id_hemoglobin").fill("13.5")
    expect(page.locator("[data-lab=hemoglobin]")).to_contain_text("13.5 g/dL")
    with contextlib.suppress(Exception):  # the browser already aborted it: nothing can arrive late
        held[0].continue_()
    page.wait_for_timeout(500)
    expect(page.locator("[data-lab=hemoglobin]")).to_contain_text("13.5 g/dL")
    assert page.locator("#id_hemoglobin").input_value() == "13.5"
