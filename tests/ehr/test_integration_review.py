"""Issue 20: what an independent CDS Hooks review found, each finding as a test of what the EHR reads."""

from __future__ import annotations

import dataclasses

import pytest

from tests.ehr.fhir_builders import (
    BIOPSY_ORDER,
    SERVICE_BY_HOOK,
    bundle,
    coded_observation,
    days_ago,
    hook_request,
    observation,
    prefetch_for,
)
from workup.ehr import cds, fhir
from workup.models import IssuedCard
from workup.pathway.result import UrgentFinding, Warning

pytestmark = pytest.mark.django_db

SIGN, SELECT, VIEW = SERVICE_BY_HOOK["order-sign"], SERVICE_BY_HOOK["order-select"], SERVICE_BY_HOOK["patient-view"]
ANEMIA = {"hemoglobin": {"value": 10.8, "unit": "g/dL"}}
GENERIC_BIOPSY = {"system": "http://snomed.info/sct", "code": "86273004", "display": "Biopsy"}


def cards(client, body, url=SIGN):
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["cards"]


def order(**fields) -> dict:
    return {"resourceType": "ServiceRequest", "id": "bx", "status": "draft", "intent": "order",
            "subject": {"reference": "Patient/example"}} | fields


def patient(age: int) -> dict:
    born = f"{int(days_ago(0)[:4]) - age - 1}-01-01"
    return {"resourceType": "Patient", "id": "example", "gender": "female", "birthDate": born}


# --- 1. Scope on the card ---------------------------------------------------------------------------


def test_order_card_for_a_15_year_old_is_not_given(client):
    prefetch = prefetch_for(ANEMIA) | {"patient": patient(15)}
    assert cards(client, hook_request(prefetch, hook="order-sign")) == []
    assert cards(client, hook_request(prefetch, hook="order-select"), SELECT) == []
    assert cards(client, hook_request(prefetch), VIEW) == []


def test_order_card_summary_begins_with_the_condition_and_never_says_cannot_support(client):
    for labs in (ANEMIA, {"hemoglobin": {"value": 13.5, "unit": "g/dL"}}):
        (card,) = cards(client, hook_request(prefetch_for(labs), hook="order-sign"))
        assert card["summary"].startswith("If for diffuse marrow change on lumbar MRI: ")
        assert "cannot support" not in card["summary"] + card["detail"]
        assert "defer" not in card["summary"].lower()
        assert card["indicator"] == "info"


def test_order_card_source_label_names_the_ai_source_and_the_version(client):
    (card,) = cards(client, hook_request(prefetch_for(ANEMIA), hook="order-sign"))
    assert "AI-generated article pending human review" in card["source"]["label"]
    assert card["extension"]["org.marrow-workup.assessment"]["pathway"].split()[1] in card["source"]["label"]


def test_order_card_uses_plain_words_not_codes(client):
    labs = {"hemoglobin": {"value": 13.5, "unit": "g/dL"}}
    prefetch = prefetch_for(labs) | {"spep": bundle(coded_observation("33358-3", "not_detected"))}
    (card,) = cards(client, hook_request(prefetch, hook="order-sign"))
    assert "not_detected" not in card["detail"] and "not detected" in card["detail"]


def _with(monkeypatch, **fields):
    evaluate = cds.workup_evaluate

    def patched(*, case):
        return dataclasses.replace(evaluate(case=case), **fields)

    monkeypatch.setattr(cds, "workup_evaluate", patched)


URGENT = UrgentFinding("URGENT-PLATELETS", "Platelets below 20",
                       "Urgent: platelets 15 × 10⁹/L (below 20); same-day haematology contact", ())


def test_urgent_finding_is_the_summary_and_makes_the_card_critical(client, monkeypatch):
    _with(monkeypatch, urgent=(URGENT,))
    (card,) = cards(client, hook_request(prefetch_for(ANEMIA), hook="order-sign"))
    assert card["summary"] == URGENT.text
    assert card["indicator"] == "critical"
    assert card["detail"].startswith(f"**{URGENT.text}**")
    (view,) = cards(client, hook_request(prefetch_for(ANEMIA)), VIEW)
    assert view["summary"] == URGENT.text and view["indicator"] == "critical"


def test_every_scope_guard_leads_the_card(client, monkeypatch):
    guards = (Warning("SCOPE-KNOWN-CAUSE", "Outside this pathway (cause already known); for reference only."),
              Warning("SCOPE-FOCAL", "A single focal lesion needs its own work-up."))
    _with(monkeypatch, warnings=guards)
    (card,) = cards(client, hook_request(prefetch_for(ANEMIA), hook="order-sign"))
    first_lines = card["detail"].split("\n\n")[:2]
    assert first_lines == [f"**{cds.md_escape(w.message)}**" for w in guards]


