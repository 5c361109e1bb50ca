"""The published-criteria cross-check (SPEC §10) through the pure engine, boundary by boundary."""

import dataclasses

import pytest

from tests.golden import golden_params, observed
from workup.pathway import engine
from workup.pathway.conditions import Always, NeverEvaluable
from workup.pathway.engine import PATHWAY_INFO, evaluate, pathway_content
from workup.pathway.parsing import case_from_json
from workup.pathway.rules import CRITERIA, RULES
from workup.pathway.wording import RuleKind


def _q(value, unit):
    return {"value": value, "unit": unit}


def _criteria(**data):
    result = evaluate(case_from_json(data=data))
    return {c.id: c for c in result.criteria}


def _status(criterion_id, **data):
    return _criteria(**data)[criterion_id].status


# A normal core panel for a man: a base the boundary cases change one value of.
NORMAL = {
    "sex": "male", "age": 60, "hemoglobin": _q(14.0, "g/dL"), "spep": "not_detected", "ife": "not_detected",
    "flc_kappa": _q(12.0, "mg/L"), "flc_lambda": _q(15.0, "mg/L"), "calcium": _q(9.5, "mg/dL"),
    "albumin": _q(4.0, "g/dL"), "creatinine": _q(0.9, "mg/dL"), "beta2_microglobulin": _q(1.8, "mg/L"),
    "evaluation_date": "2026-03-15",
}
NORMAL_RATIO = {**{k: v for k, v in NORMAL.items() if k not in ("flc_kappa", "flc_lambda")}, "flc_ratio": 1.0}


def test_criteria_are_rows_of_the_rule_table_in_spec_order():
    ids = [r.id for r in RULES if r.kind is RuleKind.CRITERION]
    assert ids == [
        "CRIT-WHO-ANEMIA", "CRIT-IMWG-ANEMIA", "CRIT-IMWG-CALCIUM", "CRIT-IMWG-RENAL", "CRIT-FLC-PUBLISHED",
        "CRIT-SLIM-FLC", "CRIT-SLIM-FOCAL", "CRIT-SLIM-BMPC", "CRIT-MGUS-RISK",
    ]
    assert all(r.citations for r in CRITERIA)


def test_criteria_are_covered_by_the_content_hash():
    content = pathway_content()
    rows = {row["id"]: row for row in content["rules"]}
    assert rows["CRIT-FLC-PUBLISHED"]["related_rules"] == ["BX-FLC"]
    assert "WHO_HB_MIN" in {t["name"] for t in content["thresholds"]}
    assert "criteria_beyond_source" in content["wording"]["text"]
    assert PATHWAY_INFO.hash.startswith("sha256:")


def test_result_lists_every_criterion_in_table_order():
    result = evaluate(case_from_json(data={}))
    assert [c.id for c in result.criteria] == [r.id for r in CRITERIA]
    assert "criteria" in result.to_dict()


@pytest.mark.parametrize(
    ("sex", "hb", "status"),
    [("male", 12.9, "met"), ("male", 13.0, "not_met"), ("female", 11.9, "met"), ("female", 12.0, "not_met"),
     ("unspecified", 8.0, "not_evaluable"), (None, 8.0, "not_evaluable")],
)
def test_who_anemia_by_sex(sex, hb, status):
    data = {"hemoglobin": _q(hb, "g/dL")}
    if sex:
        data["sex"] = sex
    assert _status("CRIT-WHO-ANEMIA", **data) == status


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"hemoglobin": _q(9.9, "g/dL"), "sex": "female"}, "met"),
        ({"hemoglobin": _q(10.0, "g/dL"), "sex": "female"}, "not_met"),  # LLN 12 − 2 = 10: not below
        ({"hemoglobin": _q(11.0, "g/dL"), "sex": "male"}, "not_met"),  # LLN 13 − 2 = 11: exactly 2.0 below
        ({"hemoglobin": _q(10.9, "g/dL"), "sex": "male"}, "met"),
        ({"hemoglobin": _q(11.4, "g/dL"), "reference_limits": {"hemoglobin_lln": _q(13.5, "g/dL")}}, "met"),
        ({"hemoglobin": _q(11.5, "g/dL"), "reference_limits": {"hemoglobin_lln": _q(13.5, "g/dL")}}, "not_met"),
        ({}, "not_evaluable"),
    ],
)
def test_imwg_anemia_at_lln_minus_two(data, status):
    assert _status("CRIT-IMWG-ANEMIA", **data) == status


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"calcium": _q(11.0, "mg/dL")}, "not_met"),
        ({"calcium": _q(11.01, "mg/dL")}, "met"),
        ({"calcium": _q(2.75, "mmol/L")}, "not_met"),
        ({"calcium": _q(10.5, "mg/dL"), "reference_limits": {"calcium_uln": _q(9.5, "mg/dL")}}, "not_met"),
        ({"calcium": _q(10.6, "mg/dL"), "reference_limits": {"calcium_uln": _q(9.5, "mg/dL")}}, "met"),
        ({"calcium": _q(10.9, "mg/dL"), "albumin": _q(2.8, "g/dL")}, "met"),  # corrected 11.86
        ({}, "not_evaluable"),
    ],
)
def test_imwg_calcium_at_11_and_uln_plus_one(data, status):
    assert _status("CRIT-IMWG-CALCIUM", **data) == status


