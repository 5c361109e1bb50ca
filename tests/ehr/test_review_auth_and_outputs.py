"""Issue 20: accepted JWT algorithms, deep bodies, the cache table for `make run`, and every FHIR
resource the service emits validated against the FHIR R4B models of fhir.resources (not our code)."""

from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.cache import cache
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.servicerequest import ServiceRequest

from tests.ehr.fhir_builders import GOLDEN, SERVICE_BY_HOOK, hook_request, prefetch_for, split_case
from workup.ehr.cds_auth import trusted_clients

pytestmark = pytest.mark.django_db

SERVICE = "/cds-services/marrow-workup"
AUDIENCE = f"http://testserver{SERVICE}"
ISSUER = "https://ehr.example.org"
P256 = ec.generate_private_key(ec.SECP256R1())
ANEMIA = {"hemoglobin": {"value": 10.8, "unit": "g/dL"}}


@pytest.fixture
def trusted_p256(tmp_path, settings):
    jwk = {**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(P256.public_key())), "kid": "p256", "use": "sig"}
    path = tmp_path / "clients.json"
    path.write_text(json.dumps([{"iss": ISSUER, "jwks": {"keys": [jwk]}}]))
    settings.CDS_TRUSTED_CLIENTS_FILE = str(path)
    trusted_clients.cache_clear()
    cache.clear()
    yield
    trusted_clients.cache_clear()


def signed(algorithm: str, key=P256) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 60, "jti": str(uuid.uuid4())}
    return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": "p256"})


def test_es256_from_a_p256_key_is_accepted(client, trusted_p256):
    response = client.post(SERVICE, hook_request(prefetch_for(ANEMIA)), content_type="application/json",
                           headers={"Authorization": f"Bearer {signed('ES256')}"})
    assert response.status_code == 200


def test_an_algorithm_that_does_not_fit_the_key_is_refused_naming_those_accepted(client, trusted_p256):
    response = client.post(SERVICE, hook_request(prefetch_for(ANEMIA)), content_type="application/json",
                           headers={"Authorization": f"Bearer {signed('HS256', key='a shared secret of 32 bytes......')}"})
    assert response.status_code == 401
    assert "ES384, ES256, RS384" in response.json()["issue"][0]["diagnostics"]


def test_deeply_nested_cds_body_is_a_400_operation_outcome(client):
    body = hook_request(prefetch_for(ANEMIA), hook="order-sign")
    deep: dict = {"status": "final"}
    for _ in range(900):
        deep = {"a": deep}
    body["prefetch"]["hemoglobin"]["entry"][0]["resource"]["status"] = deep
    response = client.post(SERVICE_BY_HOOK["order-sign"], body, content_type="application/json")
    assert response.status_code == 400
    assert OperationOutcome.model_validate(response.json()).issue[0].severity == "error"


def test_make_run_creates_the_cache_table_before_serving():
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", Path("Makefile").read_text(), re.MULTILINE).group(1)
    assert recipe.index("createcachetable") < recipe.index("runserver")


# --- Everything the service emits, validated by fhir.resources ------------------------------------


@pytest.mark.parametrize("case", GOLDEN, ids=[case["name"] for case in GOLDEN])
def test_every_suggested_service_request_of_a_golden_case_is_valid_r4b(client, case):
    labs, _ = split_case(case["input"])
    body = hook_request(prefetch_for(labs), hook="order-sign")
    body["context"]["encounterId"] = "enc-1"
    for card in client.post(SERVICE_BY_HOOK["order-sign"], body, content_type="application/json").json()["cards"]:
        for suggestion in card.get("suggestions", []):
            for action in suggestion["actions"]:
                request = ServiceRequest.model_validate(action["resource"])
                assert request.status == "draft" and request.intent == "order"


@pytest.mark.parametrize(("method", "url", "body"), [
    ("post", "/cds-services/no-such-service", {}),
    ("get", SERVICE_BY_HOOK["order-sign"], None),
    ("post", SERVICE_BY_HOOK["order-sign"], {"hook": "order-sign"}),
    ("post", SERVICE, {"hook": "patient-view", "hookInstance": "x", "context": {"patientId": "example"}}),
    ("post", SERVICE_BY_HOOK["order-sign"] + "/feedback", {"feedback": []}),
])
def test_every_operation_outcome_is_valid_r4b(client, method, url, body):
    response = getattr(client, method)(url, body, content_type="application/json")
    assert response.status_code >= 400
    OperationOutcome.model_validate(response.json())


def test_override_reason_code_system_is_valid_r4b(client):
    response = client.get("/cds-services/override-reasons")
    assert CodeSystem.model_validate(response.json()).status == "active"
