"""The MRI signal signs: counts with Wilson intervals, and "not estimable" where a ratio would mislead."""

from fractions import Fraction as F

import pytest

from workup.learning.diagnostics import (
    CRITERIA,
    CRITERIA_BY_ID,
    characteristics_report,
    criterion_report,
    percent,
    wilson_interval,
)
from workup.pathway.rules import RULES_BY_ID


@pytest.mark.parametrize(("rule_id", "sensitivity", "specificity"), [("MRI-T1-WM", 93, 86), ("MRI-T1-GM", 67, 96)])
def test_source_criteria_match_the_rule_figures(rule_id, sensitivity, specificity):
    c = CRITERIA_BY_ID[rule_id]
    figures = RULES_BY_ID[rule_id].figures.lower()
    assert c.sensitivity == F(sensitivity, 100) and c.specificity == F(specificity, 100)
    assert f"sensitivity {sensitivity}%" in figures and f"specificity {specificity}%" in figures


@pytest.mark.parametrize(
    ("rule_id", "infiltrative"), [("MRI-T1-DISC", "40 of 41"), ("MRI-T1-MUSCLE", "44 of 45")]
)
def test_derived_criteria_use_the_carroll_counts(rule_id, infiltrative):
    c = CRITERIA_BY_ID[rule_id]
    (tp, diseased), (tn, healthy) = c.counts
    ppv_k, ppv_n = c.positive_predictive_counts
    assert c.derived
    assert f"{ppv_k} of {ppv_n}" == infiltrative  # the paper's own counts: positive predictive values
    assert c.sensitivity == F(tp, diseased) and c.specificity == F(tn, healthy)


def test_every_criterion_is_an_mri_rule():
    assert {RULES_BY_ID[rule_id].kind for rule_id in CRITERIA_BY_ID} == {"mri"}


@pytest.mark.parametrize(
    ("k", "n", "low", "high"), [(40, 40, 0.912, 1.0), (12, 13, 0.667, 0.986), (0, 10, 0.0, 0.278)]
)
def test_wilson_interval_table(k, n, low, high):
    got_low, got_high = wilson_interval(k, n)
    assert round(got_low, 3) == low and round(got_high, 3) == high


def test_wilson_interval_rejects_empty_sample():
    with pytest.raises(ValueError):
        wilson_interval(0, 0)


@pytest.mark.parametrize(("value", "shown"), [(None, "undefined"), (F(1, 8), "12.5%"), (F(1), "100.0%")])
def test_percent_display_table(value, shown):
    assert percent(value) == shown


# --- SPEC 6.2: counts with intervals; "not estimable" instead of a ratio that would mislead ---------


def test_no_sign_yields_a_likelihood_ratio_or_post_test_probability():
    assert all(report.not_estimable for report in characteristics_report())
    assert len(characteristics_report()) == len(CRITERIA)


@pytest.mark.parametrize("rule_id", ["MRI-T1-WM", "MRI-T1-GM"])
def test_white_and_gray_matter_are_not_estimable_as_a_two_group_design(rule_id):
    report = criterion_report(CRITERIA_BY_ID[rule_id])
    assert report.not_estimable[0].startswith("a two-group design: adults with systemic disorders")
    assert report.criterion.unconfirmed


def test_disc_sign_is_not_estimable_because_of_a_zero_cell():
    report = criterion_report(CRITERIA_BY_ID["MRI-T1-DISC"])
    assert "zero cell: no false negatives among 53 foci" in report.not_estimable[0]
    assert any("lesions" in reason for reason in report.not_estimable)


def test_muscle_sign_without_zero_cell_is_still_not_estimable_from_lesion_counts():
    report = criterion_report(CRITERIA_BY_ID["MRI-T1-MUSCLE"])
    assert not any("zero cell" in reason for reason in report.not_estimable)
    assert any("selected" in reason for reason in report.not_estimable)


def test_the_papers_own_count_is_labelled_a_positive_predictive_value():
    first = criterion_report(CRITERIA_BY_ID["MRI-T1-DISC"]).proportions[0]
    assert first.label.startswith("Positive predictive value: infiltrative among foci iso- or hypointense")
    assert (first.successes, first.total) == (40, 41)
