"""Issue 12, FHIR on the JSON API: what a raw searchset may hold, and which Bundles are read at all."""

from __future__ import annotations

import pytest

from tests.ehr.fhir_builders import bundle, observation

pytestmark = pytest.mark.django_db


def evaluate(client, body):
    return client.post("/api/v1/evaluate", body, content_type="application/json")


def skipped(response) -> dict:
    return {w["field"]: w["message"] for w in response.json()["warnings"] if w["id"] == "FHIR-ENTRY-SKIPPED"}


def test_included_patient_and_outcome_entries_are_skipped_with_a_warning(client):
    search = bundle(observation("718-7", 11.0, "g/dL"))
    search["entry"] += [
        {"resource": {"resourceType": "Patient", "id": "example"}, "search": {"mode": "include"}},
        {"resource": {"resourceType": "OperationOutcome", "issue": [
            {"severity": "information", "code": "informational", "diagnostics": "2 results hidden"}]},
         "search": {"mode": "outcome"}},
    ]
    response = evaluate(client, search)
    assert response.status_code == 200
    assert [t["id"] for t in response.json()["triggers"]] == ["BX-ANEMIA"]
    assert set(skipped(response)) == {"bundle.entry[1]", "bundle.entry[2]"}
    assert "2 results hidden" in skipped(response)["bundle.entry[2]"]


def test_non_final_observation_is_skipped_and_the_final_one_used(client):
    response = evaluate(client, bundle(observation("718-7", 9.0, "g/dL", status="preliminary"),
                                       observation("2160-0", 0.9, "mg/dL")))
    assert response.status_code == 200
    assert "bundle.entry[0]" in skipped(response)
    assert not response.json()["triggers"]


@pytest.mark.parametrize("kind", [None, "batch", "history", "transaction"])
def test_bundle_without_a_results_type_is_a_400(client, kind):
    body = bundle(observation("718-7", 11.0, "g/dL"))
    if kind is None:
        del body["type"]
    else:
        body["type"] = kind
    response = evaluate(client, body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["bundle.type"]


def test_collection_bundle_is_read(client):
    body = bundle(observation("718-7", 11.0, "g/dL")) | {"type": "collection"}
    assert evaluate(client, body).status_code == 200


def test_openapi_describes_the_number_bounds_and_coded_results(client):
    text = client.get("/api/v1/openapi.json").content.decode()
    assert "significant digits" in text and "260373001" in text


@pytest.mark.parametrize("status", [{}, [], 7, None])
def test_observation_status_of_any_json_type_is_skipped_never_500(client, status):
    response = evaluate(client, bundle(observation("718-7", 11.0, "g/dL", status=status)))
    assert response.status_code == 200
    assert "bundle.entry[0]" in skipped(response)


def test_a_resource_that_is_not_an_observation_is_skipped(client):
    body = bundle(observation("718-7", 11.0, "g/dL"))
    body["entry"].append({"resource": {"resourceType": "Condition", "id": "c"}})
    response = evaluate(client, body)
    assert response.status_code == 200
    assert skipped(response) == {"bundle.entry[1]": "Not an Observation: skipped."}
