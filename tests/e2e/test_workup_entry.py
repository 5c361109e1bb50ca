"""Issue 14 on the workup screen in the system Chromium: number entry, calm updates, keyboard, layout.

Each behaviour a clinician hit is driven as they drive it (typing, Tab, clicks), with JavaScript and,
where the screen works without it, once without.
"""

from __future__ import annotations

import contextlib
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.keystrokes import count_all

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
    expect(page.locator("[data-left-out]")).to_have_text("Not including Hemoglobin (entry to check).")  # issue 22


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
    page.select_option("#id_pattern", "variegated")  # an impression is copied only with an MRI sign
    open_labs(page)
    page.locator("#id_hemoglobin").press_sequentially("13")
    settle(page)
    page.get_by_role("button", name="Copy impression").click()
    status = page.locator("[data-copy-status=impression]")
    expect(status).to_have_text("Copied.")
    page.locator("#id_egfr").press_sequentially("90")  # a normal optional value: the impression stays the same
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


# --- 4. Phone: no sideways scrolling, the result stays in view while typing -----------------------

def test_phone_fits_360_px_and_keeps_the_result_in_view(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, color_scheme="dark")
    page = context.new_page()
    page.goto(live_server.url)
    open_labs(page)
    page.locator("#id_hemoglobin").press_sequentially("10.9")
    settle(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    bar = page.locator("[data-result-bar]")
    expect(bar).to_be_in_viewport()
    expect(bar).to_contain_text(page.locator("[data-disposition]").inner_text())
    context.close()


# --- 9. Keyboard economy: the skip link reaches the result, unit menus are out of the Tab order ---

def test_keyboard_skip_link_then_one_tab_to_copy_impression(page, live_server):
    page.goto(live_server.url)
    page.select_option("#id_pattern", "variegated")  # an impression is copied only with an MRI sign
    open_labs(page)
    page.locator("#id_hemoglobin").press_sequentially("10.9")
    settle(page)
    page.locator(".skip-link[href='#recommendation-panel']").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Copy impression")).to_be_focused()


def test_keyboard_tab_skips_unit_menus_and_alt_arrow_changes_the_unit(page, live_server):
    page.goto(live_server.url)
    open_labs(page)
    page.locator("#id_hemoglobin").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#id_hemoglobin_unit")).not_to_be_focused()
    page.locator("#id_hemoglobin").focus()
    page.keyboard.press("Alt+ArrowDown")
    assert page.locator("#id_hemoglobin_unit").input_value() != "g/dL"


def test_keyboard_unit_menus_stay_in_tab_order_without_javascript(page_without_js, live_server):
    page = page_without_js
    page.goto(live_server.url)
    page.locator("#id_hemoglobin").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#id_hemoglobin_unit")).to_be_focused()


# --- 12. Brain references only with brain imaging -------------------------------------------------

@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_brain_references_appear_only_with_brain_imaging(browser, live_server, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server.url)
    expect(page.locator("#id_t1_vs_white_matter")).to_be_hidden()
    page.check("#id_brain_imaging")
    expect(page.locator("#id_t1_vs_white_matter")).to_be_visible()
    context.close()


# --- 13. Printing: one page with the entries, the result and the impression ----------------------

def test_print_is_one_page_with_entries_and_impression(page, live_server):
    page.goto(live_server.url)
    open_labs(page)
    page.locator("#id_hemoglobin").press_sequentially("10.9")
    page.locator("#id_calcium").press_sequentially("9.5")
    settle(page)
    page.emulate_media(media="print")
    expect(page.locator(".print-inputs")).to_contain_text("Hemoglobin: 10.9 g/dL")
    expect(page.locator(".print-impression")).to_be_visible()
    expect(page.locator("[data-disposition]")).to_be_visible()
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1


def test_keyboard_three_typical_cases_within_measured_keystrokes(page, live_server):
    """The counts of docs/workup-screen.md do not creep back up (issue 14: 64, 72 and 77; issue 22: 36, 46
    and 43; pathway 1.2 adds an MRI sign to every case, since an impression is copied only with one, and
    the blood count, now core: 59, 68 and 59).

    The optional M-protein concentration (issue 15) added one Tab to each case that passes it; the
    anaemia case counted 35 in one run and 36 in others (cause not pinned down), so the bound is 36."""
    counts = {name: keyboard.presses for name, keyboard in count_all(page, live_server.url + "/").items()}
    most = {"anaemia, one MRI sign": 59, "complete normal panel": 68, "MRI findings and core labs": 59}
    assert set(counts) == set(most)
    assert all(counts[name] <= most[name] for name in most), counts
    expect(page.locator("[data-copy-status=impression]")).not_to_be_empty()
