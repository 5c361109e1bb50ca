"""Oversized bodies are refused with 413 before any view reads them."""

from __future__ import annotations

import json


def test_request_size_limit_api_answers_413_json(client, settings):
    body = json.dumps({"padding": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    response = client.post("/api/v1/evaluate", body, content_type="application/json")
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/json"
    assert "larger than" in response.json()["errors"]["body"][0]


def test_request_size_limit_at_limit_is_read(client, settings):
    body = json.dumps({"age": 50}).ljust(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    response = client.post("/api/v1/evaluate", body, content_type="application/json")
    assert response.status_code == 200


def test_request_size_limit_other_paths_answer_413_text(client, settings):
    response = client.post("/healthz", "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), content_type="text/plain")
    assert response.status_code == 413
    assert response.headers["Content-Type"].startswith("text/plain")


def test_request_size_limit_invalid_content_length_is_400(client):
    response = client.generic("POST", "/api/v1/evaluate", b"{}", CONTENT_LENGTH="many")
    assert response.status_code == 400

