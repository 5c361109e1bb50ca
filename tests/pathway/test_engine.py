"""Engine behaviour beyond the golden sets: the basis of each recommendation, the result parts."""

import datetime as dt
from decimal import Decimal as D

import pytest

from workup.pathway.engine import evaluate
from workup.pathway.parsing import case_from_json

NORMAL = {
    "sex": "female",
    "age": 45,
    "hemoglobin": {"value": 13.5, "unit": "g/dL"},
    "wbc": {"value": 6.5, "unit": "10^9/L"},
    "platelets": {"value": 250, "unit": "10^9/L"},
    "spep": "not_detected",
    "ife": "not_detected",
    "flc_kappa": {"value": 12, "unit": "mg/L"},
    "flc_lambda": {"value": 15, "unit": "mg/L"},
    "calcium": {"value": 9.5, "unit": "mg/dL"},
    "albumin": {"value": 4.0, "unit": "g/dL"},
    "creatinine": {"value": 0.8, "unit": "mg/dL"},
    "beta2_microglobulin": {"value": 1.8, "unit": "mg/L"},
    "evaluation_date": "2026-03-15",
}


def run(**changes):
    return evaluate(case_from_json(data={**NORMAL, **changes}))


def finding(assessment, rule_id):
    groups = (assessment.triggers, assessment.deferral_considerations, assessment.imaging, assessment.follow_up)
    return next(f for group in groups for f in group if f.id == rule_id)


def test_normal_panel_defers_with_follow_up():
    a = run()
    assert a.disposition == "DEFERRAL_REASONABLE"
    assert finding(a, "FU-REPEAT-LABS").due_date == dt.date(2026, 6, 15)


def test_trigger_basis_shows_entered_canonical_and_threshold():
    a = run(hemoglobin={"value": 112, "unit": "g/L"})
    (matched,) = finding(a, "BX-ANEMIA").matched
    assert (matched.entered_value, matched.entered_unit) == (D(112), "g/L")
    assert (matched.canonical_value, matched.canonical_unit) == (D("11.2"), "g/dL")
    assert (matched.comparison, matched.threshold, matched.threshold_value) == ("<", "HB_TRIGGER", D("12.0"))
    assert matched.threshold_origin == "default"


def test_lab_reference_limit_is_named_in_the_basis():
    a = run(calcium={"value": 10.3, "unit": "mg/dL"}, reference_limits={"calcium_uln": {"value": 10.2, "unit": "mg/dL"}})
    (matched,) = finding(a, "BX-CALCIUM").matched
    assert matched.threshold_value == D("10.2")
    assert matched.threshold_origin == "lab reference limit"


def test_calcium_is_corrected_for_albumin_and_says_so():
    a = run(calcium={"value": 10.0, "unit": "mg/dL"}, albumin={"value": 3.0, "unit": "g/dL"})
    (matched,) = finding(a, "BX-CALCIUM").matched
    assert matched.canonical_value == D("10.8")
    assert "corrected for albumin 3.0 g/dL" in matched.note
    assert "paraprotein" in matched.note


def test_calcium_crab_label_above_11():
    a = run(calcium={"value": 11.1, "unit": "mg/dL"})
    assert "value also meets the IMWG CRAB threshold" in finding(a, "BX-CALCIUM").labels


def test_calcium_crab_label_absent_at_11():
    a = run(calcium={"value": 11.0, "unit": "mg/dL"})
    assert "value also meets the IMWG CRAB threshold" not in finding(a, "BX-CALCIUM").labels


def test_calcium_crab_label_relative_to_lab_uln():
    a = run(calcium={"value": 10.1, "unit": "mg/dL"}, reference_limits={"calcium_uln": {"value": 9.0, "unit": "mg/dL"}})
    assert "value also meets the IMWG CRAB threshold" in finding(a, "BX-CALCIUM").labels


@pytest.mark.parametrize("creatinine,crab", [("2.0", False), ("2.01", True)])
def test_renal_crab_label_boundary(creatinine, crab):
    a = run(creatinine={"value": float(creatinine), "unit": "mg/dL"})
    assert ("value also meets the IMWG CRAB threshold" in finding(a, "BX-RENAL").labels) is crab


def test_computed_flc_ratio_says_how_it_was_computed():
    a = run(flc_kappa={"value": 90, "unit": "mg/L"}, flc_lambda={"value": 10, "unit": "mg/L"})
    (matched,) = finding(a, "BX-FLC").matched
    assert matched.canonical_value == D(9)
    assert "computed from κ 90 mg/L ÷ λ 10 mg/L" in matched.note


def test_entered_flc_ratio_disagreeing_with_kappa_lambda_warns():
    a = run(flc_ratio=1.0, flc_kappa={"value": 90, "unit": "mg/L"}, flc_lambda={"value": 10, "unit": "mg/L"})
    assert "WARN-FLC-RATIO-DISCREPANCY" in {w.id for w in a.warnings}


def test_conflict_pairs_trigger_with_deferral_and_warns_on_anemia():
    a = run(hemoglobin={"value": 11.0, "unit": "g/dL"}, limited_life_expectancy=True,
            benign_context=["chronic_anemia_known_cause"])
    pairs = {(c.biopsy_rule, c.deferral_rule) for c in a.conflicts}
    assert pairs == {("BX-ANEMIA", "DF-LIFE-EXPECTANCY"), ("BX-ANEMIA", "DF-BENIGN-CONTEXT")}
    assert all(c.anemia_caution and "clinical judgement" in c.policy for c in a.conflicts)


