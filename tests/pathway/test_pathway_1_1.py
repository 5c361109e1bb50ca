"""What pathway 1.1 changed in the engine (SPEC §9): exact comparisons, the computed FLC ratio,
the new unknowns, the contrast option, the clinician's suspicion, the brain reference site."""

from decimal import Decimal as D

import pytest

from tests.pathway.test_engine import finding, run
from workup.pathway.engine import PATHWAY_INFO
from workup.pathway.inputs import CHOICE_LABELS, INPUTS_BY_KEY


def labels_of(assessment, rule_id):
    return finding(assessment, rule_id).labels


def test_pathway_version_is_1_2():
    assert PATHWAY_INFO.version == "1.2.0"


def test_basis_shows_hb_in_mmol_without_rounding_onto_the_threshold():
    (matched,) = finding(run(hemoglobin={"value": 7.44, "unit": "mmol/L"}), "BX-ANEMIA").matched
    assert (matched.entered_value, matched.canonical_value, matched.threshold_value) == (D("7.44"), D("11.99"), D("12.0"))


def test_basis_shows_creatinine_with_the_digit_that_puts_it_above_the_limit():
    a = run(sex="male", creatinine={"value": 115, "unit": "µmol/L"})
    (matched,) = finding(a, "BX-RENAL").matched
    assert matched.canonical_value == D("1.301")


@pytest.mark.parametrize(("value", "crab"), [(2.75, False), (2.76, True)])
def test_calcium_crab_label_uses_the_stated_mmol_figure(value, crab):
    a = run(calcium={"value": value, "unit": "mmol/L"})
    assert ("value also meets the IMWG CRAB threshold" in labels_of(a, "BX-CALCIUM")) is crab


@pytest.mark.parametrize(("value", "crab"), [(177, False), (178, True)])
def test_creatinine_crab_label_uses_the_stated_umol_figure(value, crab):
    a = run(creatinine={"value": value, "unit": "µmol/L"})
    assert ("value also meets the IMWG CRAB threshold" in labels_of(a, "BX-RENAL")) is crab


def test_calcium_in_mmol_is_compared_with_the_stated_figure_and_shows_it():
    a = run(calcium={"value": 2.604, "unit": "mmol/L"})
    (matched,) = finding(a, "BX-CALCIUM").matched
    assert (matched.threshold_value, matched.threshold_unit) == (D("2.60"), "mmol/L")


def test_lab_limit_in_another_unit_is_converted_exactly():
    a = run(creatinine={"value": 1.02, "unit": "mg/dL"}, reference_limits={"creatinine_uln": {"value": 90, "unit": "µmol/L"}})
    assert a.disposition == "PROCEED_TO_BIOPSY"
    (matched,) = finding(a, "BX-RENAL").matched
    assert matched.threshold_origin == "lab reference limit"


def test_computed_ratio_is_used_and_the_entered_one_shown_beside_it():
    a = run(flc_ratio=9)
    (line,) = [line for line in a.labs if line.key == "flc_ratio"]
    assert line.canonical_value == D("0.80") and line.status == "normal"
    assert "the ratio entered was 9" in line.note


def test_ratio_discrepancy_warning_names_both_ratios():
    (warning,) = [w for w in run(flc_ratio=9).warnings if w.id == "WARN-FLC-RATIO-DISCREPANCY"]
    assert "ratio 9 " in warning.message and "= 0.8 " in warning.message and warning.field == "flc_ratio"


def test_no_discrepancy_warning_within_ten_percent():
    assert not [w for w in run(flc_ratio=0.85).warnings if w.id == "WARN-FLC-RATIO-DISCREPANCY"]


def test_kappa_and_lambda_in_different_units_are_each_converted():
    a = run(flc_kappa={"value": 9, "unit": "mg/dL"}, flc_lambda={"value": 10, "unit": "mg/L"})
    (line,) = [line for line in a.labs if line.key == "flc_ratio"]
    assert line.canonical_value == D("9") and "BX-FLC" in a.fired_ids


