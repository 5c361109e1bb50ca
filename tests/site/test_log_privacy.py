"""No log line, at any level, carries a clinical value or an identifier from a request."""

from __future__ import annotations

import json
import logging

import pytest

DISTINCTIVE = ("11.37", "3.217", "2026-03-17", "Zebedee")  # values too short to search for (age) are left out
VALID_CASE = {
    "hemoglobin": {"value": 11.37, "unit": "g/dL"},
    "wbc": {"value": 3.217, "unit": "10^9/L"},
    "age": 83,
    "evaluation_date": "2026-03-17",
}
INVALID_CASE = {**VALID_CASE, "patient_name": "Zebedee Quux", "hemoglobin": {"value": 11.37, "unit": "g/furlong"}}


@pytest.fixture
def all_logs(caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django")
    return caplog


def _logged_text(caplog) -> str:
    """Every line a handler would write: the formatted messages and any traceback text."""
    return caplog.text + "\n".join(r.exc_text or "" for r in caplog.records)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (json.dumps(VALID_CASE), 200),
        (json.dumps(INVALID_CASE), 400),
        (json.dumps(VALID_CASE)[:-1], 400),
        (json.dumps({**VALID_CASE, "padding": "x" * 300_000}), 413),
    ],
    ids=["valid", "invalid", "malformed", "too-large"],
)
def test_log_privacy_api_logs_no_values(client, all_logs, body, status):
    response = client.post("/api/v1/evaluate?hb=11.37", body, content_type="application/json")
    assert response.status_code == status
    text = _logged_text(all_logs)
    for value in DISTINCTIVE:
        assert value not in text


def test_log_privacy_capture_sees_bad_requests(client, all_logs):
    """The capture works: Django's own 400 warning is recorded (by path only)."""
    client.post("/api/v1/evaluate", json.dumps(INVALID_CASE), content_type="application/json")
    assert "Bad Request: /api/v1/evaluate" in _logged_text(all_logs)