def test_engine_lead_lines_lead_the_card_in_their_order(client, monkeypatch):
    lead = (URGENT.text, "Outside this pathway: patient under 18")
    _with(monkeypatch, urgent=(URGENT,), lead=lead)
    (card,) = cards(client, hook_request(prefetch_for(ANEMIA)), VIEW)
    assert card["detail"].split("\n\n")[:2] == [f"**{cds.md_escape(line)}**" for line in lead]


def test_order_coded_for_another_reason_gets_no_card(client):
    lymphoma = {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "C83.30"}]}
    marrow = {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "R93.7"}]}
    staging = BIOPSY_ORDER | {"reasonCode": [lymphoma]}
    assert cards(client, hook_request(prefetch_for(ANEMIA), hook="order-sign", orders=(staging,))) == []
    finding = BIOPSY_ORDER | {"reasonCode": [lymphoma, marrow]}
    assert len(cards(client, hook_request(prefetch_for(ANEMIA), hook="order-sign", orders=(finding,)))) == 1


# --- 2. Which orders are bone marrow biopsies -----------------------------------------------------


def test_skin_punch_biopsy_gets_no_card(client):
    skin = order(code={"coding": [GENERIC_BIOPSY], "text": "Punch biopsy"},
                 bodySite=[{"coding": [{"system": "http://snomed.info/sct", "code": "14975008",
                                        "display": "Forearm structure"}], "text": "left forearm skin"}])
    assert cards(client, hook_request(prefetch_for(ANEMIA), hook="order-sign", orders=(skin,))) == []


@pytest.mark.parametrize("fields", [
    {"code": {"coding": [GENERIC_BIOPSY]}, "bodySite": [{"coding": [{"system": "http://snomed.info/sct",
                                                                     "code": "14016003"}]}]},
    {"code": {"coding": [GENERIC_BIOPSY], "text": "Bone marrow biopsy, posterior iliac crest"}},
    {"code": {"coding": [{"system": "http://snomed.info/sct", "code": "49401003"}]}},
])
def test_generic_biopsy_with_marrow_site_or_text_and_marrow_specific_codes_get_a_card(client, fields):
    assert len(cards(client, hook_request(prefetch_for(ANEMIA), hook="order-sign", orders=(order(**fields),)))) == 1


# --- 3. The lab's own reference range -------------------------------------------------------------


def with_range(resource: dict, low, high, ucum: str) -> dict:
    ends = {}
    if low is not None:
        ends["low"] = {"value": low, "system": fhir.UCUM_SYSTEM, "code": ucum}
    if high is not None:
        ends["high"] = {"value": high, "system": fhir.UCUM_SYSTEM, "code": ucum}
    return resource | {"referenceRange": [ends]}


def test_calcium_inside_the_labs_range_does_not_fire_against_the_default(client):
    calcium = with_range(observation("17861-6", 10.6, "mg/dL"), 8.6, 10.8, "mg/dL")
    (card,) = cards(client, hook_request({"calcium": bundle(calcium)}, hook="order-sign"))
    assert "BX-CALCIUM" not in card["extension"]["org.marrow-workup.assessment"].get("ruleIds", [])
    assert "the lab's own reference range (8.6–10.8 mg/dL)" in card["detail"]


def test_labs_own_upper_limit_below_the_default_makes_the_value_abnormal():
    reading = fhir.labs_from_observations([("e0", with_range(observation("17861-6", 10.3, "mg/dL"), 8.6, 10.1, "mg/dL"))])
    assert reading.inputs()["reference_limits"] == {"calcium_uln": {"value": 10.1, "unit": "mg/dL"}}


def test_reference_range_is_converted_with_the_same_ucum_rules():
    hb = with_range(observation("718-7", 120, "g/L"), 12, 16, "g/dl")
    reading = fhir.labs_from_observations([("e0", hb)])
    assert reading.inputs()["reference_limits"] == {"hemoglobin_lln": {"value": 120, "unit": "g/L"},
                                                    "hemoglobin_uln": {"value": 160, "unit": "g/L"}}