def test_missing_sex_is_an_unknown_that_names_the_limits_it_sets():
    a = run(sex=None)
    (unknown,) = [u for u in a.unknowns if u.key == "sex"]
    assert unknown.could_change == ("HB_NORMAL_MIN", "HB_NORMAL_MAX", "CREATININE_ULN")
    assert "stricter" in unknown.note
    (line,) = [line for line in a.labs if line.key == "hemoglobin"]
    assert line.reference_origin.startswith("the limit used when sex is not recorded")


def test_missing_wbc_and_platelets_are_core_unknowns_since_1_2():
    a = run(wbc=None, platelets=None)
    keys = {u.key: u for u in a.unknowns}
    assert a.disposition == "COMPLETE_WORKUP"
    assert "disposition" in keys["wbc"].could_change and "disposition" in keys["platelets"].could_change
    assert keys["wbc"].note == keys["platelets"].note == "core lab: needed for a complete panel"
    assert keys["wbc"].could_change_result and keys["platelets"].could_change_result


def test_recent_gcsf_or_epo_means_within_six_weeks_in_label_help_and_basis():
    assert "6 weeks" in CHOICE_LABELS["recent_gcsf_or_epo"]
    assert "6 weeks" in CHOICE_LABELS["recent_gcsf"] and "6 weeks" in CHOICE_LABELS["recent_esa"]
    assert "6 weeks" in INPUTS_BY_KEY["benign_context"].help
    (matched,) = finding(run(benign_context=["recent_gcsf_or_epo"]), "DF-BENIGN-CONTEXT").matched
    assert matched.entered_value == ("recent_gcsf_or_epo",)


def test_contrast_already_given_is_not_offered_again_and_the_images_are_pointed_to():
    a = run(suspected_malignancy=True, contrast_given="yes")
    assert "IM-MRI-CONTRAST" not in a.fired_ids
    assert "review_contrast" in [o.action for o in a.options]


def test_contrast_study_offered_when_contrast_not_given():
    a = run(suspected_malignancy=True, contrast_given="no")
    assert "IM-MRI-CONTRAST" in a.fired_ids
    assert "review_contrast" not in [o.action for o in a.options]


def test_suspected_malignancy_beside_a_deferral_is_a_conflict_with_its_policy():
    a = run(suspected_malignancy=True)
    # 1.2: the suspicion blocks a deferral on normal labs; it stays a conflict beside DF-NORMAL-LABS.
    assert a.disposition == "BIOPSY_STRONGLY_CONSIDERED"
    (conflict,) = a.conflicts
    assert (conflict.biopsy_rule, conflict.deferral_rule, conflict.kind) == (
        "suspected_malignancy", "DF-NORMAL-LABS", "clinical_suspicion",
    )
    assert "clinical judgement" in conflict.policy


@pytest.mark.parametrize(("site", "reliability"), [(None, "not_applicable"), ("none", "not_applicable"),
                                                     ("calvarium", "standard"), ("clivus", "low")])
def test_white_matter_sign_reliability_follows_the_brain_reference_site(site, reliability):
    a = run(t1_vs_white_matter="hypointense", brain_reference_site=site)
    (item,) = [m for m in a.mri if m.id == "MRI-T1-WM"]
    assert item.reliability == reliability


def test_complete_workup_summary_says_biopsy_should_still_be_strongly_considered():
    a = run(beta2_microglobulin=None)
    assert a.disposition == "COMPLETE_WORKUP"
    assert "strongly considered" in a.summary


def test_deferral_summary_states_an_abnormal_value_beside_it():
    a = run(flc_kappa=None, flc_lambda=None, flc_ratio=2.0, limited_life_expectancy=True)
    assert a.disposition == "DEFERRAL_REASONABLE"
    assert "FLC κ/λ ratio: 2.0" in a.summary
