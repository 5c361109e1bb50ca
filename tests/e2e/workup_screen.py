"""Driving the workup screen as a person does: step by step, typing values and choosing units."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.support import form_data
from workup.forms import BRAIN_KEYS, RADIO_CHOICE_KEYS
from workup.pathway.inputs import INPUTS_BY_KEY, REFERENCE_LIMIT_KEYS

STEP_ORDER = ("mri", "labs", "context")

READ_PANEL = """() => {
  const panel = document.getElementById('recommendation-panel');
  const headline = panel.querySelector('[data-disposition]');
  return {
    disposition: headline ? headline.dataset.disposition : null,
    rules: [...panel.querySelectorAll('[data-rule-id]')].map(e => e.dataset.ruleId).sort(),
  };
}"""


def step_of(key: str) -> str:
    return "labs" if key in REFERENCE_LIMIT_KEYS else INPUTS_BY_KEY[key].group


def expected_panel(case: dict[str, Any]) -> dict[str, Any]:
    return {"disposition": case["expected"]["disposition"], "rules": sorted(case["expected"]["fired"])}


def read_panel(page: Page) -> dict[str, Any]:
    return page.evaluate(READ_PANEL)


def enter_field(page: Page, key: str, data: dict[str, Any]) -> None:
    """Fill one input the way its widget is used: choose the unit, then type the number."""
    if key in REFERENCE_LIMIT_KEYS:
        details = page.locator("details.reference-limits")
        if details.get_attribute("open") is None:
            details.locator("summary").click()
    if key in BRAIN_KEYS:
        page.check("#id_brain_imaging")
    value = data[key]
    if f"{key}_unit" in data:
        page.select_option(f"#id_{key}_unit", data[f"{key}_unit"])
        page.locator(f"#id_{key}").press_sequentially(value)
        return
    kind = INPUTS_BY_KEY[key].kind if key in INPUTS_BY_KEY else "quantity"
    if key in RADIO_CHOICE_KEYS:
        page.check(f"input[name={key}][value={value}]")
    elif kind == "choice":
        page.select_option(f"#id_{key}", value)
    elif kind == "boolean":
        page.check(f"input[name={key}][value={value}]")
    elif kind == "set":
        for item in value:
            page.check(f"input[name={key}][value={item}]")
    elif kind == "date":
        page.fill(f"#id_{key}", value)
    else:
        page.locator(f"#id_{key}").press_sequentially(value)


def enter_case(page: Page, case: dict[str, Any]) -> dict[str, Any]:
    """Enter a golden case step by step with Next, then go Back and forward again; returns the post data."""
    data = form_data(case["input"])
    keys = [key for key in data if not key.endswith("_unit") and key != "brain_imaging"]  # ticked per brain field
    for index, step in enumerate(STEP_ORDER):
        for key in (k for k in keys if step_of(k) == step):
            enter_field(page, key, data)
        if index < len(STEP_ORDER) - 1:
            page.locator(f"#step-{step} .step-next").click()
    page.locator("#step-context .step-back").click()
    page.locator("#step-labs .step-back").click()
    page.locator(".step-link[data-step-target=context]").click()
    return data
