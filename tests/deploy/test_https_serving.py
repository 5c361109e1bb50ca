"""gunicorn in production mode behind a TLS proxy: HSTS, secure cookies, redirects, static files."""

from __future__ import annotations

import gzip
import json
import re
import time

import pytest

from scripts.serving import cookies, fetch
from tests.deploy.support_admin import log_in
from tests.support_headers import assert_security_headers

pytestmark = pytest.mark.slow

DISTINCTIVE_CASE = {"hemoglobin": {"value": 11.37, "unit": "g/dL"}, "age": 83, "evaluation_date": "2026-03-17"}


def test_https_serving_login_page_headers_and_secure_csrf_cookie(server_pair):
    (port, _), _ = server_pair
    response, _ = fetch(port, "GET", "/admin/login/")
    assert response.status == 200
    assert_security_headers(response, https=True)
    assert "Secure" in cookies(response)["csrftoken"]


def test_https_serving_session_cookie_is_secure_and_httponly(server_pair):
    (port, _), _ = server_pair
    session = log_in(port)
    assert "; Secure" in session
    assert "; HttpOnly" in session


def test_https_serving_plain_http_redirects_to_https(server_pair):
    (port, _), _ = server_pair
    response, _ = fetch(port, "GET", "/api/v1/pathway", https=False)
    assert response.status == 301
    assert response.headers["Location"] == f"https://127.0.0.1:{port}/api/v1/pathway"


def test_https_serving_healthz_answers_plain_http_probes(server_pair):
    (port, _), _ = server_pair
    response, body = fetch(port, "GET", "/healthz", https=False)
    assert response.status == 200
    assert body == b"ok"


def test_https_serving_static_files_are_hashed_and_compressed(server_pair):
    (port, _), _ = server_pair
    response, page = fetch(port, "GET", "/admin/login/")
    stylesheet = re.search(rb'href="(/static/admin/css/base\.[0-9a-f]{12}\.css)"', page).group(1).decode()
    response, body = fetch(port, "GET", stylesheet, headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]
    assert b"body" in gzip.decompress(body)


def _wait_for_line(log, line: str) -> str:
    """The worker writes its access log line just after sending the response."""
    deadline = time.monotonic() + 5
    while line not in (text := log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert line in text
    return text


def test_https_serving_access_log_has_no_clinical_values(server_pair):
    (port, _), log = server_pair
    response, _ = fetch(port, "POST", "/api/v1/evaluate?hemoglobin=11.37", body=json.dumps(DISTINCTIVE_CASE).encode(),
                        headers={"Content-Type": "application/json"})
    assert response.status == 200
    text = _wait_for_line(log, '"POST /api/v1/evaluate" 200')
    assert "11.37" not in text
    assert "2026-03-17" not in text
