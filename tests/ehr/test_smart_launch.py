"""Issue 12: SMART App Launch of the workup screen against a local authorization and FHIR server."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.ehr.fhir_builders import lab_observation, observation, split_case
from tests.ehr.smart_servers import CLIENT_ID, LAUNCH, SmartEhrServer
from tests.ehr.test_golden_paths import DEMOGRAPHICS, patient_for
from tests.golden import observed, representative_params
from workup.saved import drafts

pytestmark = pytest.mark.django_db


@pytest.fixture
def ehr(settings):
    server = SmartEhrServer()
    settings.SMART_EHRS = [{"iss": server.iss, "client_id": CLIENT_ID}]
    yield server
    server.close()


def launch(client, ehr) -> requests.Response | object:
    """Run the whole launch as the browser would; return the app's last answer."""
    started = client.get("/launch", {"iss": ehr.iss, "launch": LAUNCH})
    assert started.status_code == 302, started.content
    authorize = requests.get(started["Location"], allow_redirects=False, timeout=5)
    assert authorize.status_code == 302, authorize.text
    back = urlsplit(authorize.headers["Location"])
    return client.get(back.path, {k: v[0] for k, v in parse_qs(back.query).items()})


def draft_inputs(response) -> dict:
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/"
    return drafts.draft_load(token=parse_qs(location.query)["draft"][0])


def test_launch_opens_the_screen_prefilled_with_the_patients_recent_labs(client, ehr):
    ehr.observations = [observation("718-7", 10.8, "g/dL")]
    ehr.patient = {"resourceType": "Patient", "id": "example", "gender": "female", "birthDate": "1960-05-01"}
    inputs = draft_inputs(launch(client, ehr))
    assert inputs["hemoglobin"] == {"value": 10.8, "unit": "g/dL"}
    assert inputs["sex"] == "female" and isinstance(inputs["age"], int)


def test_launch_prefills_the_m_spike_and_its_concentration_from_one_result(client, ehr):
    ehr.observations = [observation("33358-3", 0.5, "g/dL")]
    inputs = draft_inputs(launch(client, ehr))
    assert inputs["spep"] == "detected"
    assert inputs["mprotein_concentration"] == {"value": 0.5, "unit": "g/dL"}


def test_launch_uses_pkce_and_the_smart_scopes(client, ehr):
    started = client.get("/launch", {"iss": ehr.iss, "launch": LAUNCH})
    query = parse_qs(urlsplit(started["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["scope"] == ["launch openid fhirUser patient/Observation.rs patient/Patient.rs"]
    assert query["launch"] == [LAUNCH] and query["aud"] == [ehr.iss]


def test_launch_applies_the_same_selection_rules(client, ehr):
    old = (dt.date.today() - dt.timedelta(days=400)).isoformat()
    other = observation("2160-0", 3.0, "mg/dL")
    other["subject"] = {"reference": "Patient/someone-else"}
    ehr.observations = [observation("718-7", 9.0, "g/dL", effective=old), other, observation("1751-7", 40, "g/L")]
    inputs = draft_inputs(launch(client, ehr))
    assert "hemoglobin" not in inputs and "creatinine" not in inputs
    assert inputs["albumin"] == {"value": 40, "unit": "g/L"}


def test_nothing_clinical_and_no_token_in_any_url_or_cookie(client, ehr):
    ehr.observations = [observation("718-7", 10.8, "g/dL")]
    response = launch(client, ehr)
    assert "10.8" not in response["Location"] and "hemoglobin" not in response["Location"]
    assert not any(token in response["Location"] or token in str(client.cookies) for token in ehr.tokens)
    assert not any("access_token" in str(value) for value in client.session.values())


def test_unregistered_ehr_is_refused(client, ehr):
    response = client.get("/launch", {"iss": "https://unknown.example.org/fhir", "launch": LAUNCH})
    assert response.status_code == 400
    assert not ehr.requests  # nothing was fetched from an issuer that is not registered


def test_callback_with_a_forged_state_is_refused(client, ehr):
    client.get("/launch", {"iss": ehr.iss, "launch": LAUNCH})
    response = client.get("/launch/callback", {"code": "x", "state": "forged"})
    assert response.status_code == 400
    assert "state" in response.content.decode()


def test_callback_without_a_started_launch_is_refused(client, ehr):
    assert client.get("/launch/callback", {"code": "x", "state": "y"}).status_code == 400


@pytest.mark.parametrize("case", representative_params())
def test_golden_case_through_the_smart_launch(client, ehr, case):
    labs, rest = split_case(case["input"])
    ehr.observations = [lab_observation(key, value) for key, value in labs.items()]
    ehr.patient = patient_for(case["input"])
    inputs = draft_inputs(launch(client, ehr))
    assert {k: v for k, v in inputs.items() if k not in DEMOGRAPHICS} == labs
    completed = inputs | {k: v for k, v in rest.items() if k not in inputs}
    result = client.post("/api/v1/evaluate", completed, content_type="application/json").json()
    assert observed(result) == case["expected"]
