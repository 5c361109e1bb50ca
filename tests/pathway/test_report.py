"""Report text and referral summary (SPEC §6.1)."""

import re

from tests.pathway.test_engine import NORMAL, run
from workup.pathway.engine import PATHWAY_INFO
from workup.pathway.parsing import case_from_json
from workup.report import workup_report

RULE_ID = re.compile(r"\b(?:BX|DF|IM|FU|PF|MRI|SCOPE|WARN)-[A-Z0-9-]+")


def report(**changes):
    data = {**NORMAL, **changes}
    return workup_report(case=case_from_json(data=data), assessment=run(**changes))


def body_and_provenance(text):
    body, _, provenance = text.rpartition(" Decision support from pathway ")
    return body, provenance


def test_impression_ends_with_one_provenance_line():
    impression = report().impression
    body, provenance = body_and_provenance(impression)
    assert f"{PATHWAY_INFO.id} v{PATHWAY_INFO.version}" in provenance
    assert "AI-generated" in provenance and "pending human review" in provenance and "Not a diagnosis" in provenance
    assert "\n" not in impression and "Decision support from pathway" not in body


def test_rule_ids_and_hash_appear_only_in_the_provenance_line():
    body, provenance = body_and_provenance(report(hemoglobin={"value": 9.0, "unit": "g/dL"}).impression)
    assert not RULE_ID.search(body) and "sha256" not in body
    assert "BX-ANEMIA" in provenance


def test_deferral_with_abnormal_ratio_states_the_ratio_and_the_imaging_offered():
    impression = report(flc_kappa=None, flc_lambda=None, flc_ratio=2.0, limited_life_expectancy=True).impression
    assert "deferring biopsy is reasonable" in impression
    assert "FLC κ/λ ratio: 2.0 (reference 0.26–1.65)" in impression
    assert "Imaging offered: Whole-body FDG-PET/CT" in impression


def test_every_trigger_is_stated_with_its_value_and_proceed_is_said_once():
    impression = report(hemoglobin={"value": 7.44, "unit": "mmol/L"}, spep="detected").impression
    assert "Hemoglobin: 7.44 mmol/L = 11.99 g/dL" in impression
    assert "Serum protein electrophoresis M-spike: detected" in impression
    assert impression.lower().count("proceed to bone marrow biopsy") == 1


def test_follow_up_is_stated_with_its_due_date():
    assert "due 2026-06-15" in report().impression


def test_complete_workup_says_biopsy_should_still_be_strongly_considered():
    impression = report(beta2_microglobulin=None).impression
    assert "Core labs still missing: β2-microglobulin." in impression
    assert "Biopsy should still be strongly considered." in impression


def test_unknowns_that_could_change_the_disposition_are_named():
    impression = report(sex=None, limited_life_expectancy=None).impression
    assert "could change the result" in impression and "Sex" in impression


def test_referral_ends_with_the_same_provenance_line():
    result = report()
    assert result.referral.splitlines()[-1] == body_and_provenance(result.impression)[1].join(
        ["Decision support from pathway ", ""]
    )
