"""Issue 20: the SMART launch against an EHR whose authorization server is Authlib's (tests/ehr/authlib_ehr.py)."""

from __future__ import annotations

import logging
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.cache import cache
from django.test import Client

from tests.ehr.authlib_ehr import CLIENT_ID, LAUNCH, AuthlibEhr, drip_server
from tests.ehr.fhir_builders import days_ago, observation
from workup.ehr import smart
from workup.models import WorkupDraft
from workup.saved import drafts

pytestmark = pytest.mark.django_db


@pytest.fixture
def ehr(settings):
    cache.clear()
    server = AuthlibEhr()
    settings.SMART_EHRS = [{"iss": server.iss, "client_id": CLIENT_ID}]
    yield server
    server.close()


def start(client, ehr):
    started = client.get("/launch", {"iss": ehr.iss, "launch": LAUNCH})
    assert started.status_code == 302, started.content
    return started


def authorize(started) -> dict:
    answer = requests.get(started["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


def launch(client, ehr):
    """The whole launch in one browser: the callback's answer."""
    return client.get("/launch/callback", authorize(start(client, ehr)))


def draft_of(response) -> dict:
    assert response.status_code == 302, response.content
    # The draft's token arrives in an HttpOnly cookie, never in the URL (issue 21).
    return drafts.draft_load(token=response.cookies["workup_draft"].value)


def test_launch_through_authlibs_server_prefills_the_labs(client, ehr):
    ehr.observations = [observation("718-7", 10.8, "g/dL")]
    assert draft_of(launch(client, ehr))["hemoglobin"] == {"value": 10.8, "unit": "g/dL"}


def test_paged_answer_is_followed_so_the_newest_result_on_page_two_wins(client, ehr):
    ehr.page_size = 1  # ignores _sort and _count: the old result comes first
    ehr.observations = [observation("718-7", 12.9, "g/dL", effective=days_ago(40)),
                        observation("718-7", 9.8, "g/dL", effective=days_ago(2))]
    assert draft_of(launch(client, ehr))["hemoglobin"] == {"value": 9.8, "unit": "g/dL"}


def test_search_longer_than_the_page_bound_is_not_used(client, ehr, monkeypatch):
    monkeypatch.setattr(smart, "MAX_PAGES", 2)
    ehr.page_size = 1
    ehr.observations = [observation("718-7", v, "g/dL", effective=days_ago(d)) for v, d in ((12.9, 40), (12.5, 30), (9.8, 2))]
    assert "hemoglobin" not in draft_of(launch(client, ehr))


def test_callback_completed_in_another_browser_is_refused(client, ehr):
    ehr.observations = [observation("718-7", 10.8, "g/dL")]
    query = authorize(start(client, ehr))
    other = Client().get("/launch/callback", query)
    assert other.status_code == 400
    assert "not started in this browser" in other.content.decode()
    assert not WorkupDraft.objects.exists()
    assert client.get("/launch/callback", query).status_code == 302  # the starting browser still can


def test_launch_cookie_is_secure_samesite_none_and_partitioned(client, ehr):
    started = start(client, ehr)
    (line,) = [m.output(header="") for name, m in started.cookies.items() if name.startswith("marrow_launch_")]
    assert "Secure" in line and "SameSite=None" in line and "HttpOnly" in line and line.endswith("; Partitioned")


def test_patient_banner_is_shown_for_this_browser_only_and_never_stored(client, ehr, caplog):
    caplog.set_level(logging.DEBUG)
    ehr.token_extra = {"need_patient_banner": True}
    ehr.patient = {"resourceType": "Patient", "id": "example", "gender": "female", "birthDate": "1961-03-14",
                   "name": [{"given": ["Zelda"], "family": "Quirinal"}]}
    ehr.observations = [observation("718-7", 10.8, "g/dL")]
    back = launch(client, ehr)
    screen = client.get(back["Location"])
    page = screen.content.decode()
    assert "Zelda Quirinal" in page and "1961-03-14" in page and "female" in page
    assert "Zelda" not in Client().get(back["Location"]).content.decode()  # another browser, same draft
    stored = " ".join(str(row.__dict__) for row in WorkupDraft.objects.all())
    assert "Zelda" not in stored and "Quirinal" not in stored and "1961-03-14" not in stored
    assert "Zelda" not in caplog.text and "Quirinal" not in caplog.text


def test_no_banner_unless_the_ehr_asks(client, ehr):
    ehr.patient = {"resourceType": "Patient", "id": "example", "name": [{"text": "Zelda Quirinal"}]}
    back = launch(client, ehr)
    assert "Zelda" not in client.get(back["Location"]).content.decode()


def test_scopes_asked_are_only_those_read(client, ehr):
    scope = parse_qs(urlsplit(start(client, ehr)["Location"]).query)["scope"][0]
    assert scope.split() == ["launch", "patient/Observation.rs", "patient/Patient.rs"]


def test_token_without_observation_read_is_refused_before_any_search(client, ehr):
    ehr.token_extra = {"scope": "launch patient/Patient.rs"}
    response = launch(client, ehr)
    assert response.status_code == 400 and "did not grant reading" in response.content.decode()
    assert not [path for method, path, _ in ehr.requests if path.startswith("/fhir/Observation")]


def test_token_type_other_than_bearer_is_refused(client, ehr):
    ehr.token_extra = {"token_type": "mac"}
    response = launch(client, ehr)
    assert response.status_code == 400 and "not a Bearer" in response.content.decode()


def test_token_exchange_follows_no_redirect(client, ehr):
    ehr.token_redirect_to = ehr.base + "/elsewhere"
    response = launch(client, ehr)
    assert response.status_code == 400
    assert [path for method, path, _ in ehr.requests if method == "POST"] == ["/token"]


def test_endpoints_outside_the_iss_origin_are_refused(client, ehr):
    ehr.configuration_extra = {"token_endpoint": "https://attacker.example.org/token"}
    response = client.get("/launch", {"iss": ehr.iss, "launch": LAUNCH})
    assert response.status_code == 400 and "outside the registered iss" in response.content.decode()


def test_http_iss_that_is_not_loopback_is_refused(settings):
    settings.SMART_EHRS = [{"iss": "http://ehr.example.org/fhir", "client_id": CLIENT_ID}]
    with pytest.raises(smart.LaunchRefused):
        smart.smart_ehr("http://ehr.example.org/fhir")


def test_smart_configuration_is_cached_per_iss_and_asked_for_as_json(client, ehr):
    start(client, ehr)
    start(client, ehr)
    reads = [headers for method, path, headers in ehr.requests if path.endswith("/.well-known/smart-configuration")]
    assert len(reads) == 1
    assert reads[0]["Accept"] == "application/json"


def test_deeply_nested_fhir_answer_is_refused_cleanly(client, ehr):
    ehr.fhir_body = b'{"resourceType": "Bundle", "entry": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    response = launch(client, ehr)
    assert response.status_code == 400 and "nested too deeply" in response.content.decode()


def test_oversized_fhir_answer_is_refused(client, ehr, monkeypatch):
    monkeypatch.setattr(smart, "MAX_FHIR_BYTES", 200)
    ehr.observations = [observation("718-7", 10.8, "g/dL")]
    response = launch(client, ehr)
    assert response.status_code == 400 and "larger than allowed" in response.content.decode()


def test_an_answer_that_drips_is_cut_off_by_the_total_deadline():
    from workup.ehr import outbound  # the module of issue 20 (its absence fails this test)

    httpd, url = drip_server(b'{"keys": []}' + b" " * 40, every=0.05)
    try:
        began = time.monotonic()
        with pytest.raises(outbound.OutboundRefused):
            outbound.get_json(url, headers={}, seconds=0.5, max_bytes=10_000)
        assert time.monotonic() - began < 1.5  # each byte came well within any per-read timeout
    finally:
        httpd.shutdown()
        httpd.server_close()
