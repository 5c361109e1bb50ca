"""Security headers on every kind of response. The screen and the fragment join with one line each."""

from __future__ import annotations

import json

import pytest

from tests.support_headers import assert_security_headers

GOOD_CASE = {"hemoglobin": {"value": 13.5, "unit": "g/dL"}, "evaluation_date": "2026-03-15"}
BAD_CASE = {"hemoglobin": {"value": 13.5, "unit": "furlongs"}}


def _post(client, body: dict, **extra):
    return client.post("/api/v1/evaluate", json.dumps(body), content_type="application/json", **extra)


def test_security_headers_api_evaluate_ok(client):
    response = _post(client, GOOD_CASE)
    assert response.status_code == 200
    assert_security_headers(response)


def test_security_headers_api_evaluate_invalid(client):
    response = _post(client, BAD_CASE)
    assert response.status_code == 400
    assert_security_headers(response)


def test_security_headers_api_pathway(client):
    response = client.get("/api/v1/pathway")
    assert response.status_code == 200
    assert_security_headers(response)


def test_security_headers_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert_security_headers(response)


def test_security_headers_too_large(client, settings):
    response = _post(client, {"padding": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    assert response.status_code == 413
    assert_security_headers(response)


@pytest.mark.parametrize("url", ["/api/v1/pathway", "/healthz"])
def test_security_headers_over_https_include_hsts(client, url):
    assert_security_headers(client.get(url, secure=True), https=True)


def test_security_headers_helper_rejects_unsafe_inline():
    headers = {
        "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'",
    }
    with pytest.raises(AssertionError):
        assert_security_headers(headers)


# --- The screen, its fragment, learning mode and a saved case -------------------------------------

SCREEN_FORM = {"hemoglobin": "10.8", "hemoglobin_unit": "g/dL", "show_map": "on"}


def test_security_headers_screen(client):
    response = client.get("/")
    assert response.status_code == 200
    assert_security_headers(response)


def test_security_headers_screen_plain_post(client):
    response = client.post("/", SCREEN_FORM)
    assert response.status_code == 200
    assert_security_headers(response)


def test_security_headers_fragment(client):
    response = client.post("/", SCREEN_FORM, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content.lstrip().startswith(b'<section id="recommendation-panel"')
    assert_security_headers(response)


@pytest.mark.parametrize("url", ["/learn/map", "/learn/rules/BX-ANEMIA", "/about"])
def test_security_headers_learn_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.django_db
def test_security_headers_saved_case_page(client, django_user_model):
    from workup.saved import services as saved_services

    author = django_user_model.objects.create_user(username="rad-headers", password="pw")
    saved = saved_services.workup_save(author=author, inputs_json=json.dumps(GOOD_CASE))
    client.force_login(author)
    response = client.get(f"/cases/{saved.reference}")
    assert response.status_code == 200
    assert_security_headers(response)
