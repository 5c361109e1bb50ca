"""The worked cases: each expected answer matches the engine, and together they cover the pathway."""

import pytest

from workup.learning.vignettes import (
    KEY_RULE_CHOICES,
    key_rules,
    prediction_feedback,
    score_clean,
    score_record,
    score_summary,
    vignettes,
)
from workup.pathway.engine import evaluate
from workup.pathway.parsing import case_from_json
from workup.pathway.rules import DISPOSITION_ORDER

VIGNETTES = vignettes()
PITFALLS = ("PF-MRI-ALONE", "PF-ANEMIA-DELAY", "PF-CLIVUS", "PF-CONTRAST-ONLY")


def _assess(v):
    return evaluate(case_from_json(data=v.input))


@pytest.mark.parametrize("v", VIGNETTES, ids=lambda v: v.id)
def test_vignette_expected_disposition_matches_engine(v):
    assert _assess(v).disposition == v.disposition


@pytest.mark.parametrize("v", VIGNETTES, ids=lambda v: v.id)
def test_vignette_expected_key_rules_match_engine(v):
    assert key_rules(_assess(v)) == v.key_rules


@pytest.mark.parametrize("v", VIGNETTES, ids=lambda v: v.id)
def test_vignette_is_in_scope_and_teaches(v):
    assessment = _assess(v)
    assert not [w.id for w in assessment.warnings if w.id.startswith("SCOPE-")]
    assert len(v.narrative) >= 2 and len(v.teaching_points) >= 2


def test_vignettes_at_least_eight():
    assert len(VIGNETTES) >= 8


def test_vignettes_cover_every_disposition():
    assert {v.disposition for v in VIGNETTES} == set(DISPOSITION_ORDER)


@pytest.mark.parametrize("pitfall", PITFALLS)
def test_vignettes_cover_pitfall(pitfall):
    assert any(pitfall in v.key_rules for v in VIGNETTES)


@pytest.mark.parametrize("deferral", ["DF-LIFE-EXPECTANCY", "DF-BENIGN-CONTEXT"])
def test_vignettes_cover_conflict_of_trigger_with(deferral):
    conflicts = {(c.biopsy_rule[:3], c.deferral_rule) for v in VIGNETTES for c in _assess(v).conflicts}
    assert ("BX-", deferral) in conflicts


def test_vignette_ids_unique():
    assert len({v.id for v in VIGNETTES}) == len(VIGNETTES)


def test_key_rule_choices_cover_every_answer():
    offered = {rule_id for rule_id, _ in KEY_RULE_CHOICES}
    assert all(v.key_rules <= offered for v in VIGNETTES)


@pytest.mark.parametrize(
    ("disposition", "rules", "right", "missed", "extra"),
    [
        ("PROCEED_TO_BIOPSY", {"BX-ANEMIA", "PF-ANEMIA-DELAY"}, (True, True), (), ()),
        ("PROCEED_TO_BIOPSY", {"BX-ANEMIA"}, (True, False), ("PF-ANEMIA-DELAY",), ()),
        (
            "COMPLETE_WORKUP",
            {"BX-ANEMIA", "PF-ANEMIA-DELAY", "PF-CLIVUS"},
            (False, False),
            (),
            ("PF-CLIVUS",),
        ),
        ("DEFERRAL_REASONABLE", set(), (False, False), ("BX-ANEMIA", "PF-ANEMIA-DELAY"), ()),
    ],
)
def test_prediction_feedback_table(disposition, rules, right, missed, extra):
    anaemic = next(v for v in VIGNETTES if v.id == "anaemic-retiree")
    fb = prediction_feedback(assessment=_assess(anaemic), disposition=disposition, rules=frozenset(rules))
    assert (fb.disposition_right, fb.rules_right) == right
    assert (fb.missed, fb.extra) == (missed, extra)
    assert fb.points == sum(right)


def test_score_record_replaces_an_earlier_attempt():
    anaemic = next(v for v in VIGNETTES if v.id == "anaemic-retiree")
    assessment = _assess(anaemic)
    wrong = prediction_feedback(assessment=assessment, disposition="COMPLETE_WORKUP", rules=frozenset())
    right = prediction_feedback(
        assessment=assessment, disposition="PROCEED_TO_BIOPSY", rules=anaemic.key_rules
    )
    score = score_record(score_record({}, anaemic.id, wrong), anaemic.id, right)
    assert score == {anaemic.id: [True, True]}
    assert score_summary(score).points == 2


@pytest.mark.parametrize("raw", [None, [], "x", {"no-such-case": [True, True]}, {"anaemic-retiree": [True]}])
def test_score_clean_drops_malformed_entries(raw):
    assert score_clean(raw) == {}


# --- SPEC 1.2 §6.2: what the worked cases teach -----------------------------------------------------

BY_ID = {v.id: v for v in VIGNETTES}


def test_anaemic_retiree_never_calls_the_imwg_threshold_lower_for_this_man():
    points = " ".join(BY_ID["anaemic-retiree"].teaching_points)
    assert "IMWG's anaemia criterion is lower" not in points
    assert "meets the IMWG CRAB anaemia threshold" in points
    assert {c.id: c.status for c in _assess(BY_ID["anaemic-retiree"]).criteria}["CRIT-IMWG-ANEMIA"] == "met"


def test_anaemic_retiree_adds_the_anaemia_work_up():
    points = " ".join(BY_ID["anaemic-retiree"].teaching_points)
    assert all(test in points for test in ("ferritin", "B12", "folate", "reticulocyte", "blood film"))


def test_clivus_case_says_a_dark_clivus_is_atypical_over_fifty_and_drops_the_ratio_exercise():
    v = BY_ID["clivus-on-brain-mri"]
    points = " ".join(v.teaching_points)
    assert v.input["age"] > 50
    assert "Bayramoglu 2003" in points and "atypical" in points
    assert "likelihood ratio of about" not in points and "pre-test probability" not in points


@pytest.mark.parametrize("v", VIGNETTES, ids=lambda v: v.id)
def test_vignette_names_t1_signal_as_the_report_does_never_darker(v):
    text = " ".join((v.title, *v.narrative, *v.teaching_points)).lower()
    assert "darker" not in text and "darkening" not in text


@pytest.mark.parametrize("v", [v for v in VIGNETTES if "hemoglobin" in v.input], ids=lambda v: v.id)
def test_vignette_with_a_hemoglobin_gives_the_whole_blood_count(v):
    assert "wbc" in v.input and "platelets" in v.input
    assert "white cells" in " ".join(v.narrative) and "white cells" not in v.title
