"""Every golden case through POST /api/v1/evaluate: the disposition and the rules that fired."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CASES = json.loads((Path(__file__).parent.parent / "cases" / "golden.json").read_text())["cases"]
# The engine warns that the entered FLC ratio (9) disagrees with κ/λ (0.8); the golden case expects
# no warning. Engine or case must change (issue 2); until then this is a known, strict failure.
KNOWN_DISAGREEMENTS = {"flc-entered-ratio-takes-precedence"}


def _param(case: dict):
    marks = [pytest.mark.xfail(strict=True, reason="WARN-FLC-RATIO-DISCREPANCY not in the golden case")]
    return pytest.param(case, id=case["name"], marks=marks if case["name"] in KNOWN_DISAGREEMENTS else [])


def _evaluate(client, case_input: dict) -> dict:
    response = client.post("/api/v1/evaluate", json.dumps(case_input), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def _fired(result: dict) -> set[str]:
    groups = ("triggers", "deferral_considerations", "imaging", "follow_up")
    return {finding["id"] for group in groups for finding in result[group]}


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_api_golden_case(client, case):
    result, expected = _evaluate(client, case["input"]), case["expected"]
    assert result["disposition"] == expected["disposition"]
    assert _fired(result) == set(expected["fired"])
    assert {p["id"] for p in result["pitfalls"] if p["active"]} == set(expected["active_pitfalls"])
    assert {m["id"] for m in result["mri"]} == set(expected["mri"])
    assert {w["id"] for w in result["warnings"]} == set(expected["warnings"])
    if "follow_up_due_date" in expected:
        assert result["follow_up"][0]["due_date"] == expected["follow_up_due_date"]
