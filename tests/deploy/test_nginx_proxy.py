"""The production stack as docs/deploy.md requires it: nginx (deploy/nginx.conf) in front of gunicorn."""

from __future__ import annotations

import http.client
import time

import pytest

from scripts.slow_clients import SlowClients, healthz_seconds

pytestmark = pytest.mark.slow


def _https(port: int, tls, method: str, path: str, **kwargs) -> tuple[http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=tls)
    try:
        conn.request(method, path, **kwargs)
        response = conn.getresponse()
        return response, response.read()
    finally:
        conn.close()


def test_nginx_proxy_slow_clients_do_not_delay_healthz(nginx_stack):
    """50 clients trickling headers would hold both sync workers; through nginx each probe takes < 1 s."""
    _, https_port, tls = nginx_stack
    timings = []
    with SlowClients(https_port, count=50, tls=tls, limit=20):
        for _ in range(5):  # over ~2.5 s, while every slow client sends a few more header lines
            timings.append(healthz_seconds(https_port, tls=tls, timeout=5))
            time.sleep(0.5)
    assert None not in timings, timings
    assert max(timings) < 1.0, timings


def test_nginx_proxy_serves_the_app_over_https_as_secure(nginx_stack):
    """nginx sets X-Forwarded-Proto itself, so Django sees HTTPS: no redirect, HSTS, Secure cookies."""
    _, https_port, tls = nginx_stack
    response, _ = _https(https_port, tls, "GET", "/admin/login/", headers={"X-Forwarded-Proto": "http"})
    assert response.status == 200
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Server"] == "nginx"


def test_nginx_proxy_plain_http_redirects_but_answers_healthz(nginx_stack):
    http_port, _, _ = nginx_stack
    conn = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
    conn.request("GET", "/api/v1/pathway?x=1", headers={"X-Forwarded-Proto": "https"})
    response = conn.getresponse()
    assert (response.status, response.headers["Location"]) == (301, "https://127.0.0.1/api/v1/pathway?x=1")
    conn.close()
    assert healthz_seconds(http_port, timeout=5) is not None


def test_nginx_proxy_refuses_bodies_over_256_kib_itself(nginx_stack):
    _, https_port, tls = nginx_stack
    body = b"{" + b" " * (300 * 1024) + b"}"
    response, _ = _https(https_port, tls, "POST", "/api/v1/evaluate", body=body,
                         headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert response.headers["Server"] == "nginx"


def test_nginx_proxy_keeps_the_port_for_the_csrf_origin_check(nginx_stack):
    """A browser's htmx POST passes Django's Origin check through nginx on a non-default port."""
    _, https_port, tls = nginx_stack
    response, _ = _https(https_port, tls, "GET", "/")
    token = response.headers["Set-Cookie"].split("csrftoken=", 1)[1].split(";", 1)[0]
    origin = f"https://127.0.0.1:{https_port}"
    response, body = _https(https_port, tls, "POST", "/", body="age=61", headers={
        "Host": f"127.0.0.1:{https_port}", "Origin": origin, "Referer": origin + "/", "HX-Request": "true",
        "Cookie": f"csrftoken={token}", "X-CSRFToken": token, "Content-Type": "application/x-www-form-urlencoded",
    })
    assert response.status == 200, body[:300]
