"""The golden cases with their labs sent as coded Observations: as a FHIR Bundle beside the other
inputs of the JSON API, and alone through the CDS Hooks service (no Patient), which must agree with
the engine on those labs. (The plain JSON API runs the golden set in tests/api/test_evaluate_api.py.)"""

from __future__ import annotations

import pytest

from tests.ehr.fhir_builders import GOLDEN, bundle, hook_request, lab_observation, prefetch_for, split_case
from workup.pathway.parsing import case_from_json
from workup.services import workup_evaluate

CASES = pytest.mark.parametrize("case", GOLDEN, ids=[c["name"] for c in GOLDEN])


def outcome(assessment: dict) -> tuple:
    fired = {f["id"] for group in ("triggers", "deferral_considerations", "imaging", "follow_up") for f in assessment[group]}
    return assessment["disposition"], fired, {p["id"] for p in assessment["pitfalls"] if p["active"]}


def expected(case: dict) -> tuple:
    e = case["expected"]
    return e["disposition"], set(e["fired"]), set(e["active_pitfalls"])


@CASES
def test_golden_case_through_json_api_with_labs_as_bundle(client, case):
    labs, rest = split_case(case["input"])
    body = rest | {"observations": bundle(*(lab_observation(key, value) for key, value in labs.items()))}
    response = client.post("/api/v1/evaluate", body, content_type="application/json")
    assert outcome(response.json()) == expected(case)


@pytest.mark.django_db  # the card's prefilled link is a stored draft
@CASES
def test_golden_case_labs_through_cds_service_match_engine(client, case):
    """CDS Hooks carries only the coded labs, so compare with the engine on that lab-only case."""
    labs, rest = split_case(case["input"])
    engine = workup_evaluate(case=case_from_json(data=labs))
    if set(rest) <= {"evaluation_date"}:  # a lab-only golden case: its expectation holds as written
        assert outcome(engine.to_dict()) == expected(case)
    response = client.post("/cds-services/marrow-workup-order-sign", hook_request(prefetch_for(labs), hook="order-sign"),
                           content_type="application/json")
    (card,) = response.json()["cards"]
    assessment = card["extension"]["org.marrow-workup.assessment"]
    assert assessment["disposition"] == engine.disposition
    assert set(assessment.get("ruleIds", [])) == set(engine.fired_ids)
    assert set(assessment.get("activePitfalls", [])) == set(engine.active_pitfall_ids)
    assert all(f"`{rule_id}`" in card["detail"] for rule_id in engine.fired_ids)
    assert len(card["summary"]) < 140
    assert "None" not in card["detail"]
