"""The golden cases, shared by every test layer: engine, API and browser.

The valid cases live in the package (workup/pathway/golden.json), because the rule pages show them;
the refused inputs stay here (tests/cases/invalid.json).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from workup.learning import golden as learning_golden

CASES_DIR = Path(__file__).parent / "cases"


def golden_cases() -> tuple[dict, ...]:
    return learning_golden.golden_cases()


@cache
def invalid_cases() -> tuple[dict, ...]:
    return tuple(json.loads((CASES_DIR / "invalid.json").read_text())["cases"])


def golden_params():
    return [pytest.param(case, id=case["name"]) for case in golden_cases()]


# What a representative case can show: each of these, per case, from its expectation and input.
_EXPECTED_LISTS = ("fired", "active_pitfalls", "mri", "warnings", "options", "unknowns", "urgent")


def _shows(case: dict) -> set[tuple]:
    """Everything a case exercises: its disposition, each rule, pitfall, MRI item, warning, option and
    unknown it expects, each criterion status, each spec section, and each unit it is entered in."""
    expected = case["expected"]
    shown = {("disposition", expected["disposition"])}
    shown |= {(key, item) for key in _EXPECTED_LISTS for item in expected.get(key, [])}
    shown |= {("criterion", c["id"], c["status"]) for c in case.get("criteria", [])}
    shown |= {("spec", section) for section in case.get("spec", [])}
    shown |= {("unit", key, value["unit"]) for key, value in case["input"].items()
              if isinstance(value, dict) and "unit" in value}
    return shown


def _cover(shows) -> tuple[str, ...]:
    """Greedy set cover, ties in file order: the fewest golden cases that together show everything
    any golden case shows, by `shows`."""
    cases, covered, chosen = golden_cases(), set(), []
    everything = set().union(*map(shows, cases))
    while covered != everything:
        best = max(cases, key=lambda case: (len(shows(case) - covered), -cases.index(case)))
        chosen.append(best["name"])
        covered |= shows(best)
    return tuple(chosen)


def _rules_shown(case: dict) -> set[tuple]:
    expected = case["expected"]
    shown = {("disposition", expected["disposition"])}
    return shown | {(key, item) for key in ("fired", "active_pitfalls", "mri", "warnings", "urgent")
                    for item in expected[key]}


@cache
def representative_names() -> tuple[str, ...]:
    """The screen's and the SMART launch's subset of the golden set (issue 13): together these show
    everything the whole set shows (`_shows`), so every disposition, rule, option, unknown, unit and
    spec section still passes through those paths; the engine, the API and the CDS service run all."""
    return _cover(_shows)


@cache
def rule_cover_names() -> tuple[str, ...]:
    """The browser's golden cases beside its own: every disposition and every rule at least once."""
    return _cover(_rules_shown)


def representative_params():
    names = set(representative_names())
    return [pytest.param(case, id=case["name"]) for case in golden_cases() if case["name"] in names]


def invalid_params():
    return [pytest.param(case, id=case["name"]) for case in invalid_cases()]


def observed(result: dict) -> dict:
    """What a golden case pins down, read from a result in the JSON API's shape: the disposition,
    the rules, the option ids in order, the unknowns, the conflicts and every warning."""
    fired = [
        item["id"]
        for group in ("triggers", "deferral_considerations", "imaging", "follow_up")
        for item in result[group]
    ]
    got = {
        "disposition": result["disposition"],
        "fired": sorted(fired),
        "active_pitfalls": sorted(p["id"] for p in result["pitfalls"] if p["active"]),
        "mri": sorted(m["id"] for m in result["mri"]),
        "mri_reliability": {m["id"]: m["reliability"] for m in result["mri"]},
        "warnings": sorted(w["id"] for w in result["warnings"]),
        "options": [o["action"] for o in result["options"]],
        "unknowns": [u["key"] for u in result["unknowns"]],
        "conflicts": [[c["biopsy_rule"], c["deferral_rule"]] for c in result["conflicts"]],
        "urgent": sorted(u["id"] for u in result["urgent"]),
    }
    if result["follow_up"]:
        got["follow_up_due_date"] = result["follow_up"][0]["due_date"]
    return got


def criteria_params():
    """The golden cases that pin the published-criteria cross-check (SPEC §10)."""
    return [pytest.param(case, id=case["name"]) for case in golden_cases() if "criteria" in case]


def observed_criteria(result: dict) -> list[dict]:
    """What a golden case pins of the cross-check: each criterion's id, status and value, in order."""
    return [{"id": c["id"], "status": c["status"], "value": c["value"]} for c in result["criteria"]]
