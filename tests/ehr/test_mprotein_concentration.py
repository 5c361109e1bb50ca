"""A quantified M-spike (LOINC 33358-3) is SPEP "detected" and, from the same Observation, the
M-protein concentration that the MGUS risk strata read (spec 2.2, 10)."""

from __future__ import annotations

import pytest

from tests.ehr.fhir_builders import (
    bundle,
    coded_observation,
    days_ago,
    hook_request,
    observation,
    prefetch_for,
)
from workup.ehr import fhir
from workup.pathway.parsing import case_from_json
from workup.saved import drafts
from workup.services import workup_evaluate

M_SPIKE = "33358-3"
NORMAL_LABS = {
    "hemoglobin": {"value": 13.8, "unit": "g/dL"},
    "flc_ratio": 1.1,
    "calcium": {"value": 9.4, "unit": "mg/dL"},
    "creatinine": {"value": 0.9, "unit": "mg/dL"},
    "albumin": {"value": 4.1, "unit": "g/dL"},
    "beta2_microglobulin": {"value": 1.9, "unit": "mg/L"},
}


def read(*observations) -> fhir.LabReading:
    return fhir.labs_from_observations([(f"e{i}", o) for i, o in enumerate(observations)])


# --- The mapping ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "ucum"), [(0.5, "g/dL"), (5, "g/L")])
def test_quantified_m_spike_is_detected_and_its_concentration(value, ucum):
    reading = read(observation(M_SPIKE, value, ucum))
    assert reading.inputs() == {"spep": "detected", "mprotein_concentration": {"value": value, "unit": ucum}}
    assert reading.results["mprotein_concentration"].ref == reading.results["spep"].ref == "e0"


def test_zero_m_spike_is_neither_detected_nor_a_concentration():
    # A zero may mean "none" or "too small to measure": the whole entry is set aside, not read.
    reading = read(observation(M_SPIKE, 0, "g/dL"))
    assert reading.inputs() == {}
    assert [s.ref for s in reading.skipped] == ["e0"]
    assert reading.set_aside == ()


def test_m_spike_reported_as_a_bound_is_neither():
    spike = observation(M_SPIKE, 0.1, "g/dL")
    spike["valueQuantity"]["comparator"] = "<"
    reading = read(spike)
    assert reading.inputs() == {}
    assert [s.ref for s in reading.skipped] == ["e0"]
    assert reading.set_aside == ()


@pytest.mark.parametrize("ucum", ["mmol/L", None])
def test_unit_not_accepted_keeps_detected_and_sets_the_concentration_aside(ucum):
    reading = read(observation(M_SPIKE, 0.5, ucum))
    assert reading.inputs() == {"spep": "detected"}
    (aside,) = reading.set_aside
    assert aside.ref == "e0"
    assert "concentration is not used" in aside.reason and "g/dL or g/L" in aside.reason


def test_coded_m_spike_gives_no_concentration_and_nothing_set_aside():
    reading = read(coded_observation(M_SPIKE, "detected"))
    assert reading.inputs() == {"spep": "detected"}
    assert reading.set_aside == ()


def test_concentration_never_comes_from_an_older_result_than_the_m_spike():
    older = observation(M_SPIKE, 2.0, "g/dL", effective=days_ago(20))
    assert "mprotein_concentration" in read(older).inputs()
    reading = read(older, coded_observation(M_SPIKE, "detected", effective=days_ago(3)))
    assert reading.inputs() == {"spep": "detected"}
    assert reading.results["spep"].ref == "e1"


def test_newest_quantified_m_spike_gives_both_inputs():
    reading = read(coded_observation(M_SPIKE, "not_detected", effective=days_ago(20)),
                   observation(M_SPIKE, 1.7, "g/dL", effective=days_ago(3)))
    assert reading.inputs() == {"spep": "detected", "mprotein_concentration": {"value": 1.7, "unit": "g/dL"}}


def test_newest_m_spike_in_a_wrong_unit_does_not_fall_back_to_an_older_concentration():
    reading = read(observation(M_SPIKE, 0.8, "g/dL", effective=days_ago(20)),
                   observation(M_SPIKE, 9, "mmol/L", effective=days_ago(3)))
    assert reading.inputs() == {"spep": "detected"}
    assert [s.ref for s in reading.set_aside] == ["e1"]


