"""The copied impression in Chromium (SPEC 1.2 §6.1): what lands on the clipboard is prose a radiologist
signs, the provenance line is not in it, and a child's impression recommends nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.workup_screen import enter_case
from tests.support import golden

pytestmark = pytest.mark.e2e

RULE_ID = re.compile(r"\b(?:BX|DF|IM|FU|PF|MRI|SCOPE|WARN|URGENT|CRIT)-[A-Z0-9-]+")
SIGNS = {"t1_vs_disc": "hyperintense", "t1_vs_muscle": "hyperintense", "pattern": "variegated"}


def _copy_impression(page, live_server, case_input):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url)
    enter_case(page, {"input": case_input})
    expect(page.locator("[data-disposition]")).to_be_visible()
    button = page.locator(".copy-actions").get_by_role("button", name="Copy impression")
    expect(button).to_be_enabled()
    button.click()
    expect(page.locator("[data-copy-status=impression]")).to_have_text("Copied.")
    return page.evaluate("() => navigator.clipboard.readText()")


def test_copied_impression_of_a_typical_case_follows_the_report_rules(page, live_server):
    case = {**golden("hb-11-9-gdl-anemia")["input"], **SIGNS}
    copied = _copy_impression(page, live_server, case)
    assert copied.startswith("Diffuse heterogeneous marrow signal on lumbar MRI, of unclear cause; T1 marrow "
                             "hyperintense to intervertebral disc and to muscle; variegated pattern.")
    assert "With hemoglobin 11.9 g/dL (below 12.0 g/dL), hematology referral for consideration of bone marrow " \
           "examination is suggested." in copied
    assert not RULE_ID.search(copied) and "sha256" not in copied and "AI-generated" not in copied
    assert copied == page.locator("#report-impression").input_value()
    expect(page.locator("[data-provenance]")).to_contain_text("Marrow workup pathway v1.2")


def test_copied_impression_of_a_child_has_no_recommendation(page, live_server):
    case = {**golden("pediatric-17")["input"], "hemoglobin": {"value": 10.5, "unit": "g/dL"}, **SIGNS}
    copied = _copy_impression(page, live_server, case)
    assert copied.startswith("Outside this pathway: patient under 18.")
    assert "suggested" not in copied and "biopsy" not in copied.lower() and "referral" not in copied.lower()
    expect(page.locator("[data-disposition]")).to_have_text("Outside this pathway: patient under 18")


def test_copy_impression_is_disabled_until_an_mri_sign_is_entered(page, live_server):
    page.goto(live_server.url)
    enter_case(page, golden("baseline-completely-normal"))
    button = page.locator(".copy-actions").get_by_role("button", name="Copy impression")
    expect(button).to_be_disabled()
    expect(page.locator("[data-copy-needs-mri]")).to_have_text("Enter the MRI signs to copy an impression.")
    page.locator(".step-link[data-step-target=mri]").click()
    page.select_option("#id_pattern", "variegated")
    expect(button).to_be_enabled()


def test_each_published_criteria_line_carries_a_visible_marker(page, live_server):
    case = {**golden("smoker-flc-10-trigger-not-explained")["input"], **SIGNS}
    page.goto(live_server.url)
    enter_case(page, {"input": case})
    lines = page.locator("[data-criteria-line] .criteria-marker")
    expect(lines.first).to_be_visible()
    markers = lines.evaluate_all("els => els.map(e => getComputedStyle(e, '::before').content)")
    assert markers and all(m not in ("none", "normal", '""') for m in markers)