def test_no_conflict_without_a_trigger():
    assert run(limited_life_expectancy=True).conflicts == ()


def test_biopsy_strongly_considered_lists_abnormal_non_trigger_values():
    a = run(flc_ratio=2.1, flc_kappa=None, flc_lambda=None)
    assert a.disposition == "BIOPSY_STRONGLY_CONSIDERED"
    assert "FLC κ/λ ratio: 2.1" in a.options[0].text
    assert "0.26–1.65" in a.options[0].text


def test_complete_workup_names_the_missing_labs():
    a = run(beta2_microglobulin=None, ife="not_done")
    assert a.disposition == "COMPLETE_WORKUP"
    assert "Serum immunofixation" in a.summary and "β2-microglobulin" in a.summary


def test_options_are_ranked_from_one():
    a = run(hemoglobin={"value": 11.0, "unit": "g/dL"}, suspected_malignancy=True)
    assert [o.rank for o in a.options] == list(range(1, len(a.options) + 1))
    assert a.options[0].action == "biopsy"


def test_all_four_pitfalls_always_listed():
    assert [p.id for p in evaluate(case_from_json(data={})).pitfalls] == [
        "PF-MRI-ALONE", "PF-ANEMIA-DELAY", "PF-CLIVUS", "PF-CONTRAST-ONLY"]


def test_active_pitfall_has_a_reason():
    a = run(brain_reference_site="clivus")
    clivus = next(p for p in a.pitfalls if p.id == "PF-CLIVUS")
    assert clivus.active and "clivus" in clivus.reason


def test_brain_reference_findings_are_low_reliability_at_the_clivus():
    a = run(t1_vs_white_matter="hypointense", brain_reference_site="clivus")
    (item,) = a.mri
    assert item.reliability == "low"


def test_lab_checklist_reports_status_and_origin():
    a = run(sex="male", hemoglobin={"value": 12.5, "unit": "g/dL"})
    line = next(x for x in a.labs if x.key == "hemoglobin")
    assert (line.status, line.reference) == ("abnormal", "13.0–16.5 g/dL")
    assert line.reference_origin.startswith("default for male")
    assert (line.direction, line.limit) == ("low", "13.0 g/dL")


def test_unknowns_say_what_a_missing_core_lab_could_change():
    a = run(calcium=None)
    unknown = next(u for u in a.unknowns if u.key == "calcium")
    assert "BX-CALCIUM" in unknown.could_change and "disposition" in unknown.could_change


def test_unknowns_omit_entered_inputs():
    assert "hemoglobin" not in {u.key for u in run().unknowns}


def test_empty_benign_context_is_not_unknown():
    assert "benign_context" not in {u.key for u in run().unknowns}


def test_same_input_same_result():
    assert run().to_dict() == run().to_dict()


def test_default_evaluation_date_is_today():
    a = evaluate(case_from_json(data={}), today=dt.date(2026, 11, 30))
    assert a.evaluation_date == dt.date(2026, 11, 30)


def test_result_carries_pathway_identity():
    pathway = run().to_dict()["pathway"]
    assert pathway["id"] == "marrow-heterogeneity-lumbar-mri" and pathway["version"] and pathway["hash"]


def test_benign_context_basis_names_the_causes():
    a = run(benign_context=["heavy_smoking", "obesity"])
    (matched,) = finding(a, "DF-BENIGN-CONTEXT").matched
    assert matched.entered_value == ("heavy_smoking", "obesity")


# The two entry checks of the rule table, at their limits from both sides (SPEC §2.4: B2M_WARN 20 mg/L,
# FLC_RATIO_WARN_LOW 0.001, FLC_RATIO_WARN_HIGH 1000; strict comparisons).
def warnings_of(assessment) -> set[str]:
    return {w.id for w in assessment.warnings}


@pytest.mark.parametrize("b2m,warns", [("20", False), ("20.01", True), ("19.99", False), ("150", True)])
def test_very_high_b2m_warning_at_its_limit(b2m, warns):
    a = run(beta2_microglobulin={"value": float(b2m), "unit": "mg/L"})
    assert ("WARN-B2M-HIGH" in warnings_of(a)) is warns


@pytest.mark.parametrize("ratio,warns", [
    ("0.001", False), ("0.00099", True), ("1000", False), ("1000.01", True), ("0.8", False),
])
def test_extreme_flc_ratio_warning_at_its_limits_when_the_ratio_is_entered(ratio, warns):
    a = run(flc_kappa=None, flc_lambda=None, flc_ratio=float(ratio))
    assert ("WARN-FLC-RATIO-EXTREME" in warnings_of(a)) is warns


@pytest.mark.parametrize("kappa,lam,warns", [(1000, 1, False), (1001, 1, True), (1, 1000, False), (1, 1001, True)])
def test_extreme_flc_ratio_warning_reads_the_ratio_computed_from_kappa_and_lambda(kappa, lam, warns):
    a = run(flc_kappa={"value": kappa, "unit": "mg/L"}, flc_lambda={"value": lam, "unit": "mg/L"})
    assert ("WARN-FLC-RATIO-EXTREME" in warnings_of(a)) is warns
