"""HTML travels gzipped when the client accepts it; JSON goes out as is (CPU is the bottleneck)."""

from __future__ import annotations

import json


def test_compression_api_json_is_not_gzipped(client):
    case = {"age": 70, "hemoglobin": {"value": 9.1, "unit": "g/dL"}, "evaluation_date": "2026-03-15"}
    response = client.post("/api/v1/evaluate", json.dumps(case), content_type="application/json",
                           HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in response.headers
    assert response.json()["disposition"] == "PROCEED_TO_BIOPSY"
