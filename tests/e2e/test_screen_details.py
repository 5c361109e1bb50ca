"""Browser: the workup screen's smaller findings of issue 22 (items 8 and 12): print, contrast of
unchecked controls, the gap above "Copy impression", Alt-key hints and aborted requests. (The print
view's favicon is a view test, tests/saved/test_print_view.py: headless Chromium asks for no favicon.)"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.workup_screen import enter_case
from tests.support import golden

pytestmark = pytest.mark.e2e

SETTLE = "() => !document.querySelector('#workup-form.htmx-request')"
# Each unchecked radio or checkbox shown: its border colour and the first opaque background behind it.
CONTROL_COLOURS = """() => [...document.querySelectorAll('input[type=radio]:not(:checked), input[type=checkbox]:not(:checked)')]
  .filter(e => e.offsetParent !== null)
  .map(e => {
    let behind = e.parentElement, bg = 'rgba(0, 0, 0, 0)';
    while (behind && /rgba\\(.*, 0\\)$|transparent/.test(bg = getComputedStyle(behind).backgroundColor)) {
      behind = behind.parentElement;
    }
    return {id: e.id || e.name, border: getComputedStyle(e).borderTopColor, background: bg};
  })"""


def _settle(page) -> None:
    page.wait_for_timeout(400)
    page.wait_for_function(SETTLE)


def _rgb(css: str) -> tuple[float, float, float, float]:
    parts = [float(p) for p in re.findall(r"[\d.]+", css)]
    return (*parts[:3], parts[3] if len(parts) > 3 else 1.0)


def _over(colour: tuple[float, float, float, float], background: tuple[float, float, float, float]) -> tuple[float, ...]:
    alpha = colour[3]
    return tuple(alpha * c + (1 - alpha) * b for c, b in zip(colour[:3], background[:3], strict=True))


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of a (possibly translucent) colour drawn over an opaque background."""
    back = _rgb(background)
    lighter, darker = sorted((_luminance(_over(_rgb(foreground), back)), _luminance(back[:3])), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_contrast_ratio_matches_wcag_examples():
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert round(contrast("rgb(118, 118, 118)", "rgb(255, 255, 255)"), 2) == 4.54


# --- Item 12: contrast of unchecked radios and checkboxes ------------------------------------------


@pytest.mark.parametrize("theme", ["dark", "light"])
@pytest.mark.parametrize("path", ["/", "/learn/cases/anaemic-retiree"])
def test_unchecked_control_borders_reach_three_to_one(page, live_server, theme, path):
    page.context.add_cookies([{"name": "theme", "value": theme, "url": live_server.url}])
    page.goto(live_server.url + path)
    page.evaluate("() => document.documentElement.classList.remove('js')")  # every step shown
    controls = page.evaluate(CONTROL_COLOURS)
    low = {c["id"]: round(contrast(c["border"], c["background"]), 2) for c in controls}
    assert len(controls) >= 4
    assert {key: ratio for key, ratio in low.items() if ratio < 3} == {}


# --- Item 12: "Copy impression" right under the headline -------------------------------------------


def test_copy_impression_sits_under_the_headline(page, live_server):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(live_server.url)
    page.locator("#step-mri .step-next").click()
    page.locator("#id_hemoglobin").press_sequentially("13.5")
    button = page.get_by_role("button", name="Copy impression")
    expect(button).to_be_visible()
    headline = page.locator("[data-disposition]").bounding_box()
    assert button.bounding_box()["y"] - (headline["y"] + headline["height"]) <= 16  # 60 px before issue 22


# --- Item 12: Alt-key hints only where they work; "Check the unit" says how -------------------------


def test_alt_key_hints_hidden_without_javascript(page_without_js, live_server):
    page = page_without_js
    page.goto(live_server.url)
    expect(page.locator("#shortcut-help")).to_be_visible()
    assert "Alt" not in page.locator("#shortcut-help").inner_text()
    assert "Alt" not in page.locator("footer").inner_text()
    page.locator("#id_hemoglobin").press_sequentially("112")
    page.locator("#step-context button[type=submit]").click()
    hint = page.locator("[data-unit-hint=hemoglobin]")
    expect(hint).to_be_visible()
    assert hint.inner_text() == "The unit is in the menu beside the value."  # what is shown


def test_alt_key_hints_shown_with_javascript_and_named_at_check_the_unit(page, live_server):
    page.goto(live_server.url)
    expect(page.locator("#shortcut-help")).to_contain_text("Alt+1")
    page.locator("#step-mri .step-next").click()
    page.locator("#id_hemoglobin").press_sequentially("112")
    expect(page.locator("#feedback-hemoglobin")).to_contain_text("Check the unit.")
    expect(page.locator("[data-unit-hint=hemoglobin]")).to_have_text(
        "The unit is in the menu beside the value (Alt+↓ in the field changes it).")
    page.locator("#id_hemoglobin").press("Alt+ArrowDown")  # and it does what it says
    expect(page.locator("#id_hemoglobin_unit")).to_have_value("g/L")


# --- Item 12: a superseded panel request logs nothing ------------------------------------------------


def test_superseded_panel_requests_log_no_console_errors(page, live_server, monkeypatch):
    from workup import views

    answer = views._screen_result

    def slow_answer(form):  # the live server runs in this process: every panel takes 250 ms
        time.sleep(0.25)
        return answer(form)

    monkeypatch.setattr(views, "_screen_result", slow_answer)
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.goto(live_server.url)
    page.locator("#step-mri .step-next").click()
    for key in "10.9":  # each key after the 60 ms debounce: each request overtakes one in flight
        page.locator("#id_hemoglobin").press(key)
        page.wait_for_timeout(120)
    expect(page.locator("[data-lab=hemoglobin]")).to_contain_text("10.9 g/dL")
    _settle(page)
    page.wait_for_timeout(600)
    expect(page.locator("[data-lab=hemoglobin]")).to_contain_text("10.9 g/dL")  # no older answer drawn late
    assert errors == []


# --- Item 8: the printed workup ---------------------------------------------------------------------


def test_print_shows_the_options_and_whole_status_words(page, live_server):
    page.goto(live_server.url)
    enter_case(page, golden("benign-context-conflict-with-calcium"))
    _settle(page)
    page.emulate_media(media="print")
    options = page.locator("ol.options li")
    expect(options.first).to_be_visible()
    assert options.count() >= 1 and all(text.strip() for text in options.all_inner_texts())
    broken = page.evaluate("""() => [...document.querySelectorAll('.lab-table .status')]
        .filter(e => e.offsetParent !== null && e.getClientRects().length > 1).map(e => e.textContent)""")
    assert broken == []
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1  # still one page
