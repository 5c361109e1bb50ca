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
    assert "Disposition reached: <strong>Proceed to bone marrow biopsy</strong>" in body


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


def test_tests_page_shows_every_criterion_and_no_pretest_form(client):
    body = client.get("/learn/tests").content.decode()
    for rule_id in ("MRI-T1-WM", "MRI-T1-GM", "MRI-T1-DISC", "MRI-T1-MUSCLE"):
        assert f'id="tc-{rule_id}"' in body
    assert 'name="pretest"' not in body and "Sign present" not in body and "<svg" not in body


def test_tests_page_ignores_a_pretest_in_the_query(client):
    body = client.get("/learn/tests", {"pretest": "25"}).content.decode()
    assert "25.0%" not in body and body.count("Post-test probability</th>") == 4


def test_tests_page_shows_counts_with_intervals_and_no_zero_cell_ratio(client):
    body = client.get("/learn/tests").content.decode()
    disc = body[body.index('id="tc-MRI-T1-DISC"') : body.index('id="tc-MRI-T1-MUSCLE"')]
    assert "40/41 = 97.6% (95% Wilson interval" in disc
    assert "40/40 = 100.0% (95% Wilson interval 91.2–100.0%)" in disc
    assert "Not estimable: a zero cell" in disc
    assert "LR− (sign absent)" not in disc and "Sign absent" not in disc


def test_tests_page_labels_unconfirmed_figures_and_gives_them_no_post_test_probability(client):
    body = client.get("/learn/tests").content.decode()
    for rule_id in ("MRI-T1-WM", "MRI-T1-GM"):
        section = body[body.index(f'id="tc-{rule_id}"') :]
        section = section[: section.index("</section>")]
        assert '<span class="badge-unconfirmed">UNCONFIRMED</span>' in section
        assert "Not estimable: a two-group design" in section
        assert '<td class="not-estimable">Not estimable: it needs a likelihood ratio' in section


def test_tests_page_offers_no_pretest_figure_from_another_outcome(client):
    body = client.get("/learn/tests").content.decode()
    assert "No pre-test probability is offered." in body
    assert "default pre-test" not in body.lower() and "Defaults:" not in body


def test_tests_page_wording_of_the_zero_cell_and_the_positive_predictive_value(client):
    body = client.get("/learn/tests").content.decode()
    assert "no 40 lesions can give" in body and "no 41 lesions" not in body
    assert "Positive predictive value: infiltrative among foci iso- or hypointense" in body
    assert "darker" not in body.lower()


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


# --- Issue 13/14/15: CSRF on the map, words instead of ids, teaching dates, scoring line --------------


def test_map_post_without_csrf_token_is_refused():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/learn/map", data="{}", content_type="application/json")
    assert response.status_code == 403


