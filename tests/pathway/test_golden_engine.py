"""Every golden case through the pure engine (no Django, no database)."""

import pytest

from tests.golden import (
    criteria_params,
    golden_cases,
    golden_params,
    observed,
    observed_criteria,
    representative_names,
    rule_cover_names,
)
from workup.pathway.engine import evaluate
from workup.pathway.parsing import case_from_json
from workup.pathway.rules import RULES


@pytest.mark.parametrize("case", golden_params())
def test_golden_case_engine(case):
    result = evaluate(case_from_json(data=case["input"])).to_dict()
    assert observed(result) == case["expected"]


@pytest.mark.parametrize("case", criteria_params())
def test_golden_case_engine_criteria(case):
    result = evaluate(case_from_json(data=case["input"])).to_dict()
    assert observed_criteria(result) == case["criteria"]


# SPEC §10: the statuses each criterion can take (focal never "not met" from a lumbar MRI; the
# marrow plasma-cell criterion never judged), and the MGUS strata.
CRITERION_STATUSES = {
    "CRIT-WHO-ANEMIA": {"met", "not_met", "not_evaluable"},
    "CRIT-IMWG-ANEMIA": {"met", "not_met", "not_evaluable"},
    "CRIT-IMWG-CALCIUM": {"met", "not_met", "not_evaluable"},
    "CRIT-IMWG-RENAL": {"met", "not_met", "not_evaluable"},
    "CRIT-FLC-PUBLISHED": {"met", "not_met", "not_evaluable"},
    "CRIT-SLIM-FLC": {"met", "not_met", "not_evaluable"},
    "CRIT-SLIM-FOCAL": {"met", "not_evaluable"},
    "CRIT-SLIM-BMPC": {"not_evaluable"},
    "CRIT-MGUS-RISK": {"met", "not_met", "not_evaluable"},
}


@pytest.mark.parametrize(("criterion_id", "statuses"), sorted(CRITERION_STATUSES.items()))
def test_golden_cases_pin_every_criterion_status(criterion_id, statuses):
    seen = {c["status"] for case in golden_cases() for c in case.get("criteria", ()) if c["id"] == criterion_id}
    assert seen == statuses


def test_golden_cases_pin_every_mgus_stratum():
    seen = {c["value"] for case in golden_cases() for c in case.get("criteria", ()) if c["id"] == "CRIT-MGUS-RISK"}
    assert seen == {"low", "low-intermediate", "high-intermediate", "high", None}


def _fired_or_active(case) -> set[str]:
    expected = case["expected"]
    return {*expected["fired"], *expected["active_pitfalls"], *expected["mri"], *expected["warnings"],
            *expected["urgent"]}


# Criteria never fire: their statuses are pinned separately (test_criteria, golden "criteria").
SPEC_RULE_IDS = {r.id for r in RULES if not r.id.startswith(("WARN-", "CRIT-"))}


@pytest.mark.parametrize("rule_id", sorted(SPEC_RULE_IDS))
def test_golden_cases_exercise_rule_both_ways(rule_id):
    hits = [c for c in golden_cases() if rule_id in _fired_or_active(c)]
    misses = [c for c in golden_cases() if rule_id not in _fired_or_active(c)]
    assert hits, f"no golden case fires {rule_id}"
    assert misses, f"no golden case leaves {rule_id} quiet"


@pytest.mark.parametrize(
    "disposition",
    ["PROCEED_TO_BIOPSY", "COMPLETE_WORKUP", "DEFERRAL_REASONABLE", "BIOPSY_STRONGLY_CONSIDERED"],
)
def test_golden_cases_cover_disposition(disposition):
    assert sum(c["expected"]["disposition"] == disposition for c in golden_cases()) >= 3


def test_golden_cases_use_every_unit():
    from workup.pathway.units import ANALYTES

    used = {
        (key, value["unit"])
        for case in golden_cases()
        for key, value in case["input"].items()
        if isinstance(value, dict) and "unit" in value
    }
    missing = {(a.key, u) for a in ANALYTES.values() for u in a.unit_symbols} - used
    assert not missing


def test_golden_cases_use_every_reference_limit_override():
    from workup.pathway.inputs import REFERENCE_LIMIT_KEYS

    used = {key for case in golden_cases() for key in case["input"].get("reference_limits", {})}
    assert used == set(REFERENCE_LIMIT_KEYS)


def _what_the_engine_shows(cases) -> set[tuple]:
    shown = set()
    for case in cases:
        result = evaluate(case_from_json(data=case["input"])).to_dict()
        shown.add(("disposition", result["disposition"]))
        for group in ("triggers", "deferral_considerations", "imaging", "follow_up", "warnings", "mri"):
            shown |= {("rule", item["id"]) for item in result[group]}
        shown |= {("pitfall", p["id"]) for p in result["pitfalls"] if p["active"]}
        shown |= {("criterion", c["id"], c["status"]) for c in result["criteria"]}
    return shown


def test_the_screens_subset_shows_everything_the_engine_shows_on_the_whole_golden_set():
    subset = [case for case in golden_cases() if case["name"] in representative_names()]
    assert len(subset) < len(golden_cases()) / 4
    assert _what_the_engine_shows(subset) == _what_the_engine_shows(golden_cases())


def test_the_browsers_cover_fires_every_rule_the_whole_golden_set_fires():
    cover = [case for case in golden_cases() if case["name"] in rule_cover_names()]
    rules = {item for item in _what_the_engine_shows(golden_cases()) if item[0] != "criterion"}
    assert rules <= _what_the_engine_shows(cover)
