"""Issue 12, safe selection of EHR results: which results from a record a CDS card may combine.

Each test sends a prefetch as an EHR would and reads what the card (and the draft it links to) used.
"""

from __future__ import annotations

import pytest

from tests.ehr.fhir_builders import bundle, coded_observation, days_ago, hook_request, observation
from workup.ehr import fhir
from workup.saved import drafts

pytestmark = pytest.mark.django_db

SERVICE = "/cds-services/marrow-workup-order-sign"


def answer(client, prefetch: dict) -> dict:
    """The card for a bone marrow biopsy order (order-sign always answers with one card)."""
    response = client.post(SERVICE, hook_request(prefetch, hook="order-sign"), content_type="application/json")
    assert response.status_code == 200
    (card,) = response.json()["cards"]
    return card


def used(card: dict) -> dict:
    """The inputs the card's draft holds: what the pathway was given."""
    links = card.get("links", [])
    return drafts.draft_load(token=links[0]["url"].split("draft=")[1]) if links else {}


def kappa(value, unit="mg/L", **kw):
    return observation("36916-5", value, unit, **kw)


def lambda_(value, unit="mg/L", **kw):
    return observation("33944-0", value, unit, **kw)


# --- Look-back window ----------------------------------------------------------------------------------


def test_result_older_than_the_window_is_ignored_and_named(client):
    card = answer(client, {"hemoglobin": bundle(observation("718-7", 9.0, "g/dL", effective=days_ago(91)))})
    assert "hemoglobin" not in used(card)
    assert "Only results older than the look-back window" in card["detail"]
    assert "Hemoglobin" in card["detail"].split("Only results older")[1]
    assert "BX-ANEMIA" not in card["extension"]["org.marrow-workup.assessment"].get("ruleIds", [])


def test_result_inside_the_window_is_used(client):
    card = answer(client, {"hemoglobin": bundle(observation("718-7", 9.0, "g/dL", effective=days_ago(89)))})
    assert used(card)["hemoglobin"] == {"value": 9, "unit": "g/dL"}


def test_window_is_configurable_per_analyte(client, settings):
    settings.EHR_LOOKBACK_DAYS_BY_ANALYTE = {"hemoglobin": 400}
    card = answer(client, {"hemoglobin": bundle(observation("718-7", 9.0, "g/dL", effective=days_ago(300)))})
    assert used(card)["hemoglobin"] == {"value": 9, "unit": "g/dL"}


def test_undated_and_future_results_are_not_used(client):
    undated = observation("718-7", 9.0, "g/dL")
    del undated["effectiveDateTime"]
    future = observation("718-7", 9.5, "g/dL", effective=days_ago(-10))
    card = answer(client, {"hemoglobin": bundle(undated, future)})
    assert "hemoglobin" not in used(card)
    assert "Undated" in card["detail"] and "after the evaluation" in card["detail"]


# --- Results that are combined must belong together ---------------------------------------------------


def test_kappa_and_lambda_years_apart_are_never_combined(client, settings):
    settings.EHR_LOOKBACK_DAYS = 5000
    card = answer(client, {"flc_kappa": bundle(kappa(300, effective=days_ago(5))),
                           "flc_lambda": bundle(lambda_(5, effective=days_ago(1500)))})
    assert "flc_kappa" not in used(card) and "flc_lambda" not in used(card)
    assert "not from the same collection" in card["detail"]
    assert "BX-FLC" not in card["extension"]["org.marrow-workup.assessment"].get("ruleIds", [])


def test_kappa_and_lambda_of_one_collection_are_paired_over_a_newer_unpaired_one(client):
    card = answer(client, {
        "flc_kappa": bundle(kappa(300, effective=days_ago(1)), kappa(310, effective=days_ago(10))),
        "flc_lambda": bundle(lambda_(5, effective=days_ago(10))),
    })
    assert used(card)["flc_kappa"] == {"value": 310, "unit": "mg/L"}
    assert used(card)["flc_lambda"] == {"value": 5, "unit": "mg/L"}


def test_same_specimen_pairs_kappa_and_lambda_days_apart(client):
    first, second = kappa(30, effective=days_ago(6)), lambda_(10, effective=days_ago(3))
    first["specimen"] = second["specimen"] = {"reference": "Specimen/s1"}
    card = answer(client, {"flc_kappa": bundle(first), "flc_lambda": bundle(second)})
    assert set(used(card)) >= {"flc_kappa", "flc_lambda"}


