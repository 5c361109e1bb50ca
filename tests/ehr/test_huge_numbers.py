"""Issue 11 item 1: a huge number in a FHIR value is refused at parse time, fast, naming the field."""

from __future__ import annotations

import json
import time

import pytest

from tests.ehr.fhir_builders import bundle, hook_request, observation, prefetch_for
from workup.ehr import fhir

pytestmark = pytest.mark.django_db

HUGE = ["1e999999999", "1e4400", "-1e4400", "1e-999999", "123456789012345678901234567", "1" + "0" * 5000]


def _raw_bundle_with(value_text: str) -> bytes:
    """A JSON API body whose hemoglobin value is the literal number text (not a Python float)."""
    body = json.dumps(bundle(observation("718-7", 12345.5, "g/dL")))
    return body.replace("12345.5", value_text).encode()


@pytest.mark.parametrize("text", HUGE)
def test_huge_value_in_a_bundle_is_a_400_naming_the_field_in_well_under_a_second(client, text):
    started = time.perf_counter()
    response = client.post("/api/v1/evaluate", _raw_bundle_with(text), content_type="application/json")
    assert time.perf_counter() - started < 5  # the old code never finished (int() of 10^999999999)
    assert response.status_code == 400
    messages = json.dumps(response.json(), ensure_ascii=False)
    assert "valueQuantity.value" in messages or "not valid JSON" in messages or "JSON" in messages
    assert len(response.content) < 2000  # the value is never echoed at length


@pytest.mark.parametrize("text", ["1e999999999", "1e4400"])
def test_huge_value_names_valuequantity_value(client, text):
    response = client.post("/api/v1/evaluate", _raw_bundle_with(text), content_type="application/json")
    assert response.status_code == 400
    (field, messages), = response.json()["errors"].items()
    assert field == "entry[0].resource.valueQuantity.value"
    assert "10^±100" in messages[0]


@pytest.mark.parametrize("text", ["1e999999999", "1e4400"])
def test_huge_value_in_a_cds_prefetch_is_refused_fast_naming_the_field(client, text):
    body = json.dumps(hook_request(prefetch_for({"hemoglobin": {"value": 12345.5, "unit": "g/dL"}}), hook="order-sign"))
    started = time.perf_counter()
    response = client.post("/cds-services/marrow-workup-order-sign", body.replace("12345.5", text).encode(),
                           content_type="application/json")
    assert time.perf_counter() - started < 5  # the old code never finished (int() of 10^999999999)
    assert response.status_code == 400
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert "valueQuantity.value" in outcome["issue"][0]["diagnostics"]


@pytest.mark.parametrize(("raw", "usable"), [(12.5, True), (0, True), (1e11, True), (1e12, False),
                                             (1e-12, True), (1e-13, False), (2**70, False), (True, False)])
def test_bounded_decimal_boundaries(raw, usable):
    value, problem = fhir.bounded_decimal(raw)
    assert (value is not None) is usable
    assert (problem is None) is usable
