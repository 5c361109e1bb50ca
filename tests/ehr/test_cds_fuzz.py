"""Property tests: the CDS Hooks service, its feedback endpoint and the evaluate API never answer 5xx,
and every card they produce keeps the shape rules, whatever the EHR sends."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.ehr.fhir_builders import SERVICE_BY_HOOK, hook_request
from workup.ehr import fhir

pytestmark = pytest.mark.django_db
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Numbers an EHR could honestly send: within the parse-time bound (no more than 40 characters, no
# exponent beyond 10^±100); past it the whole call is a 400 (tests/ehr/test_huge_numbers.py).
honest_floats = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_subnormal=False).filter(
    lambda x: x == 0 or abs(x) > 1e-90
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(10**12), max_value=10**12) | honest_floats | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
numbers = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6),
    honest_floats,
    st.decimals(min_value=0, max_value=500, places=2).map(float),
)
quantities = st.fixed_dictionaries(
    {"value": numbers | json_values},
    optional={
        "system": st.sampled_from([fhir.UCUM_SYSTEM, "http://example.org/units"]) | json_values,
        "code": st.sampled_from([*fhir.UCUM_UNITS, *fhir.RATIO_UNITS, "mmol/dL", "%"]) | json_values,
        "comparator": st.sampled_from(["<", ">="]),
    },
)
observations = st.fixed_dictionaries(
    {
        "resourceType": st.sampled_from(["Observation", "Patient"]),
        "status": st.sampled_from(["final", "amended", "preliminary"]) | json_values,
        "code": st.fixed_dictionaries(
            {"coding": st.lists(st.fixed_dictionaries({
                "system": st.sampled_from([fhir.LOINC_SYSTEM, "http://snomed.info/sct"]),
                "code": st.sampled_from([lab.code for lab in fhir.LAB_CODES] + ["2951-2"]) | json_values,
            }), max_size=2)}
        ) | json_values,
    },
    optional={
        "valueQuantity": quantities | json_values,
        "effectiveDateTime": st.sampled_from(["2026-03-01", "2025-12", "2026-01-02T03:04:05Z", "not a date"])
        | json_values,
    },
)
bundles = st.fixed_dictionaries(
    {"resourceType": st.just("Bundle"), "entry": st.lists(st.fixed_dictionaries({"resource": observations}), max_size=4)}
)
prefetches = st.dictionaries(st.sampled_from(fhir.LAB_KEYS), st.none() | bundles | observations | json_values, max_size=6)
hook_bodies = st.fixed_dictionaries(
    {
        "hook": st.sampled_from(["patient-view", "order-sign", "order-select"]),
        "hookInstance": st.uuids().map(str),
        "context": st.fixed_dictionaries({"patientId": st.text(max_size=8)}, optional={
            "draftOrders": st.just(hook_request(hook="order-sign")["context"]["draftOrders"]) | json_values,
            "selections": st.just(["ServiceRequest/bmb-1"]) | json_values}),
    },
    optional={"prefetch": prefetches | json_values},
)


def assert_card_shape(card: dict) -> None:
    assert set(card) >= {"uuid", "summary", "indicator", "source", "detail"}
    assert 0 < len(card["summary"]) < 140
    assert card["indicator"] in {"info", "warning", "critical"}
    assert card["source"]["label"]
    uuid.UUID(card["uuid"])
    assert all(link["type"] == "absolute" and link["url"].startswith("http") for link in card.get("links", []))


@FUZZ
@given(prefetch=prefetches.filter(bool))
def test_cds_service_answers_prefetch_with_one_well_formed_card(client, prefetch):
    body = hook_request(prefetch, hook="order-sign")  # a biopsy order: always one card
    response = client.post(SERVICE_BY_HOOK["order-sign"], body, content_type="application/json")
    event(f"status {response.status_code}")
    assert response.status_code == 200
    (card,) = response.json()["cards"]
    assert_card_shape(card)


@FUZZ
@given(body=hook_bodies | json_values, service=st.sampled_from(sorted(SERVICE_BY_HOOK.values())))
def test_cds_service_never_answers_5xx(client, body, service):
    response = client.post(service, body, content_type="application/json")
    event(f"status {response.status_code}")
    assert response.status_code in {200, 400, 412}
    if response.status_code == 200:
        cards = response.json()["cards"]
        assert len(cards) <= 1
        for card in cards:
            assert_card_shape(card)
    else:
        assert response.json()["resourceType"] == "OperationOutcome"


@FUZZ
@given(body=bundles | st.fixed_dictionaries({"age": st.integers(0, 120), "observations": bundles}))
def test_evaluate_with_bundle_never_answers_5xx(client, body):
    response = client.post("/api/v1/evaluate", body, content_type="application/json")
    event(f"status {response.status_code}")
    assert response.status_code in {200, 400}


@FUZZ
@given(
    body=st.fixed_dictionaries(
        {"feedback": st.lists(st.fixed_dictionaries(
            {"card": st.uuids().map(str) | json_values,
             "outcome": st.sampled_from(["accepted", "overridden"]) | json_values,
             "outcomeTimestamp": st.sampled_from(["2026-03-01T10:00:00Z", "2026-03-01"]) | json_values},
            optional={"overrideReason": json_values | st.fixed_dictionaries({"reason": json_values})},
        ), max_size=3)}
    )
    | json_values
)
def test_cds_feedback_never_answers_5xx(client, body):
    response = client.post("/cds-services/marrow-workup/feedback", body, content_type="application/json")
    event(f"status {response.status_code}")
    assert response.status_code in {200, 400}
