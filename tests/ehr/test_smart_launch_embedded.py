"""Issue 12: the SMART launch embedded in the EHR's page (a cross-site frame).

A cross-site frame does not send the app's SameSite=Lax cookies, so the callback here runs in a
fresh client that carries only the starting browser's SameSite=None (partitioned) launch cookie. Only an EHR registered with `frame_origins` may frame the
launch's responses and the screen it opens; everything else keeps `frame-ancestors 'none'`.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.test import Client
from django.utils import timezone

from tests.ehr.fhir_builders import observation
from tests.ehr.smart_servers import CLIENT_ID, LAUNCH, SmartEhrServer
from workup.models import SmartLaunch
from workup.saved import drafts

pytestmark = pytest.mark.django_db

EHR_ORIGINS = ["https://ehr.example.org", "https://portal.example.org:8443"]


@pytest.fixture
def ehr(settings):
    server = SmartEhrServer()
    server.observations = [observation("718-7", 10.8, "g/dL")]
    settings.SMART_EHRS = [{"iss": server.iss, "client_id": CLIENT_ID, "frame_origins": EHR_ORIGINS}]
    yield server
    server.close()


def frame_ancestors(response) -> str:
    directives = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    return next(d for d in directives if d.startswith("frame-ancestors"))


def start(client, ehr):
    started = client.get("/launch", {"iss": ehr.iss, "launch": LAUNCH})
    assert started.status_code == 302, started.content
    return started


def authorize(started) -> dict:
    """The EHR's authorization answer: the callback's query (code and state)."""
    answer = requests.get(started["Location"], allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["Location"]).query).items()}


def framed_callback(query: dict, browser: Client):
    """The callback as a cross-site frame sends it: only the starting browser's SameSite=None cookies
    (the partitioned launch cookie), never its Lax session or CSRF cookies."""
    frame = Client()
    for name, morsel in browser.cookies.items():
        if morsel["samesite"] == "None":
            frame.cookies[name] = morsel.value
    return frame.get("/launch/callback", query)


def test_embedded_launch_completes_without_the_session_cookie(client, ehr):
    back = framed_callback(authorize(start(client, ehr)), client)
    assert back.status_code == 302, back.content
    assert back["Location"] == "/"
    token = back.cookies["workup_draft"].value
    assert drafts.draft_load(token=token)["hemoglobin"] == {"value": 10.8, "unit": "g/dL"}


def test_every_response_of_an_embedded_launch_allows_only_the_ehr_origins(client, ehr):
    started = start(client, ehr)
    back = framed_callback(authorize(started), client)
    framed = Client()  # the frame's next request carries the cookie the callback set
    framed.cookies["workup_draft"] = back.cookies["workup_draft"].value
    screen = framed.get(back["Location"])
    assert screen.status_code == 200
    for response in (started, back, screen):
        assert frame_ancestors(response) == "frame-ancestors " + " ".join(EHR_ORIGINS)
        assert "X-Frame-Options" not in response


def test_the_rest_of_the_policy_is_unchanged_when_framed(client, ehr):
    started = start(client, ehr)
    plain = client.get("/")
    keep = {d.strip() for d in plain["Content-Security-Policy"].split(";") if not d.strip().startswith(
        ("frame-ancestors", "script-src"))}  # script-src carries a per-response nonce
    assert keep <= {d.strip() for d in started["Content-Security-Policy"].split(";")}


def test_launch_from_an_ehr_without_frame_origins_cannot_be_framed(client, ehr, settings):
    settings.SMART_EHRS = [{"iss": ehr.iss, "client_id": CLIENT_ID}]
    started = start(client, ehr)
    back = framed_callback(authorize(started), client)
    screen = Client().get(back["Location"])
    for response in (started, back, screen):
        assert frame_ancestors(response) == "frame-ancestors 'none'"
        assert response["X-Frame-Options"] == "DENY"


def test_other_pages_and_other_drafts_cannot_be_framed(client, ehr):
    framed_callback(authorize(start(client, ehr)), client)  # a live embedded launch exists
    other_draft = drafts.draft_create(case_data={"hemoglobin": {"value": 11.0, "unit": "g/dL"}})
    for response in (client.get("/"), client.get("/", {"draft": other_draft}, follow=True), client.get("/learn/rules")):
        assert frame_ancestors(response) == "frame-ancestors 'none'"
        assert response["X-Frame-Options"] == "DENY"


def test_a_state_completes_one_launch_only(client, ehr):
    query = authorize(start(client, ehr))
    assert framed_callback(query, client).status_code == 302
    again = framed_callback(query, client)
    assert again.status_code == 400 and "state" in again.content.decode()


def test_an_expired_launch_is_refused(client, ehr):
    query = authorize(start(client, ehr))
    SmartLaunch.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert framed_callback(query, client).status_code == 400


def test_an_authorization_error_takes_the_launch(client, ehr):
    query = authorize(start(client, ehr))
    assert Client().get("/launch/callback", {"error": "access_denied", "state": query["state"]}).status_code == 400
    assert framed_callback(query, client).status_code == 400


def test_no_secret_of_the_launch_stays_once_taken(client, ehr):
    framed_callback(authorize(start(client, ehr)), client)
    (row,) = SmartLaunch.objects.all()
    assert row.taken and row.verifier == ""


@pytest.mark.parametrize("origin", ["*", "https://ehr.example.org; script-src *", "'self'", "https://*.example.org"])
def test_a_frame_origin_that_is_not_a_plain_origin_refuses_the_launch(client, ehr, settings, origin):
    settings.SMART_EHRS = [{"iss": ehr.iss, "client_id": CLIENT_ID, "frame_origins": [origin]}]
    response = client.get("/launch", {"iss": ehr.iss, "launch": LAUNCH})
    assert response.status_code == 400
    assert frame_ancestors(response) == "frame-ancestors 'none'"
    assert not SmartLaunch.objects.exists()
