"""Learning-mode pages through the test client: status, content and the strict CSP."""

import json
import re

import pytest

from workup.learning.vignettes import vignettes
from workup.pathway.evidence import CITATIONS
from workup.pathway.rules import RULES

RULE_IDS = [r.id for r in RULES]


def test_map_page_plain_renders_every_rule(client):
    response = client.get("/learn/map")
    assert response.status_code == 200
    body = response.content.decode()
    assert all(f'data-rule-id="{rule_id}"' in body for rule_id in RULE_IDS)
    assert "Text version of the map" in body


def test_map_page_golden_case_lights_its_path(client):
    body = client.get("/learn/map", {"case": "hb-11-9-gdl-anemia"}).content.decode()
    assert re.search(r'class="node node-trigger fired"[^>]*data-rule-id="BX-ANEMIA"', body)
    assert "Disposition reached: <strong>PROCEED_TO_BIOPSY</strong>" in body


def test_map_page_unknown_case_is_404(client):
    assert client.get("/learn/map", {"case": "no-such-case"}).status_code == 404


def test_map_post_api_json_lights_its_path(client):
    body = {"hemoglobin": {"value": 10.5, "unit": "g/dL"}, "limited_life_expectancy": True}
    response = client.post("/learn/map", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'class="node node-deferral fired"[^>]*data-rule-id="DF-LIFE-EXPECTANCY"', html)


def test_map_post_htmx_returns_only_the_panel(client):
    response = client.post("/learn/map", data="{}", content_type="application/json", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="map-panel"')
    assert "<h1>" not in html


def test_map_post_invalid_json_is_400_with_message(client):
    response = client.post("/learn/map", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "not valid JSON" in response.content.decode()


def test_map_post_invalid_case_names_the_field(client):
    body = {"hemoglobin": {"value": 112, "unit": "g/dL"}}
    response = client.post("/learn/map", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert "hemoglobin" in response.content.decode()


def test_rule_index_links_every_rule(client):
    body = client.get("/learn/rules").content.decode()
    assert all(f'href="/learn/rules/{rule_id}"' in body for rule_id in RULE_IDS)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_rule_page_shows_its_citations(client, rule_id):
    response = client.get(f"/learn/rules/{rule_id}")
    assert response.status_code == 200
    body = response.content.decode()
    rule = next(r for r in RULES if r.id == rule_id)
    for citation_id in rule.citations:
        citation = CITATIONS[citation_id]
        assert citation.text.split(".")[0] in body
        if citation.doi:
            assert f'href="https://doi.org/{citation.doi}"' in body
        if citation.pmid:
            assert f'href="https://pubmed.ncbi.nlm.nih.gov/{citation.pmid}/"' in body


def test_rule_page_unknown_id_is_404(client):
    assert client.get("/learn/rules/BX-NOPE").status_code == 404


def test_rule_page_lists_golden_cases_that_exercise_it(client):
    body = client.get("/learn/rules/BX-FLC").content.decode()
    assert "flc-ratio-entered-0-124-trigger" in body
    assert "flc-ratio-entered-0-125-no-trigger" not in body


def test_rule_page_shows_thresholds_with_source(client):
    body = client.get("/learn/rules/BX-ANEMIA").content.decode()
    assert "HB_TRIGGER" in body
    assert "12.0 g/dL" in body


def test_rule_page_shows_evidence_note_and_source_claim(client):
    body = client.get("/learn/rules/BX-FLC").content.decode()
    assert "EN-FLC" in body
    assert "What the source pathway claimed" in body


def test_tests_page_shows_default_pretests_and_every_criterion(client):
    body = client.get("/learn/tests").content.decode()
    for rule_id in ("MRI-T1-WM", "MRI-T1-GM", "MRI-T1-DISC", "MRI-T1-MUSCLE"):
        assert f'id="tc-{rule_id}"' in body
    for shown in ("7.0%", "10.0%", "42.0%", "47.0%"):
        assert f"<td>{shown}</td>" in body


def test_tests_page_adds_the_user_pretest(client):
    body = client.get("/learn/tests", {"pretest": "25"}).content.decode()
    assert "<td>25.0%</td>" in body


def test_tests_page_rejects_out_of_range_pretest_with_message(client):
    response = client.get("/learn/tests", {"pretest": "250"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()


def test_tests_page_marks_derived_figures_and_caveats(client):
    body = client.get("/learn/tests").content.decode()
    assert body.count('class="badge-derived"') == 2
    assert "clivus" in body.lower()
    assert "lumbar" in body.lower()


CASE_URL = "/learn/cases/anaemic-retiree"


def test_case_page_hides_the_answer_before_prediction(client):
    body = client.get(CASE_URL).content.decode()
    assert 'id="prediction-form"' in body
    assert "Teaching points" not in body
    assert "PF-ANEMIA-DELAY: Do not delay" in body  # offered as a choice, not revealed


def test_case_prediction_without_disposition_asks_again(client):
    response = client.post(CASE_URL, {"key_rules": ["BX-ANEMIA"]})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choose a disposition" in body
    assert "Teaching points" not in body


def test_case_prediction_reveals_answer_and_scores(client):
    response = client.post(CASE_URL, {"disposition": "PROCEED_TO_BIOPSY", "key_rules": ["BX-ANEMIA"]})
    body = response.content.decode()
    assert "Teaching points" in body
    assert "✓ right" in body and "missed: PF-ANEMIA-DELAY" in body
    assert re.search(r'class="node node-trigger fired"[^>]*data-rule-id="BX-ANEMIA"', body)
    assert "<strong>1 of 2</strong>" in body


def test_case_score_runs_across_cases(client):
    client.post(CASE_URL, {"disposition": "PROCEED_TO_BIOPSY", "key_rules": ["BX-ANEMIA", "PF-ANEMIA-DELAY"]})
    client.post("/learn/cases/half-a-panel", {"disposition": "COMPLETE_WORKUP"})
    body = client.get("/learn/cases").content.decode()
    assert "<strong>4 of 4</strong>" in body
    assert f"2 of {len(vignettes())} cases attempted" in body


def test_case_score_cookie_is_signed_and_tamper_proof(client):
    client.post(CASE_URL, {"disposition": "PROCEED_TO_BIOPSY"})
    client.cookies["learn_score"] = '{"anaemic-retiree": [true, true]}'
    body = client.get("/learn/cases").content.decode()
    assert "<strong>0 of 0</strong>" in body


def test_case_reset_clears_the_score(client):
    client.post(CASE_URL, {"disposition": "PROCEED_TO_BIOPSY"})
    response = client.post("/learn/cases/reset")
    assert response.status_code == 302
    assert "<strong>0 of 0</strong>" in client.get("/learn/cases").content.decode()


def test_case_unknown_is_404(client):
    assert client.get("/learn/cases/no-such-case").status_code == 404
