"""The workup screen in the system Chromium: with and without JavaScript, by keyboard, with axe-core."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.workup_screen import enter_case, expected_panel, read_panel
from tests.ehr.fhir_builders import LAUNCH_RECORD
from tests.golden import rule_cover_names
from tests.support import form_data, golden
from workup.ehr.smart import launch_draft_create

pytestmark = pytest.mark.e2e

# Every disposition, every unit family, reference limits, checkboxes, radios and the MRI step; then
# the golden cases that between them fire every rule (tests/golden.py `rule_cover_names`).
HAND_PICKED = [
    "baseline-completely-normal",
    "hb-119-gl-anemia",
    "creatinine-umol-98-female-above-uln",
    "calcium-mmol-albumin-gl-corrected-at-uln",
    "flc-ratio-entered-1-66-abnormal",
    "hb-lln-override-raises-normal-min",
    "mri-gm-hypo-precontrast-no-no-labs",
    "benign-context-conflict-with-calcium",
]
BROWSER_CASES = HAND_PICKED + [name for name in rule_cover_names() if name not in HAND_PICKED]
NO_JS_CASES = [
    "hb-119-gl-anemia",
    "calcium-mmol-albumin-gl-corrected-at-uln",
    "flc-ratio-entered-1-66-abnormal",
    "mri-gm-hypo-precontrast-no-no-labs",
]
SETTLE = "() => !document.querySelector('#workup-form.htmx-request')"


def wait_for_panel(page) -> None:
    """Let the debounce fire and the last htmx request land before reading the panel."""
    page.wait_for_timeout(600)
    page.wait_for_function(SETTLE)


def test_browser_dispositions_cover_all_four():
    dispositions = {golden(name)["expected"]["disposition"] for name in BROWSER_CASES}
    assert len(dispositions) == 4
    assert {golden(name)["expected"]["disposition"] for name in NO_JS_CASES} == dispositions


@pytest.mark.parametrize("name", BROWSER_CASES)
def test_browser_golden_case_entered_by_hand_shows_engine_result(page, live_server, name):
    case = golden(name)
    page.goto(live_server.url)
    data = enter_case(page, case)
    wait_for_panel(page)
    assert read_panel(page) == expected_panel(case)
    typed = {key: data[key] for key in data if f"{key}_unit" in data}
    assert {key: page.locator(f"#id_{key}").input_value() for key in typed} == typed


@pytest.mark.parametrize("name", NO_JS_CASES)
def test_browser_without_javascript_posts_and_shows_same_result(page_without_js, live_server, name):
    page, case = page_without_js, golden(name)
    page.goto(live_server.url)
    enter_case(page, case)
    page.locator("#step-context button[type=submit]").click()
    page.wait_for_load_state()
    assert read_panel(page) == expected_panel(case)
    assert page.locator("#report-referral").input_value().startswith("Hematology referral summary")


def test_browser_without_javascript_shows_field_message_and_keeps_values(page_without_js, live_server):
    page = page_without_js
    page.goto(live_server.url)
    page.locator("#id_age").press_sequentially("64")
    page.locator("#id_hemoglobin").press_sequentially("112")
    page.locator("#step-context button[type=submit]").click()
    expect(page.locator("#feedback-hemoglobin")).to_contain_text("Was it entered in g/L?")
    expect(page.locator("#id_age")).to_have_value("64")


def test_browser_invalid_value_message_appears_beside_field_live(page, live_server):
    page.goto(live_server.url)
    page.locator("#step-mri .step-next").click()
    page.locator("#id_hemoglobin").press_sequentially("112")
    expect(page.locator("#feedback-hemoglobin")).to_contain_text("Was it entered in g/L?")
    expect(page.locator("#id_hemoglobin")).to_be_focused()
    expect(page.locator("#id_hemoglobin")).to_have_attribute("aria-invalid", "true")


def test_browser_corrected_value_loses_its_message(page, live_server):
    page.goto(live_server.url)
    page.locator("#step-mri .step-next").click()
    page.locator("#id_hemoglobin").press_sequentially("112")
    expect(page.locator("#feedback-hemoglobin")).to_contain_text("Was it entered in g/L?")
    page.locator("#id_hemoglobin").fill("11.2")
    expect(page.locator("[data-disposition]")).to_be_attached()
    expect(page.locator("#feedback-hemoglobin")).to_be_empty()
    expect(page.locator("#id_hemoglobin")).not_to_have_attribute("aria-invalid", "true")


def test_browser_canonical_value_clears_when_value_is_removed(page, live_server):
    page.goto(live_server.url)
    page.locator("#step-mri .step-next").click()
    page.select_option("#id_hemoglobin_unit", "g/L")
    page.locator("#id_hemoglobin").press_sequentially("108")
    expect(page.locator("#canonical-hemoglobin")).to_have_text("= 10.8 g/dL")
    page.locator("#id_hemoglobin").fill("")
    expect(page.locator("#canonical-hemoglobin")).to_be_empty()


def test_browser_canonical_value_updates_beside_field(page, live_server):
    page.goto(live_server.url)
    page.locator("#step-mri .step-next").click()
    page.select_option("#id_hemoglobin_unit", "g/L")
    page.locator("#id_hemoglobin").press_sequentially("108")
    expect(page.locator("#canonical-hemoglobin")).to_have_text("= 10.8 g/dL")


def tab_to(page, selector: str, limit: int = 150) -> None:
    """Press Tab until the element has focus, as a keyboard user would."""
    for _ in range(limit):
        if page.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is not reachable with Tab")


def choose_with_arrows(page, value: str) -> None:
    """Move the focused select to an option with the arrow keys."""
    current, target = page.evaluate(
        "v => { const s = document.activeElement;"
        " return [s.selectedIndex, [...s.options].findIndex(o => o.value === v)]; }",
        value,
    )
    for _ in range(abs(target - current)):
        page.keyboard.press("ArrowDown" if target > current else "ArrowUp")


def choose_radio_with_arrows(page, name: str, value: str) -> None:
    """Move a focused radio group to a value with the arrow keys (each press checks the next)."""
    values = page.evaluate("n => [...document.getElementsByName(n)].map(r => r.value)", name)
    for _ in range(values.index(value)):
        page.keyboard.press("ArrowDown")


LAB_KEYS = ("hemoglobin", "wbc", "platelets", "spep", "ife", "flc_kappa", "flc_lambda", "calcium",
            "albumin", "creatinine", "beta2_microglobulin")


def test_browser_keyboard_only_run(page, live_server):
    case = golden("benign-context-multiple-normal-labs")
    data = form_data(case["input"])
    page.goto(live_server.url)
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link[href='#main']")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Alt+2")
    expect(page.locator("#step-labs-title")).to_be_focused()
    for key in LAB_KEYS:
        tab_to(page, f"input[name={key}]:checked" if key in ("spep", "ife") else f"#id_{key}")
        if key in ("spep", "ife"):
            choose_radio_with_arrows(page, key, data[key])
        else:
            page.keyboard.type(data[key])
    tab_to(page, "#step-labs .step-next")
    page.keyboard.press("Enter")
    expect(page.locator("#step-context-title")).to_be_focused()
    tab_to(page, "#id_age")
    page.keyboard.type(data["age"])
    tab_to(page, "#id_sex")
    choose_with_arrows(page, data["sex"])
    tab_to(page, "input[name=unexplained_weight_loss]")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("input[name=unexplained_weight_loss][value=no]")).to_be_checked()
    for item in data["benign_context"]:
        tab_to(page, f"input[name=benign_context][value={item}]")
        page.keyboard.press("Space")
    tab_to(page, "#id_evaluation_date")
    page.keyboard.type("03152026")
    page.keyboard.press("Tab")
    wait_for_panel(page)
    assert read_panel(page) == expected_panel(case)
    tab_to(page, "[data-rule-id=DF-BENIGN-CONTEXT] summary")
    page.keyboard.press("Enter")
    expect(page.locator("[data-basis-for=DF-BENIGN-CONTEXT]")).to_be_visible()


def serious_violations(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_browser_axe_finds_no_serious_violation(page, live_server, theme):
    page.context.add_cookies([{"name": "theme", "value": theme, "url": live_server.url}])
    page.goto(live_server.url)
    expect(page.locator("html")).to_have_attribute("data-bs-theme", theme)
    assert serious_violations(page) == []
    enter_case(page, golden("benign-context-conflict-with-calcium"))
    wait_for_panel(page)
    page.locator("#recommendation-panel details").first.locator("summary").click()
    assert serious_violations(page) == []


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_browser_launch_notice_passes_axe_and_folds_by_keyboard(page, live_server, theme):
    page.context.add_cookies([{"name": "theme", "value": theme, "url": live_server.url}])
    page.goto(f"{live_server.url}/?draft={launch_draft_create(record=LAUNCH_RECORD, patient_id='example')}")
    notice = page.get_by_role("region", name="Read from the record")
    expect(notice.locator("[data-record-section=section_not_used]")).to_be_visible()
    assert serious_violations(page) == []
    notice.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(notice.locator("[data-record-section=section_not_used]")).to_be_hidden()


def test_browser_theme_choice_is_remembered(page, live_server):
    page.goto(live_server.url)
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    page.locator("#theme-toggle").click()
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    expect(page.locator("#theme-toggle")).to_have_text("Switch to dark theme")


def test_browser_theme_is_dark_until_chosen_even_on_a_light_system(page_light_system, live_server):
    page = page_light_system
    page.goto(live_server.url)
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    page.locator("#theme-toggle").click()
    page.emulate_media(color_scheme="dark")
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "light")


def test_browser_copy_button_copies_referral_summary(page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.goto(live_server.url)
    enter_case(page, golden("hb-119-gl-anemia"))
    wait_for_panel(page)
    page.get_by_role("button", name="Copy referral summary").click()
    expect(page.locator("[data-copy-status=referral]")).to_have_text("Copied.")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == page.locator("#report-referral").input_value()
    assert "BX-ANEMIA" in copied


def test_browser_print_fits_one_page(page, live_server):
    page.goto(live_server.url)
    enter_case(page, golden("benign-context-conflict-with-calcium"))
    wait_for_panel(page)
    page.emulate_media(media="print")
    expect(page.locator("#workup-form")).to_be_hidden()
    expect(page.locator(".save-workup")).to_be_hidden()
    expect(page.locator("[data-disposition]")).to_be_visible()
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1


def test_browser_axe_all_steps_with_field_message(page, live_server):
    """axe sees only what is displayed: show all three steps (the no-JavaScript layout) and a message."""
    page.goto(live_server.url)
    page.evaluate("() => document.documentElement.classList.remove('js')")
    page.locator("#id_hemoglobin").press_sequentially("112")
    expect(page.locator("#feedback-hemoglobin")).not_to_be_empty()
    assert serious_violations(page) == []


def test_browser_si_preference_moves_empty_lab_fields_to_si_units(page, live_server):
    page.goto(live_server.url)
    page.locator("#step-mri .step-next").click()
    page.select_option("#id_calcium_unit", "mg/dL")
    page.locator("#id_calcium").press_sequentially("9.5")
    page.get_by_label("SI (g/L, mmol/L, µmol/L)").check()
    expect(page.locator("#id_hemoglobin_unit")).to_have_value("g/L")
    expect(page.locator("#id_creatinine_unit")).to_have_value("µmol/L")
    expect(page.locator("#id_calcium_unit")).to_have_value("mg/dL")
    page.reload()
    expect(page.locator("#id_albumin_unit")).to_have_value("g/L")


def test_browser_late_panel_answer_does_not_undo_si_preference(page, live_server):
    """A panel answer to a keystroke typed under the old preference can arrive after the switch to SI
    (its request left before the switch). Replay exactly that answer late: the choice must survive."""
    page.goto(live_server.url)
    page.locator("#step-mri .step-next").click()
    page.get_by_label("SI (g/L, mmol/L, µmol/L)").check()
    expect(page.locator("#id_albumin_unit")).to_have_value("g/L")
    status = page.evaluate("""async () => {
        const body = new FormData(document.getElementById("workup-form"));
        body.set("unit_system", "conventional");
        body.set("calcium", "9.5");
        const response = await fetch("/", {method: "POST", body, headers: {"HX-Request": "true"}});
        return response.status;
    }""")
    assert status == 200
    page.reload()
    expect(page.locator("#id_albumin_unit")).to_have_value("g/L")


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_browser_live_map_loads_after_panel_and_passes_axe(page, live_server, theme):
    csp_errors: list[str] = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.context.add_cookies([{"name": "theme", "value": theme, "url": live_server.url}])
    page.goto(live_server.url)
    page.locator("#step-mri .step-next").click()
    page.locator("#id_hemoglobin").press_sequentially("10.8")
    page.check("#id_show_map")
    expect(page.locator("#live-map svg [data-rule-id=BX-ANEMIA].fired")).to_be_attached()
    page.locator("#live-map details summary").click()  # the text version of the map
    expect(page.locator("#live-map .map-outline")).to_be_visible()
    assert serious_violations(page) == []
    assert csp_errors == []


def test_browser_status_line_follows_the_panel(page, live_server):
    """Screen readers hear one polite line per update: the headline, and what it leaves out."""
    page.goto(live_server.url)
    page.locator("#step-mri .step-next").click()
    page.locator("#id_hemoglobin").press_sequentially("112")
    expect(page.locator("#panel-status")).to_have_text(re.compile(r"^Recommendation without Hemoglobin: .+\.$"))
    page.locator("#id_hemoglobin").fill("10.8")
    expect(page.locator("#panel-status")).to_have_text(re.compile(r"^Recommendation: .+\.$"))
    headline = page.locator("[data-disposition]").inner_text()
    expect(page.locator("#panel-status")).to_have_text(f"Recommendation: {headline}.")
    expect(page.locator("#panel-status")).to_have_attribute("role", "status")


def test_browser_status_line_is_left_alone_when_the_headline_stays(page, live_server):
    """An update that keeps the headline must not touch the live region (no repeated announcement)."""
    page.goto(live_server.url)
    page.locator("#step-mri .step-next").click()
    page.locator("#id_hemoglobin").press_sequentially("10.8")
    expect(page.locator("#panel-status")).to_have_text(re.compile(r"^Recommendation: "))
    page.evaluate("""() => {
        window.statusMutations = 0;
        new MutationObserver(records => { window.statusMutations += records.length; })
            .observe(document.getElementById("panel-status"), {childList: true, characterData: true, subtree: true});
    }""")
    page.locator("#id_wbc").press_sequentially("6.5")  # the panel changes (WBC no longer unknown) …
    expect(page.locator("[data-unknown=wbc]")).to_have_count(0)
    assert page.evaluate("() => window.statusMutations") == 0  # … the headline does not
    page.locator("#id_hemoglobin").fill("13.5")  # now the headline changes
    expect(page.locator("[data-disposition]")).not_to_have_attribute("data-disposition", "PROCEED_TO_BIOPSY")
    headline = page.locator("[data-disposition]").inner_text()
    expect(page.locator("#panel-status")).to_have_text(f"Recommendation: {headline}.")
    assert page.evaluate("() => window.statusMutations") > 0
