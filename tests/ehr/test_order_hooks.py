"""Issue 12, hooks and cards: order-select / order-sign on a bone marrow biopsy, and conformance."""

from __future__ import annotations

import uuid

import pytest

from tests.ehr.fhir_builders import BIOPSY_ORDER, SERVICE_BY_HOOK, hook_request, prefetch_for
from workup.models import CardFeedback

pytestmark = pytest.mark.django_db

SIGN, SELECT = SERVICE_BY_HOOK["order-sign"], SERVICE_BY_HOOK["order-select"]
ANEMIA = {"hemoglobin": {"value": 10.8, "unit": "g/dL"}}
COMPLETE = {
    "hemoglobin": {"value": 13.5, "unit": "g/dL"}, "spep": "not_detected", "ife": "not_detected",
    "flc_ratio": 1.1, "calcium": {"value": 9.4, "unit": "mg/dL"}, "creatinine": {"value": 0.9, "unit": "mg/dL"},
    "albumin": {"value": 4.2, "unit": "g/dL"}, "beta2_microglobulin": {"value": 1.9, "unit": "mg/L"},
}
CHEST_XRAY = {"resourceType": "ServiceRequest", "id": "cxr", "status": "draft", "intent": "order",
              "code": {"coding": [{"system": "http://loinc.org", "code": "36643-5"}]}}


def cards(client, url, body):
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["cards"]


def test_order_sign_without_a_biopsy_order_answers_no_card(client):
    assert cards(client, SIGN, hook_request(prefetch_for(ANEMIA), hook="order-sign", orders=(CHEST_XRAY,))) == []


def test_order_select_answers_only_for_a_selected_biopsy_order(client):
    body = hook_request(prefetch_for(ANEMIA), hook="order-select", orders=(BIOPSY_ORDER, CHEST_XRAY))
    assert len(cards(client, SELECT, body)) == 1
    body["context"]["selections"] = ["ServiceRequest/cxr"]
    assert cards(client, SELECT, body) == []


def test_biopsy_supported_when_a_trigger_is_met(client):
    (card,) = cards(client, SIGN, hook_request(prefetch_for(ANEMIA), hook="order-sign"))
    assert card["summary"] == "If for diffuse marrow change on lumbar MRI: the labs meet a biopsy trigger (BX-ANEMIA)"
    assert card["indicator"] == "info"


def test_missing_core_labs_are_named_and_offered_as_lab_orders(client):
    (card,) = cards(client, SIGN, hook_request(prefetch_for({"hemoglobin": {"value": 13.5, "unit": "g/dL"}}),
                                                hook="order-sign"))
    assert card["summary"] == "If for diffuse marrow change on lumbar MRI: add the missing core labs alongside the biopsy"
    assert card["indicator"] == "info"
    assert card["selectionBehavior"] == "any"
    ordered = {action["resource"]["code"]["coding"][0]["code"]
               for suggestion in card["suggestions"] for action in suggestion["actions"]}
    assert ordered == {"6690-2", "777-3", "33358-3", "25700-6", "36916-5", "33944-0", "17861-6", "2160-0", "1751-7",
                       "1952-1"}
    for suggestion in card["suggestions"]:
        uuid.UUID(suggestion["uuid"])
        for action in suggestion["actions"]:
            assert action["type"] == "create"
            resource = action["resource"]
            assert (resource["resourceType"], resource["status"], resource["intent"]) == (
                "ServiceRequest", "draft", "order")
            assert resource["subject"] == {"reference": "Patient/example"}
            assert resource["code"]["coding"][0]["system"] == "http://loinc.org"
    assert "Core labs missing" in card["detail"]


def test_complete_labs_offer_no_suggestion(client):
    complete = COMPLETE | {"wbc": {"value": 6.5, "unit": "10^9/L"}, "platelets": {"value": 250, "unit": "10^9/L"}}
    (card,) = cards(client, SIGN, hook_request(prefetch_for(complete), hook="order-sign"))
    assert "suggestions" not in card and "selectionBehavior" not in card
    assert "No core lab is missing" in card["detail"]