def test_kappa_and_lambda_in_different_units_are_converted_not_dropped(client):
    card = answer(client, {"flc_kappa": bundle(kappa(30, "mg/L")), "flc_lambda": bundle(lambda_(1, "mg/dL"))})
    assert used(card)["flc_lambda"] == {"value": 1, "unit": "mg/dL"}  # read as reported; the engine converts
    assert "FLC κ/λ ratio 3" in card["detail"]  # 30 mg/L ÷ (1 mg/dL = 10 mg/L)


def test_calcium_without_a_same_day_albumin_is_uncorrected_and_says_so(client):
    card = answer(client, {"calcium": bundle(observation("2000-8", 2.6, "mmol/L", effective=days_ago(2))),
                           "albumin": bundle(observation("1751-7", 30, "g/L", effective=days_ago(9)))})
    assert "albumin" not in used(card) and "calcium" in used(card)
    assert "calcium is used uncorrected" in card["detail"]


def test_calcium_with_a_same_day_albumin_uses_it(client):
    card = answer(client, {
        "calcium": bundle(observation("2000-8", 2.6, "mmol/L", effective=days_ago(2) + "T08:00:00Z")),
        "albumin": bundle(observation("1751-7", 30, "g/L", effective=days_ago(1)),
                          observation("1751-7", 31, "g/L", effective=days_ago(2) + "T09:00:00Z")),
    })
    assert used(card)["albumin"] == {"value": 31, "unit": "g/L"}


# --- Subject, status and ties ---------------------------------------------------------------------------


def test_observation_about_another_patient_is_ignored_and_reported(client):
    other = observation("718-7", 8.0, "g/dL")
    other["subject"] = {"reference": "Patient/someone-else"}
    card = answer(client, {"hemoglobin": bundle(other)})
    assert "hemoglobin" not in used(card)
    assert "About another patient" in card["detail"]
    assert "someone-else" not in card["detail"]


def test_corrected_result_with_a_later_issued_wins_a_tie(client):
    original = observation("718-7", 8.0, "g/dL", effective=days_ago(2)) | {"issued": days_ago(2) + "T10:00:00Z"}
    corrected = observation("718-7", 12.8, "g/dL", effective=days_ago(2), status="corrected") | {
        "issued": days_ago(1) + "T10:00:00Z"}
    for order in ((original, corrected), (corrected, original)):
        assert used(answer(client, {"hemoglobin": bundle(*order)}))["hemoglobin"]["value"] == 12.8


def test_prefetch_templates_filter_usable_statuses(client):
    for service in client.get("/cds-services").json()["services"]:
        assert all("&status=amended,corrected,final&" in template
                   for key, template in service["prefetch"].items() if key != "patient")


# --- Demographics ------------------------------------------------------------------------------------------


def patient(**fields):
    return {"resourceType": "Patient", "id": "example"} | fields


def test_age_and_sex_come_from_the_patient_prefetch(client):
    born = days_ago(365 * 60 + 20)
    card = answer(client, {"hemoglobin": bundle(observation("718-7", 12.5, "g/dL")),
                           "patient": patient(birthDate=born, gender="female")})
    assert used(card)["age"] == 59 or used(card)["age"] == 60
    assert used(card)["sex"] == "female"
    assert "Sex female" in card["detail"]


def test_sex_specific_limit_applies_from_the_patient(client):
    labs = {"creatinine": bundle(observation("2160-0", 1.2, "mg/dL"))}  # above 1.1 (women), below 1.3 (men)
    male = answer(client, labs | {"patient": patient(gender="male")})
    female = answer(client, labs | {"patient": patient(gender="female")})
    def rules(card):
        return card["extension"]["org.marrow-workup.assessment"].get("ruleIds", [])
    assert "BX-RENAL" in rules(female)
    assert "BX-RENAL" not in rules(male)


def test_partial_birth_date_or_other_patient_sets_no_age(client):
    card = answer(client, {"hemoglobin": bundle(observation("718-7", 12.5, "g/dL")),
                           "patient": patient(birthDate="1960")})
    assert "age" not in used(card) and "age not set" in card["detail"]
    card = answer(client, {"hemoglobin": bundle(observation("718-7", 12.5, "g/dL")),
                           "patient": patient(id="another", birthDate="1960-01-01", gender="male")})
    assert "age" not in used(card) and "sex" not in used(card)


