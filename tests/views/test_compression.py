"""Responses travel compressed when the client accepts it; tiny ones stay as they are."""

from __future__ import annotations

import gzip
import json


def test_compression_api_response_is_gzipped(client):
    case = {"age": 70, "hemoglobin": {"value": 9.1, "unit": "g/dL"}, "evaluation_date": "2026-03-15"}
    response = client.post("/api/v1/evaluate", json.dumps(case), content_type="application/json",
                           HTTP_ACCEPT_ENCODING="gzip")
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert json.loads(gzip.decompress(response.content))["disposition"] == "PROCEED_TO_BIOPSY"


def test_compression_not_applied_without_accept_encoding(client):
    response = client.get("/api/v1/pathway")
    assert "Content-Encoding" not in response.headers


def test_compression_skips_tiny_healthz(client):
    response = client.get("/healthz", HTTP_ACCEPT_ENCODING="gzip")
    assert response.content == b"ok"
