"""/healthz: the load balancer's probe answers without touching the database or a template."""

from __future__ import annotations


def test_healthz_answers_ok_without_database(client):
    # No django_db mark: pytest-django fails the test on any database access.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response.headers["Content-Type"] == "text/plain"


def test_healthz_refuses_post(client):
    assert client.post("/healthz").status_code == 405
