"""The OpenAPI 3.1 document: generated from the input table, served, and honoured by the API."""

from __future__ import annotations

import pytest
import schemathesis
import werkzeug.test
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from marrowapp.wsgi import application
from tests.ehr.fhir_builders import GOLDEN
from workup.ehr.openapi import accepted_units, build_openapi
from workup.pathway.inputs import INPUTS
from workup.pathway.units import ANALYTES, REFERENCE_LIMIT_ANALYTE
from workup.saved import drafts

DOCUMENT = build_openapi()
SCHEMAS = DOCUMENT["components"]["schemas"]
CASE_PROPERTIES = SCHEMAS["CaseInput"]["properties"]


def test_openapi_lists_every_input_key():
    assert {spec.key for spec in INPUTS} <= set(CASE_PROPERTIES)


def test_openapi_has_no_key_the_api_does_not_accept():
    assert set(CASE_PROPERTIES) == {spec.key for spec in INPUTS} | {"reference_limits", "observations"}
    assert SCHEMAS["CaseInput"]["additionalProperties"] is False
    assert "required" not in SCHEMAS["CaseInput"]


def test_openapi_choices_are_the_engine_enums():
    for spec in INPUTS:
        if spec.kind == "choice":
            assert CASE_PROPERTIES[spec.key]["oneOf"][0]["enum"] == list(spec.choice_values)


def test_openapi_units_are_the_analyte_units():
    for key, analyte in ANALYTES.items():
        unit_enum = SCHEMAS[f"Quantity_{key}"]["properties"]["unit"]["enum"]
        assert set(analyte.unit_symbols) <= set(unit_enum) == set(accepted_units(key))


def test_openapi_reference_limits_cover_every_limit():
    limits = CASE_PROPERTIES["reference_limits"]["oneOf"][0]
    assert set(limits["properties"]) == set(REFERENCE_LIMIT_ANALYTE)


def test_openapi_response_lists_every_assessment_key():
    required = SCHEMAS["Assessment"]["required"]
    for key in ("disposition", "summary", "options", "triggers", "deferral_considerations", "imaging",
                "follow_up", "conflicts", "pitfalls", "mri", "labs", "unknowns", "warnings", "pathway"):
        assert key in required


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json() == DOCUMENT
    assert response.json()["openapi"] == "3.1.0"


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests here go through the real WSGI handler, which closes the database connection when a
    request ends; inside a test transaction that would drop the connection (PostgreSQL notices).
    Django's own test client detaches the same handler for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_openapi(case):
    """Every operation answers as documented (status, content type, body schema) and never 5xx.

    Schema-valid data may still be refused: plausibility bounds depend on the unit and κ and λ
    must share one, so these are 400s that name the field rather than schema rules. Hence the
    positive-data check is left out; every other check, negative data included, runs.
    """
    case.call_and_validate(excluded_checks=[positive_data_acceptance])


@pytest.mark.parametrize("case", GOLDEN, ids=[c["name"] for c in GOLDEN])
def test_golden_case_response_conforms_to_openapi(case):
    """Rich results (triggers with matched inputs, conflicts, evidence) fit the generated 200 schema."""
    response = werkzeug.test.Client(application).post("/api/v1/evaluate", json=case["input"])
    assert response.status_code == 200
    schema["/api/v1/evaluate"]["POST"].validate_response(response)


@pytest.mark.django_db
def test_draft_response_conforms_to_openapi():
    token = drafts.draft_create(case_data={"hemoglobin": {"value": 10.8, "unit": "g/dL"}, "flc_ratio": 2.5})
    response = werkzeug.test.Client(application).post("/api/v1/drafts", json={"token": token})
    assert response.status_code == 200
    schema["/api/v1/drafts"]["POST"].validate_response(response)
