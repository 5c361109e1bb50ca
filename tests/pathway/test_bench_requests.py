"""The benchmark posts golden cases the way the screen's form and the API receive them."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl

from scripts.bench import api_requests, form_fields, fragment_requests

CASE = {
    "age": 61,
    "hemoglobin": {"value": 11.2, "unit": "g/dL"},
    "benign_context": ["smoker", "obesity"],
    "known_cause": False,
    "reference_limits": {"calcium_uln": {"value": 10.4, "unit": "mg/dL"}},
}


def test_bench_form_fields_use_spec_keys_and_unit_suffix():
    assert form_fields(CASE) == [
        ("age", "61"),
        ("hemoglobin", "11.2"),
        ("hemoglobin_unit", "g/dL"),
        ("benign_context", "smoker"),
        ("benign_context", "obesity"),
        ("known_cause", "no"),
        ("calcium_uln", "10.4"),
        ("calcium_uln_unit", "mg/dL"),
    ]


def test_bench_fragment_request_is_form_encoded():
    ((method, path, content_type, body),) = fragment_requests([CASE], "/")
    assert (method, path, content_type) == ("POST", "/", "application/x-www-form-urlencoded")
    assert ("hemoglobin_unit", "g/dL") in parse_qsl(body)
    assert "hemoglobin_unit=g%2FdL" in body


def test_bench_api_request_is_one_line_of_json():
    ((method, path, content_type, body),) = api_requests([CASE])
    assert (method, path, content_type) == ("POST", "/api/v1/evaluate", "application/json")
    assert "\n" not in body and "\t" not in body
    assert json.loads(body) == CASE
