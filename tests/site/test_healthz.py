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


def test_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v1/nothing/%0A")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"errors": {"path": ["No such resource."]}}


def test_unknown_page_answers_the_branded_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
