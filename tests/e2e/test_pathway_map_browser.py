"""Browser: the pathway map is legible (issue 22, item 5): at 1366 px no text is drawn smaller than
12 px and none runs out of its box; on a phone the text version leads and the drawing is offered."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

MAP = "/learn/map?case=hb-11-9-gdl-anemia"
# Every text of the drawing: its size on screen (font size times the drawing's scale) and how far it
# runs past the right edge of its own box, in drawing units.
TEXT_SIZES = """() => [...document.querySelectorAll('svg.pathway-map text')].map(t => {
  const svg = t.ownerSVGElement, node = t.closest('g.node'), rect = node && node.querySelector('rect');
  const scale = svg.getScreenCTM().a, box = t.getBBox();
  const over = rect ? box.x + box.width - (rect.x.baseVal.value + rect.width.baseVal.value) : -1;
  return {text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * scale, over: over};
})"""


def _page(browser, live_server, *, width, javascript=True):
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server.url + MAP)
    return context, page


@pytest.mark.parametrize("path", [MAP, "/learn/cases/anaemic-retiree"])
def test_map_text_is_at_least_12_px_at_1366(browser, live_server, path):
    context, page = _page(browser, live_server, width=1366)
    if path != MAP:
        page.goto(live_server.url + path)
        page.get_by_label("Proceed to bone marrow biopsy").check()
        page.get_by_role("button", name="Reveal the answer").click()
    texts = page.evaluate(TEXT_SIZES)
    assert len(texts) > 100
    assert [t["text"] for t in texts if t["px"] < 12] == []  # 7.6 to 10.9 px before issue 22
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1366  # the box scrolls, not the page
    context.close()


def test_map_text_stays_inside_its_boxes(browser, live_server):
    context, page = _page(browser, live_server, width=1366)
    over = [(t["text"], round(t["over"])) for t in page.evaluate(TEXT_SIZES) if t["over"] > 0]
    assert over == [], str(over)
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_map_on_a_phone_leads_with_the_text_version(browser, live_server, javascript):
    context, page = _page(browser, live_server, width=390, javascript=javascript)
    text_version = page.locator(".map-text > summary")
    drawing = page.locator(".map-scroll")
    assert text_version.bounding_box()["y"] < drawing.bounding_box()["y"]
    expect(page.locator(".map-scroll-hint")).to_be_visible()  # the drawing says that it scrolls
    if javascript:
        expect(page.locator(".map-text .map-outline")).to_be_visible()
    else:
        text_version.click()
        expect(page.locator(".map-text .map-outline")).to_be_visible()
    context.close()