@pytest.mark.parametrize(
    ("data", "status", "missing"),
    [
        ({"creatinine": _q(2.0, "mg/dL")}, "not_met", ("egfr",)),
        ({"creatinine": _q(2.01, "mg/dL")}, "met", ("egfr",)),
        ({"creatinine": _q(177, "µmol/L")}, "not_met", ("egfr",)),
        ({"egfr": _q(40, "mL/min/1.73m2")}, "not_met", ("creatinine",)),
        ({"egfr": _q(39, "mL/min/1.73m2")}, "met", ("creatinine",)),
        ({"creatinine": _q(1.0, "mg/dL"), "egfr": _q(39, "mL/min/1.73m2")}, "met", ()),
        ({}, "not_evaluable", ("creatinine", "egfr")),
    ],
)
def test_imwg_renal_alternatives(data, status, missing):
    criterion = _criteria(**data)["CRIT-IMWG-RENAL"]
    assert (criterion.status, criterion.missing) == (status, missing)


@pytest.mark.parametrize(
    ("ratio", "status"),
    [(8, "met"), (7.99, "not_met"), (0.125, "met"), (0.126, "not_met"), (8.01, "met"), (0.124, "met")],
)
def test_flc_published_is_inclusive(ratio, status):
    assert _status("CRIT-FLC-PUBLISHED", flc_ratio=ratio) == status


@pytest.mark.parametrize(
    ("kappa", "lam", "status"),
    [
        (100, 1, "met"),  # κ involved: ratio 100, involved 100 mg/L
        (99.9, 1, "not_met"),
        (1, 100, "met"),  # λ involved
        (1, 99.9, "not_met"),
        (150, 2, "not_met"),  # involved 150 mg/L but ratio 75
        (90, 0.5, "not_met"),  # ratio 180 but involved 90 mg/L
    ],
)
def test_slim_flc_involved_chain(kappa, lam, status):
    data = {"flc_kappa": _q(kappa, "mg/L"), "flc_lambda": _q(lam, "mg/L")}
    assert _status("CRIT-SLIM-FLC", **data) == status


def test_slim_flc_needs_both_chains():
    criterion = _criteria(flc_ratio=500, flc_kappa=_q(500, "mg/L"))["CRIT-SLIM-FLC"]
    assert (criterion.status, criterion.missing) == ("not_evaluable", ("flc_lambda",))


def test_slim_flc_reads_mg_dl():
    assert _status("CRIT-SLIM-FLC", flc_kappa=_q(10, "mg/dL"), flc_lambda=_q(1, "mg/L")) == "met"


@pytest.mark.parametrize(
    ("focal", "status"),
    [("more_than_one", "met"), ("one", "not_evaluable"), ("none", "not_evaluable"), (None, "not_evaluable")],
)
def test_slim_focal_is_never_not_met_from_a_lumbar_mri(focal, status):
    data = {"focal_lesions": focal} if focal else {}
    assert _status("CRIT-SLIM-FOCAL", **data) == status


def test_slim_bmpc_is_never_evaluable():
    criterion = _criteria(**NORMAL)["CRIT-SLIM-BMPC"]
    assert criterion.status == "not_evaluable"
    assert "marrow" in criterion.reason


MGUS_BASE = {"spep": "detected", "ife": "detected", "flc_kappa": _q(12, "mg/L"), "flc_lambda": _q(15, "mg/L")}


@pytest.mark.parametrize(
    ("isotype", "mprotein", "kappa", "status", "value"),
    [
        ("igg", _q(0.5, "g/dL"), 12, "not_met", "low"),
        ("igg", _q(1.5, "g/dL"), 12, "met", "low-intermediate"),  # M-protein factor at its boundary
        ("igg", _q(1.49, "g/dL"), 12, "not_met", "low"),
        ("igg", _q(15, "g/L"), 12, "met", "low-intermediate"),
        ("iga", _q(0.5, "g/dL"), 12, "met", "low-intermediate"),  # isotype factor
        ("igm", _q(0.5, "g/dL"), 12, "met", "low-intermediate"),
        ("igg", _q(0.5, "g/dL"), 30, "met", "low-intermediate"),  # FLC ratio 2.0 factor
        ("iga", _q(2.0, "g/dL"), 12, "met", "high-intermediate"),
        ("iga", _q(2.0, "g/dL"), 30, "met", "high"),
    ],
)
def test_mgus_risk_strata(isotype, mprotein, kappa, status, value):
    data = {**MGUS_BASE, "involved_isotype": isotype, "mprotein_concentration": mprotein,
            "flc_kappa": _q(kappa, "mg/L")}
    criterion = _criteria(**data)["CRIT-MGUS-RISK"]
    assert (criterion.status, criterion.value) == (status, value)


