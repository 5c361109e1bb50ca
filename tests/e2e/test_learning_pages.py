"""Browser: the learning pages as issue 22 found them (item 11): a worked case's choices and its
answer use the same words, choices and buttons are proper targets, and "Show" has room below it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

CASE = "/learn/cases/anaemic-retiree"


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def learner(request, browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, java_script_enabled=request.param)
    yield context.new_page()
    context.close()


def test_worked_case_answer_uses_the_words_of_the_choices(learner, live_server):
    page = learner
    page.goto(live_server.url + CASE)
    disposition = page.locator("input[name=disposition]").first
    disposition_words = page.locator(f"label[for={disposition.get_attribute('id')}]").inner_text()
    disposition.check()
    rule = page.locator("input[name=key_rules]").first
    rule_words = page.locator(f"label[for={rule.get_attribute('id')}]").inner_text()
    rule.check()
    page.get_by_role("button", name="Reveal the answer").click()
    said = page.locator("#feedback tbody tr")
    expect(said.nth(0).locator("td").nth(0)).to_have_text(disposition_words)
    expect(said.nth(1).locator("td").nth(0)).to_have_text(rule_words)
    tool = said.nth(0).locator("td").nth(1).inner_text()
    page.goto(live_server.url + CASE)
    choices = page.locator("#prediction-form label").all_inner_texts()
    assert tool in choices  # the tool's answer is one of the choices, word for word


def test_worked_case_choices_and_buttons_are_24_px_targets(learner, live_server):
    page = learner
    page.goto(live_server.url + CASE)
    boxes = [box.bounding_box() for box in page.locator("#prediction-form input[type=radio], #prediction-form input[type=checkbox]").all()]
    assert boxes and all(b["width"] >= 24 and b["height"] >= 24 for b in boxes)  # 13 px before issue 22
    button = page.get_by_role("button", name="Reveal the answer")
    assert button.bounding_box()["height"] >= 24
    styled = button.evaluate("b => [getComputedStyle(b).borderTopLeftRadius, getComputedStyle(b).paddingLeft]")
    assert styled[0] != "0px" and float(styled[1].removesuffix("px")) >= 8  # not the browser's bare button


def test_map_show_button_has_room_below(learner, live_server):
    page = learner
    page.goto(live_server.url + "/learn/map")
    show = page.get_by_role("button", name="Show", exact=True).bounding_box()
    heading = page.locator("#map-panel-heading").bounding_box()
    assert heading["y"] - (show["y"] + show["height"]) >= 16