# --- 4. UCUM -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("loinc", "value", "ucum", "expected"), [
    ("718-7", 10.8, "g/dl", {"value": 10.8, "unit": "g/dL"}),
    ("17861-6", 10.6, "mg/dl", {"value": 10.6, "unit": "mg/dL"}),
    ("777-3", 15, "/nL", {"value": 15, "unit": "/nL"}),
    ("777-3", 15, "10*3/uL", {"value": 15, "unit": "10^3/µL"}),
    ("6690-2", 4.1, "10*9/L", {"value": 4.1, "unit": "10^9/L"}),
    ("14682-9", 80, "umol/L", {"value": 80, "unit": "µmol/L"}),
    ("14682-9", 0.08, "mmol/L", {"value": 80, "unit": "µmol/L"}),
])
def test_valid_ucum_spellings_and_scales_are_read(loinc, value, ucum, expected):
    result, reason = fhir.observation_to_result(observation(loinc, value, ucum), "e0")
    assert reason is None
    assert result.as_input() == expected


def test_lowercase_litre_keeps_the_anemia_trigger_on_the_card(client):
    prefetch = {"hemoglobin": bundle(observation("718-7", 10.8, "g/dl"))}
    (card,) = cards(client, hook_request(prefetch, hook="order-sign"))
    assert "BX-ANEMIA" in card["extension"]["org.marrow-workup.assessment"]["ruleIds"]


def test_not_ucum_case_is_refused_and_named():
    result, reason = fhir.observation_to_result(observation("718-7", 10.8, "G/DL"), "e0")
    assert result is None and "“G/DL”" in reason


# --- 5. Draft orders and the new core labs ---------------------------------------------------------


def lab_order(loinc: str) -> dict:
    return order(id=f"lab-{loinc}", code={"coding": [{"system": fhir.LOINC_SYSTEM, "code": loinc}]})


def ordered_codes(card) -> set[str]:
    return {a["resource"]["code"]["coding"][0]["code"] for s in card.get("suggestions", []) for a in s["actions"]}


def test_labs_already_drafted_are_not_suggested_again(client):
    body = hook_request(prefetch_for(ANEMIA), hook="order-sign",
                        orders=(BIOPSY_ORDER, lab_order("33358-3"), lab_order("25700-6")))
    (card,) = cards(client, body)
    assert not ordered_codes(card) & {"33358-3", "25700-6"}
    assert "Already among the draft orders" in card["detail"]


def test_suggestions_include_wbc_and_platelets(client):
    (card,) = cards(client, hook_request(prefetch_for(ANEMIA), hook="order-sign"))
    assert {"6690-2", "777-3"} <= ordered_codes(card)


def test_anc_is_read_from_the_record(client):
    (card,) = cards(client, hook_request({"anc": bundle(observation("751-8", 1.2, "10*9/L"))}, hook="order-sign"))
    assert "Neutrophils (ANC): 1.2 10^9/L (LOINC 751-8" in card["detail"]
    assert "751-8" in cds.PREFETCH["anc"]


def test_suggested_service_request_carries_requester_encounter_and_category(client):
    body = hook_request(prefetch_for(ANEMIA), hook="order-sign")
    body["context"]["encounterId"] = "enc-1"
    (card,) = cards(client, body)
    resource = card["suggestions"][0]["actions"][0]["resource"]
    assert resource["requester"] == {"reference": "Practitioner/123"}
    assert resource["encounter"] == {"reference": "Encounter/enc-1"}
    assert resource["category"][0]["coding"][0]["code"] == "108252007"


# --- 6. Paging ---------------------------------------------------------------------------------------


def test_prefetch_with_a_next_link_is_not_read_and_the_card_says_incomplete(client):
    page = bundle(observation("718-7", 12.9, "g/dL", effective=days_ago(40)))
    page["link"] = [{"relation": "next", "url": "https://ehr.example.org/fhir/Observation?page=2"}]
    (card,) = cards(client, hook_request({"hemoglobin": page}, hook="order-sign"))
    assert "Hemoglobin: 12.9" not in card["detail"]
    assert "Results may be incomplete" in card["detail"]


# --- 9. Card markdown ---------------------------------------------------------------------------------


def test_newlines_and_bare_urls_in_ehr_strings_are_neutralised():
    text = cds.md_escape("timed out\n# Click https://evil.example/x\r\n- www.evil.example")
    assert "\n" not in text and "\r" not in text
    assert "https://" not in text and "www." not in text


# --- Should fix --------------------------------------------------------------------------------------


def test_feedback_at_another_services_url_is_refused(client):
    (card,) = cards(client, hook_request(prefetch_for(ANEMIA), hook="order-sign"))
    entry = {"card": card["uuid"], "outcome": "overridden", "outcomeTimestamp": "2026-03-01T10:00:00Z"}
    wrong = client.post(SELECT + "/feedback", {"feedback": [entry]}, content_type="application/json")
    assert wrong.status_code == 400 and wrong.json()["resourceType"] == "OperationOutcome"
    right = client.post(SIGN + "/feedback", {"feedback": [entry]}, content_type="application/json")
    assert right.status_code == 200
    assert IssuedCard.objects.get().service_id == "marrow-workup-order-sign"