def test_mgus_partial_factors_prove_the_lowest_stratum():
    data = {**MGUS_BASE, "involved_isotype": "iga"}  # M-protein concentration unknown
    criterion = _criteria(**data)["CRIT-MGUS-RISK"]
    assert (criterion.status, criterion.value, criterion.missing) == (
        "met", "low-intermediate", ("mprotein_concentration",)
    )


def test_mgus_partial_factors_without_a_known_factor_are_not_evaluable():
    data = {"spep": "detected", "involved_isotype": "igg"}
    criterion = _criteria(**data)["CRIT-MGUS-RISK"]
    assert (criterion.status, criterion.value) == ("not_evaluable", None)
    assert criterion.missing == ("flc_ratio", "mprotein_concentration")


@pytest.mark.parametrize("isotype", ["light_chain_only", "unknown"])
def test_mgus_light_chain_or_unknown_isotype_not_evaluable(isotype):
    data = {**MGUS_BASE, "involved_isotype": isotype, "mprotein_concentration": _q(2.0, "g/dL")}
    assert _status("CRIT-MGUS-RISK", **data) == "not_evaluable"


def test_mgus_without_detected_mprotein_not_evaluable():
    data = {**NORMAL, "involved_isotype": "iga", "mprotein_concentration": _q(2.0, "g/dL")}
    assert _status("CRIT-MGUS-RISK", **data) == "not_evaluable"


def test_basis_shows_entered_value_unit_and_threshold():
    criterion = _criteria(calcium=_q(2.8, "mmol/L"))["CRIT-IMWG-CALCIUM"]
    first = criterion.basis[0]
    assert (str(first.entered_value), first.entered_unit, first.canonical_unit) == ("2.8", "mmol/L", "mg/dL")
    assert first.threshold == "CALCIUM_CRAB"
    assert str(first.threshold_value) == "2.75"


@pytest.mark.parametrize("case", golden_params())
def test_criteria_never_change_the_result(case, monkeypatch):
    """Whether every criterion is met or none can be judged, the rest of the result is the same."""
    parsed = case_from_json(data=case["input"])
    results = []
    for condition in (Always(), NeverEvaluable("nothing")):
        rows = tuple(dataclasses.replace(rule, condition=condition, strata=()) for rule in CRITERIA)
        monkeypatch.setitem(engine.RULES_BY_KIND, RuleKind.CRITERION, rows)
        results.append(evaluate(parsed).to_dict())
    met, unjudged = results
    assert {c["status"] for c in met["criteria"]} == {"met"}
    assert {c["status"] for c in unjudged["criteria"]} == {"not_evaluable"}
    del met["criteria"], unjudged["criteria"]
    assert met == unjudged
    assert observed(met) == case["expected"]


def test_mprotein_concentration_alone_changes_only_the_criteria():
    base = evaluate(case_from_json(data=NORMAL_RATIO)).to_dict()
    more = evaluate(case_from_json(data={**NORMAL_RATIO, "mprotein_concentration": _q(3.0, "g/dL")})).to_dict()
    assert base["unknowns"] == more["unknowns"]
    del base["criteria"], more["criteria"]
    assert base == more


def test_flc_ratio_8_meets_the_published_criterion_beyond_the_source():
    result = evaluate(case_from_json(data={**NORMAL_RATIO, "flc_ratio": 8}))
    assert "BX-FLC" not in result.fired_ids
    assert {c.id: c.status for c in result.criteria}["CRIT-FLC-PUBLISHED"] == "met"
    (beyond,) = result.criteria_summary  # only the lines that say something (SPEC 1.2 §10)
    assert beyond == ("Published thresholds met where the source does not trigger: FLC κ/λ ratio 8 "
                      "(FLC breakpoint as published).")
    assert "CRIT-" not in beyond


def test_summary_lines_split_supported_and_source_alone():
    data = {"hemoglobin": _q(11.5, "g/dL"), "sex": "female", "age": 60, "unexplained_weight_loss": True}
    supported, alone = evaluate(case_from_json(data=data)).criteria_summary
    assert supported == ("Source triggers whose values also meet a published threshold: hemoglobin below "
                         "12 g/dL (WHO anaemia).")
    assert alone == "Source triggers with no published threshold behind them: over 50 with unexplained weight loss."


def test_man_with_hb_12_5_meets_who_beyond_the_source():
    result = evaluate(case_from_json(data={"hemoglobin": _q(12.5, "g/dL"), "sex": "male"}))
    assert "BX-ANEMIA" not in result.fired_ids
    assert result.criteria_summary[-1] == (
        "Published thresholds met where the source does not trigger: Hemoglobin 12.5 g/dL (WHO anaemia).")
