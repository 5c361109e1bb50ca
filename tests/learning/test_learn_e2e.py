"""Browser tests (system Chromium): predict and reveal a worked case; axe-core on the key pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.e2e

SEVERE = {"serious", "critical"}


def _predict_anaemic_retiree(page, site):
    page.goto(f"{site}/learn/cases")
    page.get_by_role("link", name="A tired retiree with a low hemoglobin").click()
    assert page.get_by_text("Teaching points").count() == 0
    page.get_by_label("Proceed to bone marrow biopsy").check()
    page.get_by_label("BX-ANEMIA: Hemoglobin below 12 g/dL").check()
    page.get_by_label("PF-ANEMIA-DELAY: Do not delay biopsy in anaemia").check()
    page.get_by_role("button", name="Reveal the answer").click()


def test_vignette_predict_and_reveal_with_javascript(learn_page, learn_site):
    _predict_anaemic_retiree(learn_page, learn_site)
    assert learn_page.get_by_role("heading", name="Teaching points").is_visible()
    assert learn_page.get_by_text("2 of 2 points for this case").is_visible()
    assert learn_page.locator('g.fired[data-rule-id="BX-ANEMIA"]').count() == 1
    assert learn_page.locator('g.fired[data-disposition="PROCEED_TO_BIOPSY"]').count() == 1
    learn_page.get_by_role("link", name="All cases").click()
    assert "2 of 2" in learn_page.locator("#score").inner_text()
    assert learn_page.csp_errors == []


def test_vignette_predict_and_reveal_without_javascript(learn_page_no_js, learn_site):
    _predict_anaemic_retiree(learn_page_no_js, learn_site)
    assert learn_page_no_js.get_by_role("heading", name="Teaching points").is_visible()
    assert learn_page_no_js.get_by_text("2 of 2 points for this case").is_visible()


def test_vignette_missing_disposition_shows_message(learn_page, learn_site):
    learn_page.goto(f"{learn_site}/learn/cases/half-a-panel")
    learn_page.get_by_role("button", name="Reveal the answer").click()
    assert learn_page.get_by_role("alert").inner_text().startswith("Choose a disposition")
    assert learn_page.get_by_text("Teaching points").count() == 0


def _severe_violations(page) -> list[str]:
    results = Axe().run(page)
    return [f"{v['id']}: {v['help']}" for v in results.response["violations"] if v["impact"] in SEVERE]


@pytest.mark.parametrize(
    "path",
    [
        "/learn/map?case=life-expectancy-conflict-with-anemia",
        "/learn/rules/BX-FLC",
        "/learn/cases/clivus-on-brain-mri",
        "/about",
        "/learn/tests",
    ],
)
def test_axe_no_serious_violation(learn_page, learn_site, path):
    learn_page.goto(f"{learn_site}{path}")
    assert _severe_violations(learn_page) == []
    assert learn_page.csp_errors == []


def test_axe_no_serious_violation_on_revealed_vignette(learn_page, learn_site):
    _predict_anaemic_retiree(learn_page, learn_site)
    learn_page.get_by_text("Text version of the map").click()
    assert _severe_violations(learn_page) == []