def test_data_absent_reason_is_shown(client):
    absent = observation("718-7", 1, "g/dL")
    del absent["valueQuantity"]
    absent["dataAbsentReason"] = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                                              "code": "error", "display": "Error"}], "text": "specimen clotted"}
    (card,) = cards(client, hook_request({"hemoglobin": bundle(absent)}, hook="order-sign"))
    assert "the lab says why: specimen clotted" in card["detail"]


def test_kappa_and_lambda_are_read_from_the_panel_components():
    panel = observation(fhir.FLC_PANEL, 0, None)
    del panel["valueQuantity"]
    panel["component"] = [
        {"code": {"coding": [{"system": fhir.LOINC_SYSTEM, "code": "36916-5"}]},
         "valueQuantity": {"value": 12, "system": fhir.UCUM_SYSTEM, "code": "mg/L"}},
        {"code": {"coding": [{"system": fhir.LOINC_SYSTEM, "code": "33944-0"}]},
         "valueQuantity": {"value": 15, "system": fhir.UCUM_SYSTEM, "code": "mg/L"}},
    ]
    selection = cds.record_selection(patient_id="example")
    reading = fhir.labs_from_observations([("e0", panel)], selection)
    assert reading.inputs() == {"flc_kappa": {"value": 12, "unit": "mg/L"}, "flc_lambda": {"value": 15, "unit": "mg/L"}}
    assert fhir.FLC_PANEL in cds.PREFETCH["flc_kappa"]


def test_kappa_and_lambda_on_two_specimens_drawn_at_one_time_are_paired():
    kappa = observation("36916-5", 12, "mg/L") | {"specimen": {"reference": "Specimen/a"}}
    lam = observation("33944-0", 15, "mg/L") | {"specimen": {"reference": "Specimen/b"}}
    reading = fhir.labs_from_observations([("k", kappa), ("l", lam)], cds.record_selection(patient_id="example"))
    assert set(reading.inputs()) == {"flc_kappa", "flc_lambda"}


def test_deceased_patient_is_noted(client):
    dead = patient(70) | {"deceasedBoolean": True}
    (card,) = cards(client, hook_request(prefetch_for(ANEMIA) | {"patient": dead}, hook="order-sign"))
    assert "The record marks this patient as deceased." in card["detail"]


def test_another_patients_id_is_never_echoed(client):
    other = patient(60) | {"id": "patient-999"}
    (card,) = cards(client, hook_request(prefetch_for(ANEMIA) | {"patient": other}, hook="order-sign"))
    assert "patient-999" not in card["detail"] and "another patient" in card["detail"]


def test_codes_that_are_not_strings_are_ignored_not_a_server_error(client):
    odd_order = order(code={"coding": [{"system": "http://snomed.info/sct", "code": ["234326005"]}]},
                      reasonCode=[{"coding": [{"system": ["x"], "code": {"c": 1}}]}])
    panel = observation(fhir.FLC_PANEL, 1, "mg/L")
    panel["code"]["coding"][0]["code"] = ["72581-2"]
    body = hook_request({"flc_kappa": bundle(panel)}, hook="order-sign", orders=(BIOPSY_ORDER, odd_order))
    assert len(cards(client, body)) == 1


def test_a_range_for_a_population_is_not_used():
    male = {"high": {"value": 10.1, "system": fhir.UCUM_SYSTEM, "code": "mg/dL"},
            "appliesTo": [{"coding": [{"system": "http://snomed.info/sct", "code": "248153007"}]}]}
    calcium = observation("17861-6", 10.3, "mg/dL") | {"referenceRange": [male]}
    assert "reference_limits" not in fhir.labs_from_observations([("e0", calcium)]).inputs()


def test_json_api_keeps_the_callers_limits_beside_a_results_range(client):
    calcium = with_range(observation("17861-6", 10.3, "mg/dL"), 8.6, 10.1, "mg/dL")
    body = {"observations": bundle(calcium), "reference_limits": {"creatinine_uln": {"value": 1.3, "unit": "mg/dL"}}}
    response = client.post("/api/v1/evaluate", body, content_type="application/json")
    assert response.status_code == 200
    body["reference_limits"] = {"calcium_uln": {"value": 10.4, "unit": "mg/dL"}}
    response = client.post("/api/v1/evaluate", body, content_type="application/json")
    assert response.status_code == 400 and "reference_limits.calcium_uln" in response.json()["errors"]