def test_map_post_with_the_csrf_header_the_pages_send_is_accepted():
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/learn/map").content.decode()
    token = re.search(r"data-hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page).group(1)
    response = browser.post("/learn/map", data="{}", content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200


def test_map_case_picker_names_cases_in_words_grouped_by_result(client):
    body = client.get("/learn/map").content.decode()
    picker = body[body.index('<select id="map-case"') : body.index("</select>")]
    assert '<optgroup label="Proceed to bone marrow biopsy">' in picker
    assert 'value="hb-11-9-gdl-anemia"' in picker
    assert ">hb-11-9-gdl-anemia<" not in picker
    assert "Hb 11.9 g/dL is below the 12.0 trigger" in picker


def _reveal(client, vignette_id, disposition, rules=()):
    return client.post(f"/learn/cases/{vignette_id}", {"disposition": disposition, "key_rules": list(rules)})


def test_worked_case_feedback_uses_words_not_disposition_codes(client):
    body = _reveal(client, "anaemic-retiree", "DEFERRAL_REASONABLE").content.decode()
    feedback = body[body.index('id="feedback"') : body.index("</section>", body.index('id="feedback"'))]
    assert "<td>Deferring biopsy is reasonable</td><td>Proceed to bone marrow biopsy</td>" in feedback
    assert "PROCEED_TO_BIOPSY" not in feedback and "DEFERRAL_REASONABLE" not in feedback


def test_worked_case_scoring_line_leaves_out_empty_parts(client):
    body = _reveal(client, "anaemic-retiree", "PROCEED_TO_BIOPSY", ["BX-ANEMIA"]).content.decode()
    assert "missed: PF-ANEMIA-DELAY" in body
    assert "not expected" not in body and ": none" not in body


def test_worked_case_follow_up_is_due_from_today(client):
    import datetime as dt

    from dateutil.relativedelta import relativedelta

    from workup.pathway import thresholds

    body = _reveal(client, "smoker-normal-panel", "DEFERRAL_REASONABLE").content.decode()
    due = dt.date.today() + relativedelta(months=thresholds.FOLLOW_UP_INTERVAL_MONTHS)
    assert due.isoformat() in body
    assert "2026-05-02" not in body


# --- Issue 10: rule pages list every condition, and answer every source claim they repeat ------------


def _leaves(cond, seen=frozenset()):
    """Every leaf condition a rule can apply through, following the rules it depends on."""
    from workup.learning.pathway_map import condition_parts
    from workup.pathway.rules import RULES_BY_ID

    parts = tuple(condition_parts(cond))
    rule_id = getattr(cond, "rule_id", None)
    if parts:
        for part in parts:
            yield from _leaves(part, seen)
    elif rule_id in RULES_BY_ID and rule_id not in seen:
        yield from _leaves(RULES_BY_ID[rule_id].condition, seen | {rule_id})
    elif (
        rule_id is None
        and getattr(cond, "prefix", None) is None
        and getattr(cond, "disposition", None) is None
    ):
        yield cond


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_rule_page_lists_every_condition_it_applies_under(client, rule):
    from html import escape

    body = client.get(f"/learn/rules/{rule.id}").content.decode()
    listed = body[
        body.index('<ul class="applies-when"') : body.index("The condition as the engine writes it")
    ]
    from workup.learning.library import _leaf_words

    assert all(escape(_leaf_words(leaf)) in listed for leaf in _leaves(rule.condition, frozenset({rule.id})))


def test_imaging_rule_page_follows_the_rules_it_depends_on(client):
    body = client.get("/learn/rules/IM-PET-CT").content.decode()
    listed = body[
        body.index('<ul class="applies-when"') : body.index("The condition as the engine writes it")
    ]
    assert "BX-AGE-WEIGHT-LOSS (Over 50 with unexplained weight loss) fired, which needs:" in listed
    assert "Unexplained weight loss: yes" in listed and "Suspected malignancy: yes" in listed


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_rule_page_never_repeats_a_source_claim_without_its_answer(client, rule):
    from html import escape

    from workup.learning.library import CLAIM_ANSWERS
    from workup.pathway.evidence import EVIDENCE_NOTES

    body = client.get(f"/learn/rules/{rule.id}").content.decode()
    for phrase, note_id in CLAIM_ANSWERS:
        if phrase.lower() in body.lower():
            assert escape(EVIDENCE_NOTES[note_id].text) in body, (phrase, note_id)


def test_normal_labs_page_answers_the_yield_claim(client):
    from html import escape

    from workup.pathway.evidence import EVIDENCE_NOTES

    body = client.get("/learn/rules/DF-NORMAL-LABS").content.decode()
    assert "42–47%" in body and escape(EVIDENCE_NOTES["EN-YIELD"].text) in body


@pytest.mark.parametrize(
    ("body", "field"),
    [('{"flc_ratio": 1e-999999}', "flc_ratio"), ('{"age": 60, "age": 40}', "age")],
)
def test_learn_map_refuses_an_absurd_number_or_a_repeated_key_naming_the_field(client, body, field):
    response = client.post("/learn/map", body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.content.decode()
    assert len(response.content) < 200_000  # the refused value is not echoed at length


# --- Rule pages (SPEC 1.2): golden and worked cases of a criterion; conditions with their figures -------


def _outside_details(body: str) -> str:
    start = body.index("<details><summary>The condition as the engine writes it")
    return body[:start] + body[body.index("</details>", start) :]


def test_criterion_page_lists_the_golden_cases_that_meet_it(client):
    from workup.learning.golden import cases_meeting

    body = client.get("/learn/rules/CRIT-IMWG-ANEMIA").content.decode()
    met = cases_meeting("CRIT-IMWG-ANEMIA")
    assert met and all(f"?case={case['name']}" in body for case in met)
    assert f"Golden test cases that meet it ({len(met)})" in body
    assert "entry check" not in body


def test_criterion_page_links_its_worked_cases(client):
    body = client.get("/learn/rules/CRIT-IMWG-ANEMIA").content.decode()
    assert 'href="/learn/cases/anaemic-retiree"' in body and "(expected met)" in body
    assert 'href="/learn/cases/woman-hb-11-5"' in body and "(expected not met)" in body


def test_criterion_never_met_says_so_without_calling_it_an_entry_check(client):
    body = client.get("/learn/rules/CRIT-SLIM-BMPC").content.decode()
    assert "No golden case meets it;" in body and "entry check" not in body


def test_rule_page_shows_the_trigger_with_its_figures_not_code(client):
    body = _outside_details(client.get("/learn/rules/BX-FLC").content.decode())
    assert "FLC κ/λ ratio &gt; 8" in body and "FLC κ/λ ratio &lt; 0.125" in body
    assert "flc_trigger_high" not in body and "flc_ratio" not in body


def test_rule_page_gives_sex_specific_limits_and_the_si_figure(client):
    body = _outside_details(client.get("/learn/rules/DF-NORMAL-LABS").content.decode())
    assert ("Hemoglobin ≥ 13.0 g/dL for men, sex not recorded or unspecified; 12.0 g/dL for women; 11.0 g/dL "
            "for pregnant women") in body
    assert "Calcium (total) ≤ 10.4 mg/dL (2.60 mmol/L)" in body
    assert "hb_normal_min" not in body and "calcium_uln" not in body


def test_rule_page_label_condition_in_words(client):
    body = _outside_details(client.get("/learn/rules/BX-CALCIUM").content.decode())
    assert "11.4 mg/dL (2.85 mmol/L) (the upper limit + 1.0 mg/dL)" in body
    assert "calcium_crab" not in body
