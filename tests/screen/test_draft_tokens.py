"""Issue 21 item 5: a draft's token stays out of URLs the screen lives at, out of paths, and out of logs."""

from __future__ import annotations

import pytest

from tests.support import parse
from workup.saved import drafts

pytestmark = pytest.mark.django_db

ANEMIA = {"hemoglobin": {"value": 10.8, "unit": "g/dL"}}


def test_draft_link_swaps_the_token_for_a_cookie_and_sends_no_referer(client):
    token = drafts.draft_create(case_data=ANEMIA)
    response = client.get("/", {"draft": token})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response["Referrer-Policy"] == "no-referrer"
    cookie = response.cookies["workup_draft"]
    assert cookie.value == token and cookie["httponly"] and cookie["path"] == "/"


def test_draft_screen_opens_at_a_url_without_the_token(client):
    token = drafts.draft_create(case_data=ANEMIA)
    response = client.get("/", {"draft": token}, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert parse(response.content).by_id("id_hemoglobin").attrs["value"] == "10.8"
    assert token not in response.content.decode()  # not in any link or form the page holds


def test_draft_cookie_is_read_once(client):
    token = drafts.draft_create(case_data=ANEMIA)
    client.get("/", {"draft": token}, follow=True)
    again = client.get("/")
    assert parse(again.content).by_id("id_hemoglobin").attrs.get("value") is None


def test_draft_api_takes_the_token_in_the_body_not_the_path(client):
    token = drafts.draft_create(case_data=ANEMIA)
    response = client.post("/api/v1/drafts", {"token": token}, content_type="application/json")
    assert response.json() == {"inputs": ANEMIA}
    assert client.get(f"/api/v1/drafts/{token}").status_code == 404
    refused = client.post("/api/v1/drafts", {"token": token, "x": 1}, content_type="application/json")
    assert refused.status_code == 400
