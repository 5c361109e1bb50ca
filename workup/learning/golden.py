"""The golden cases (workup/pathway/golden.json) as teaching material: read at runtime, never copied.

The file ships in the repository; the evidence library shows which cases exercise each rule and
the map can load any of them by name.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

GOLDEN_CASES_PATH = Path(__file__).resolve().parents[1] / "pathway" / "golden.json"


@cache
def golden_cases() -> tuple[dict, ...]:
    return tuple(json.loads(GOLDEN_CASES_PATH.read_text(encoding="utf-8"))["cases"])


def golden_case(name: str) -> dict | None:
    return next((case for case in golden_cases() if case["name"] == name), None)


def cases_by_disposition() -> tuple[tuple[str, tuple[dict, ...]], ...]:
    """The cases grouped by their expected disposition, for the map's case picker."""
    groups: dict[str, list[dict]] = {}
    for case in golden_cases():
        groups.setdefault(case["expected"]["disposition"], []).append(case)
    return tuple((disposition, tuple(cases)) for disposition, cases in groups.items())


def case_rule_ids(case: dict) -> frozenset[str]:
    """Every rule a golden case expects to hold: fired, active pitfalls, MRI signs, scope guards."""
    expected = case["expected"]
    return frozenset(
        [*expected["fired"], *expected["active_pitfalls"], *expected["mri"], *expected["warnings"]]
    )


def cases_exercising(rule_id: str) -> tuple[dict, ...]:
    """The golden cases in which the rule holds."""
    return tuple(case for case in golden_cases() if rule_id in case_rule_ids(case))


def cases_meeting(criterion_id: str) -> tuple[dict, ...]:
    """The golden cases whose expected cross-check has this criterion met (SPEC §10)."""
    return tuple(
        case
        for case in golden_cases()
        if any(c["id"] == criterion_id and c["status"] == "met" for c in case.get("criteria", ()))
    )


def cases_pinning(criterion_id: str) -> tuple[dict, ...]:
    """The golden cases whose expected cross-check pins this criterion's status, whatever it is."""
    return tuple(
        case for case in golden_cases() if any(c["id"] == criterion_id for c in case.get("criteria", ()))
    )