# --- CDS Hooks, SMART and the JSON API -----------------------------------------------------------------

def order_card(client, prefetch: dict) -> dict:
    response = client.post("/cds-services/marrow-workup-order-sign", hook_request(prefetch, hook="order-sign"),
                           content_type="application/json")
    assert response.status_code == 200
    (card,) = response.json()["cards"]
    return card


def with_m_spike(spike: dict) -> dict:
    return prefetch_for(NORMAL_LABS) | {"spep": bundle(spike)}


@pytest.mark.django_db
def test_card_lists_the_concentration_among_the_labs_read(client):
    detail = order_card(client, with_m_spike(observation(M_SPIKE, 0.5, "g/dL")))["detail"]
    labs = detail.split("**Lab values read from the record**")[1].split("\n\n**")[0]
    assert "M-protein concentration: 0.5 g/dL (LOINC 33358-3" in labs
    assert "Serum protein electrophoresis M-spike: detected (LOINC 33358-3" in labs


@pytest.mark.django_db
def test_card_names_the_isotype_as_what_the_mgus_strata_still_need(client):
    detail = order_card(client, with_m_spike(observation(M_SPIKE, 0.5, "g/dL")))["detail"]
    (line,) = [x for x in detail.splitlines() if "CRIT-MGUS-RISK" in x]
    assert "cannot be judged from these inputs" in line
    assert "not measured: Involved isotype" in line


@pytest.mark.django_db
def test_card_draft_with_the_isotype_places_an_igg_m_protein_of_0_5_in_the_low_stratum(client):
    card = order_card(client, with_m_spike(observation(M_SPIKE, 0.5, "g/dL")))
    draft = drafts.draft_load(token=card["links"][0]["url"].split("draft=")[1])
    assessment = workup_evaluate(case=case_from_json(data=draft | {"involved_isotype": "igg"}))
    (mgus,) = [c for c in assessment.criteria if c.id == "CRIT-MGUS-RISK"]
    assert (mgus.status, mgus.value) == ("not_met", "low")


@pytest.mark.django_db
def test_card_says_why_a_concentration_in_another_unit_was_not_used(client):
    detail = order_card(client, with_m_spike(observation(M_SPIKE, 5, "mmol/L")))["detail"]
    not_used = detail.split("**Not used**")[1]
    assert "prefetch.spep.entry[0]" in not_used and "concentration is not used" in not_used
    assert "M-protein concentration:" not in detail.split("**Lab values read from the record**")[1].split("\n\n**")[0]


@pytest.mark.django_db
def test_json_api_bundle_gives_the_mgus_stratum_for_an_igg_m_protein_of_0_5(client):
    body = {"involved_isotype": "igg", **NORMAL_LABS, "ife": "detected",
            "observations": bundle(observation(M_SPIKE, 5, "g/L"))}
    response = client.post("/api/v1/evaluate", body, content_type="application/json")
    assert response.status_code == 200, response.content
    (mgus,) = [c for c in response.json()["criteria"] if c["id"] == "CRIT-MGUS-RISK"]
    assert (mgus["status"], mgus["value"]) == ("not_met", "low")


@pytest.mark.django_db
def test_json_api_warns_when_the_concentration_is_set_aside(client):
    response = client.post("/api/v1/evaluate", bundle(observation(M_SPIKE, 5, "mmol/L")),
                           content_type="application/json")
    assert response.status_code == 200, response.content
    warnings = {w["field"]: w for w in response.json()["warnings"] if w["id"] == "FHIR-VALUE-SET-ASIDE"}
    assert "concentration is not used" in warnings["bundle.entry[0]"]["message"]
    assert [t["id"] for t in response.json()["triggers"]] == ["BX-MPROTEIN"]


@pytest.mark.django_db
def test_json_api_refuses_the_concentration_given_twice(client):
    body = {"mprotein_concentration": {"value": 0.5, "unit": "g/dL"},
            "observations": bundle(observation(M_SPIKE, 0.5, "g/dL"))}
    response = client.post("/api/v1/evaluate", body, content_type="application/json")
    assert response.status_code == 400
    assert "observations.entry[0]" in response.json()["errors"]