def test_an_implausible_age_from_the_birth_date_is_set_aside_in_the_card(client):
    # A sentence field named "key" once collided with card_say's own argument: the call answered 500.
    card = answer(client, {"hemoglobin": bundle(observation("718-7", 12.5, "g/dL")),
                           "patient": patient(birthDate=days_ago(365 * 131))})
    assert "age" not in used(card)
    assert "- age: Age 130 is outside 0–120 years." in card["detail"]


def test_exact_age_on_the_evaluation_date():
    import datetime as dt
    selection = fhir.Selection(patient_id="p", evaluated_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    before, _ = fhir.demographics_from_patient({"resourceType": "Patient", "id": "p", "birthDate": "1960-03-02"},
                                               selection)
    on, _ = fhir.demographics_from_patient({"resourceType": "Patient", "id": "p", "birthDate": "1960-03-01"},
                                           selection)
    assert (before["age"], on["age"]) == (65, 66)


# --- Coded SPEP / IFE / urine, and the added common codes --------------------------------------------------


@pytest.mark.parametrize(("key", "loinc"), [("spep", "33358-3"), ("ife", "25700-6"), ("urine_mprotein", "13440-3")])
@pytest.mark.parametrize("result", ["detected", "not_detected"])
def test_coded_qualitative_results_fill_their_input(client, key, loinc, result):
    card = answer(client, {key: bundle(coded_observation(loinc, result))})
    assert used(card)[key] == result


def test_narrative_immunofixation_stays_unknown_and_the_card_says_so(client):
    narrative = observation("49275-1", 0, None)
    del narrative["valueQuantity"]
    narrative["valueString"] = "Faint IgG kappa band"
    card = answer(client, {"ife": bundle(narrative)})
    assert "ife" not in used(card)
    assert "narrative report" in card["detail"] and "not interpreted" in card["detail"]


def test_quantified_m_spike_counts_as_detected(client):
    card = answer(client, {"spep": bundle(observation("33358-3", 0.8, "g/dL"))})
    assert used(card)["spep"] == "detected"


@pytest.mark.parametrize(("key", "loinc", "value", "ucum"), [
    ("wbc", "26464-8", 6.1, "10*9/L"), ("platelets", "26515-7", 210, "10*9/L"), ("platelets", "778-1", 210, "10*9/L"),
    ("albumin", "61151-7", 38, "g/L"), ("albumin", "61152-5", 38, "g/L"), ("albumin", "2862-1", 38, "g/L"),
    ("egfr", "48642-3", 70, "mL/min/{1.73_m2}"), ("egfr", "88294-4", 70, "mL/min/{1.73_m2}"),
])
def test_added_common_codes_are_read(client, key, loinc, value, ucum):
    assert key in used(answer(client, {key: bundle(observation(loinc, value, ucum))}))


# --- Messages from the EHR ----------------------------------------------------------------------------------


def test_operation_outcome_in_a_prefetch_slot_is_reported(client):
    outcome = {"resourceType": "OperationOutcome",
               "issue": [{"severity": "error", "code": "timeout", "diagnostics": "Lab system did not answer"}]}
    card = answer(client, {"hemoglobin": outcome, "calcium": None})
    assert "Messages from the EHR" in card["detail"]
    assert "Lab system did not answer" in card["detail"]


def test_search_outcome_entry_is_reported_and_include_entries_are_not_errors(client):
    search = bundle(observation("718-7", 12.5, "g/dL"))
    search["entry"].append({"resource": {"resourceType": "OperationOutcome", "issue": [
        {"severity": "warning", "code": "incomplete", "details": {"text": "Results before 2020 are archived"}}]},
        "search": {"mode": "outcome"}})
    search["entry"].append({"resource": patient(), "search": {"mode": "include"}})
    card = answer(client, {"hemoglobin": search})
    assert "Results before 2020 are archived" in card["detail"]
    assert "Not an Observation" not in card["detail"]
    assert used(card)["hemoglobin"] == {"value": 12.5, "unit": "g/dL"}


def test_hook_without_patient_id_is_a_400_operation_outcome(client):
    body = hook_request({"hemoglobin": None}, hook="order-sign")
    del body["context"]["patientId"]
    response = client.post(SERVICE, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"
