"""POST /api/v1/evaluate with coded labs: a FHIR R4 Bundle of Observations, alone or beside inputs."""

from __future__ import annotations

import pytest

from tests.ehr.fhir_builders import bundle, observation

pytestmark = pytest.mark.django_db


def evaluate(client, body):
    return client.post("/api/v1/evaluate", body, content_type="application/json")


def test_evaluate_accepts_a_bare_bundle(client):
    response = evaluate(client, bundle(observation("718-7", 11.0, "g/dL")))
    assert response.status_code == 200
    assert [t["id"] for t in response.json()["triggers"]] == ["BX-ANEMIA"]


def test_evaluate_bundle_value_is_matched_with_its_unit(client):
    response = evaluate(client, bundle(observation("2000-8", 2.8, "mmol/L")))
    (trigger,) = response.json()["triggers"]
    assert trigger["matched"][0]["entered_unit"] == "mmol/L"
    assert trigger["matched"][0]["canonical_value"] == 11.2


def test_evaluate_merges_observations_with_inputs(client):
    body = {"age": 60, "sex": "male", "observations": bundle(observation("718-7", 12.5, "g/dL"))}
    assessment = evaluate(client, body).json()
    hemoglobin = next(line for line in assessment["labs"] if line["key"] == "hemoglobin")
    assert hemoglobin["status"] == "abnormal"  # below the male normal minimum of 13.0


def test_evaluate_bundle_newest_result_wins(client):
    old = observation("718-7", 10.0, "g/dL", effective="2024-05-01")
    new = observation("718-7", 13.0, "g/dL", effective="2026-05-01")
    assert evaluate(client, bundle(new, old)).json()["triggers"] == []


def test_evaluate_bundle_unknown_code_names_the_entry(client):
    response = evaluate(client, bundle(observation("718-7", 13.0, "g/dL"), observation("2951-2", 140, "mmol/L")))
    assert response.status_code == 400
    assert response.json() == {"errors": {"bundle.entry[1]": ["No LOINC code that this pathway uses."]}}


def test_evaluate_bundle_unknown_unit_names_the_entry(client):
    response = evaluate(client, {"observations": bundle(observation("718-7", 130, "%"))})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "observations.entry[0]": ["Hemoglobin [Mass/volume] in Blood: unit “%” is not one this pathway accepts."]
    }


def test_evaluate_bundle_unit_without_ucum_code_is_refused(client):
    obs = observation("718-7", 13.0, None)
    obs["valueQuantity"]["unit"] = "g/dL"  # free text only: never read as a unit
    response = evaluate(client, bundle(obs))
    assert response.json()["errors"]["bundle.entry[0]"] == ["Hemoglobin [Mass/volume] in Blood: the unit has no UCUM code."]


def test_evaluate_bundle_implausible_value_names_the_entry(client):
    response = evaluate(client, bundle(observation("718-7", 112, "g/dL")))
    assert response.status_code == 400
    (message,) = response.json()["errors"]["bundle.entry[0]"]
    assert "Was it entered in g/L?" in message


@pytest.mark.parametrize("status", ["preliminary", "entered-in-error", "cancelled"])
def test_evaluate_bundle_skips_results_that_are_not_final_with_a_warning(client, status):
    response = evaluate(client, bundle(observation("718-7", 11.0, "g/dL", status=status)))
    assert response.status_code == 200
    assert [(w["id"], w["field"]) for w in response.json()["warnings"] if w["id"] == "FHIR-ENTRY-SKIPPED"] == [
        ("FHIR-ENTRY-SKIPPED", "bundle.entry[0]")]


def test_evaluate_bundle_refuses_a_bound_instead_of_a_value(client):
    obs = observation("1952-1", 0.5, "mg/L")
    obs["valueQuantity"]["comparator"] = "<"
    response = evaluate(client, bundle(obs))
    assert "reported as a bound" in response.json()["errors"]["bundle.entry[0]"][0]


def test_evaluate_same_lab_as_input_and_observation_is_400(client):
    body = {"hemoglobin": {"value": 13, "unit": "g/dL"}, "observations": bundle(observation("718-7", 11.0, "g/dL"))}
    response = evaluate(client, body)
    assert response.status_code == 400
    assert "observations.entry[0]" in response.json()["errors"]


def test_evaluate_observations_that_are_not_a_bundle_is_400(client):
    response = evaluate(client, {"observations": [observation("718-7", 11.0, "g/dL")]})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["observations"]


def test_evaluate_flc_ratio_observation_is_unitless(client):
    response = evaluate(client, bundle(observation("48378-4", 9.5, "{ratio}")))
    assert [t["id"] for t in response.json()["triggers"]] == ["BX-FLC"]
