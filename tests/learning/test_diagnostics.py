"""Likelihood ratios and post-test probability: table-driven, with the division-by-zero edges."""

from fractions import Fraction as F

import pytest

from workup.learning.diagnostics import (
    CRITERIA_BY_ID,
    DEFAULT_PRETEST_PERCENT,
    characteristics_report,
    lr_negative,
    lr_positive,
    percent,
    post_test_probability,
    ratio,
    wilson_interval,
)
from workup.pathway.evidence import EVIDENCE_NOTES
from workup.pathway.rules import RULES_BY_ID


@pytest.mark.parametrize(
    ("sens", "spec", "lr_pos", "lr_neg"),
    [
        (F(93, 100), F(86, 100), F(93, 14), F(7, 86)),  # MRI-T1-WM as quoted by the source
        (F(67, 100), F(96, 100), F(67, 4), F(33, 96)),  # MRI-T1-GM
        (F(40, 40), F(12, 13), F(13), F(0)),  # MRI-T1-DISC: sensitivity 100% gives LR− exactly 0
        (F(44, 47), F(17, 18), F(44 * 18, 47), F(3 * 18, 47 * 17)),  # MRI-T1-MUSCLE
        (F(1, 2), F(1, 2), F(1), F(1)),  # a coin: changes nothing
        (F(9, 10), F(1), None, F(1, 10)),  # specificity 100%: LR+ undefined, not infinite
        (F(9, 10), F(0), F(9, 10), None),  # specificity 0%: LR− undefined
        (F(0), F(1), None, F(1)),  # never positive, never false-positive
    ],
)
def test_likelihood_ratios_table(sens, spec, lr_pos, lr_neg):
    assert lr_positive(sens, spec) == lr_pos
    assert lr_negative(sens, spec) == lr_neg


@pytest.mark.parametrize(
    ("pre", "sens", "spec", "positive", "post"),
    [
        (F(1, 10), F(93, 100), F(86, 100), True, F(93, 93 + 126)),
        (F(1, 10), F(93, 100), F(86, 100), False, F(7, 7 + 774)),
        (F(1, 2), F(1, 2), F(1, 2), True, F(1, 2)),  # uninformative test leaves p unchanged
        (F(7, 100), F(9, 10), F(1), True, F(1)),  # specificity 100%: a positive is certain
        (F(0), F(9, 10), F(8, 10), True, F(0)),  # pre-test 0 stays 0
        (F(1), F(9, 10), F(8, 10), False, F(1)),  # pre-test 1 stays 1
        (F(1), F(1), F(8, 10), False, None),  # no case can test negative: undefined
        (F(0), F(9, 10), F(1), True, None),  # no case can test positive: undefined
    ],
)
def test_post_test_probability_table(pre, sens, spec, positive, post):
    assert post_test_probability(pre, sens, spec, positive=positive) == post


@pytest.mark.parametrize("rule_id", ["MRI-T1-WM", "MRI-T1-GM", "MRI-T1-MUSCLE"])
@pytest.mark.parametrize("pre", [F(7, 100), F(42, 100), F(9, 10)])
def test_post_test_probability_matches_odds_times_lr(rule_id, pre):
    c = CRITERIA_BY_ID[rule_id]
    for positive, lr in (
        (True, lr_positive(c.sensitivity, c.specificity)),
        (False, lr_negative(c.sensitivity, c.specificity)),
    ):
        odds = pre / (1 - pre) * lr
        assert post_test_probability(pre, c.sensitivity, c.specificity, positive=positive) == odds / (
            1 + odds
        )


@pytest.mark.parametrize(
    ("rule_id", "lr_pos", "lr_neg"), [("MRI-T1-WM", "6.6", "0.08"), ("MRI-T1-GM", "16.8", "0.34")]
)
def test_source_criteria_match_the_rule_figures(rule_id, lr_pos, lr_neg):
    c = CRITERIA_BY_ID[rule_id]
    figures = RULES_BY_ID[rule_id].figures
    assert f"{float(lr_positive(c.sensitivity, c.specificity)):.1f}" == lr_pos
    assert f"{float(lr_negative(c.sensitivity, c.specificity)):.2f}" == lr_neg
    assert f"LR+ {lr_pos}" in figures and f"LR− {lr_neg}" in figures


@pytest.mark.parametrize(
    ("rule_id", "infiltrative"), [("MRI-T1-DISC", "40 of 41"), ("MRI-T1-MUSCLE", "44 of 45")]
)
def test_derived_criteria_use_the_carroll_counts(rule_id, infiltrative):
    c = CRITERIA_BY_ID[rule_id]
    (tp, diseased), (tn, healthy) = c.counts
    false_positives = healthy - tn
    assert c.derived
    assert f"{tp} of {tp + false_positives}" == infiltrative  # the paper's own PPV counts
    assert c.sensitivity == F(tp, diseased) and c.specificity == F(tn, healthy)


def test_every_criterion_is_an_mri_rule():
    assert {RULES_BY_ID[rule_id].kind for rule_id in CRITERIA_BY_ID} == {"mri"}


def test_default_pretests_are_the_yields_of_en_yield():
    text = EVIDENCE_NOTES["EN-YIELD"].text
    assert all(f"{p}%" in text for p in DEFAULT_PRETEST_PERCENT)


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


@pytest.mark.parametrize(("value", "shown"), [(None, "undefined"), (F(13), "13.00"), (F(0), "0.00")])
def test_ratio_display_table(value, shown):
    assert ratio(value) == shown


def test_characteristics_report_sorts_and_dedupes_pretests():
    reports = characteristics_report(pretest_percents=(F(42), F(7), F(42)))
    assert [row.pretest for row in reports[0].rows] == [F(7, 100), F(42, 100)]


# --- SPEC 6.2: counts with intervals; "not estimable" instead of a zero-cell ratio ------------------


def test_disc_sign_is_not_estimable_because_of_a_zero_cell():
    from workup.learning.diagnostics import criterion_report

    report = criterion_report(CRITERIA_BY_ID["MRI-T1-DISC"], (F(7, 100),))
    assert not report.estimable
    assert report.lr_negative is None and report.rows == () and report.plot_svg == ""
    assert "zero cell: no false negatives among 53 foci" in report.not_estimable[0]
    assert any("lesions" in reason for reason in report.not_estimable)


def test_muscle_sign_without_zero_cell_is_still_not_estimable_from_lesion_counts():
    from workup.learning.diagnostics import criterion_report

    report = criterion_report(CRITERIA_BY_ID["MRI-T1-MUSCLE"], (F(7, 100),))
    assert not report.estimable and report.rows == ()
    assert not any("zero cell" in reason for reason in report.not_estimable)
    assert any("selected" in reason for reason in report.not_estimable)


def test_every_count_has_its_wilson_interval():
    from workup.learning.diagnostics import criterion_report

    report = criterion_report(CRITERIA_BY_ID["MRI-T1-DISC"], ())
    shown = {(p.successes, p.total): p.interval for p in report.proportions}
    assert set(shown) == {(40, 41), (40, 40), (12, 13)}
    assert all(interval == wilson_interval(k, n) for (k, n), interval in shown.items())


def test_unconfirmed_cranial_figures_keep_their_ratios_and_are_marked():
    from workup.learning.diagnostics import criterion_report

    for rule_id in ("MRI-T1-WM", "MRI-T1-GM"):
        report = criterion_report(CRITERIA_BY_ID[rule_id], (F(7, 100),))
        assert report.criterion.unconfirmed and report.estimable and report.rows