def test_accepted_feedback_names_a_suggestion_the_card_offered(client):
    (card,) = cards(client, SIGN, hook_request(prefetch_for({"hemoglobin": {"value": 13.5, "unit": "g/dL"}}),
                                                hook="order-sign"))
    entry = {"card": card["uuid"], "outcome": "accepted", "outcomeTimestamp": "2026-03-01T10:00:00Z",
             "acceptedSuggestions": [{"id": card["suggestions"][0]["uuid"]}]}
    response = client.post(SIGN + "/feedback", {"feedback": [entry]}, content_type="application/json")
    assert response.status_code == 200 and response.json() == {}
    assert CardFeedback.objects.get().outcome == "accepted"


# --- Conformance -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "url", "status"), [
    ("post", "/cds-services/no-such-service", 404),
    ("post", "/cds-services/no-such-service/feedback", 404),
    ("get", "/cds-services/a/b/c", 404),
    ("get", SIGN, 405),
    ("put", SIGN, 405),
    ("delete", "/cds-services", 405),
])
def test_every_error_is_an_operation_outcome(client, method, url, status):
    response = getattr(client, method)(url, content_type="application/json")
    assert response.status_code == status
    assert response.json()["resourceType"] == "OperationOutcome"


def test_body_over_the_limit_is_a_413_operation_outcome(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(SIGN, b'{"x": "' + b"a" * 2000 + b'"}', content_type="application/json")
    assert response.status_code == 413
    assert response.json()["resourceType"] == "OperationOutcome"


def test_cors_preflight_and_answer_for_an_allowed_origin(client, settings):
    settings.CDS_CORS_ALLOWED_ORIGINS = ["https://ehr.example.org"]
    origin = {"Origin": "https://ehr.example.org"}
    preflight = client.options(SIGN, headers=origin | {"Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "https://ehr.example.org"
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    answer = client.post(SIGN, hook_request(prefetch_for(ANEMIA), hook="order-sign"),
                         content_type="application/json", headers=origin)
    assert answer["Access-Control-Allow-Origin"] == "https://ehr.example.org"
    assert client.get("/cds-services", headers=origin)["Access-Control-Allow-Origin"] == "https://ehr.example.org"


def test_no_cors_headers_for_another_origin(client, settings):
    settings.CDS_CORS_ALLOWED_ORIGINS = ["https://ehr.example.org"]
    response = client.get("/cds-services", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in response


def test_links_and_source_come_from_the_public_base_url_not_the_host_header(client, settings):
    settings.PUBLIC_BASE_URL = "https://marrow.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    response = client.post(SIGN, hook_request(prefetch_for(ANEMIA), hook="order-sign"),
                           content_type="application/json", headers={"Host": "attacker.example.com"})
    (card,) = response.json()["cards"]
    assert card["links"][0]["url"].startswith("https://marrow.example.org/?draft=")
    assert card["source"]["url"] == "https://marrow.example.org/learn/rules"
    assert all(r["system"] == "https://marrow.example.org/cds-services/override-reasons"
               for r in card["overrideReasons"])


def test_source_url_is_a_human_page(client):
    (card,) = cards(client, SIGN, hook_request(prefetch_for(ANEMIA), hook="order-sign"))
    page = client.get(card["source"]["url"])
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")


def test_override_reason_system_resolves_to_its_code_system(client):
    (card,) = cards(client, SIGN, hook_request(prefetch_for(ANEMIA), hook="order-sign"))
    system = card["overrideReasons"][0]["system"]
    code_system = client.get(system).json()
    assert code_system["resourceType"] == "CodeSystem" and code_system["url"] == system
    assert {c["code"] for c in code_system["concept"]} == {r["code"] for r in card["overrideReasons"]}
