"""Report text (SPEC 1.2 §6.1): the impression a radiologist signs, its provenance line, the referral."""

import re

import pytest

from tests.pathway.test_engine import NORMAL, run
from workup.pathway.engine import PATHWAY_INFO
from workup.pathway.parsing import case_from_json
from workup.report import workup_report

RULE_ID = re.compile(r"\b(?:BX|DF|IM|FU|PF|MRI|SCOPE|WARN|URGENT|CRIT)-[A-Z0-9-]+")
CODES = ("not_detected", "not_done", "None", "sha256", "g/dl", "_")
# Signs a radiologist enters that do not themselves block a deferral (T1 brighter than disc and muscle).
SIGNS = {"t1_vs_disc": "hyperintense", "t1_vs_muscle": "hyperintense", "pattern": "variegated"}


def report(**changes):
    data = {k: v for k, v in {**NORMAL, **changes}.items() if v is not None}
    return workup_report(case=case_from_json(data=data), assessment=run(**changes))


def test_impression_has_no_rule_id_hash_code_or_source_sentence():
    impression = report(hemoglobin={"value": 9.0, "unit": "g/dL"}, spep="detected", **SIGNS).impression
    assert not RULE_ID.search(impression)
    assert not [code for code in CODES if code in impression]
    assert "AI-generated" not in impression and "pathway v" not in impression


def test_provenance_line_is_separate_and_names_version_and_source():
    result = report()
    assert result.provenance == (f"Marrow workup pathway v{PATHWAY_INFO.version.rsplit('.', 1)[0]} (decision support, "
                                 "not a diagnosis; source: an AI-generated article pending human review)")
    assert result.provenance not in result.impression


def test_finding_names_the_mri_signs_entered():
    impression = report(**{**SIGNS, "t1_vs_disc": "hypointense", "t1_vs_muscle": "hypointense"}).impression
    assert impression.startswith("Diffuse heterogeneous marrow signal on lumbar MRI, of unclear cause; T1 marrow "
                                 "hypointense to intervertebral disc and to muscle; variegated pattern.")


def test_no_mri_sign_says_so_and_the_copy_is_disabled():
    result = report()
    assert "the marrow signal characteristics were not recorded" in result.impression
    assert result.mri_recorded is False
    assert "The MRI marrow signs were not recorded." in result.referral
    assert report(**SIGNS).mri_recorded is True


def test_proceed_says_referral_with_each_trigger_value_and_its_limit():
    impression = report(hemoglobin={"value": 10.9, "unit": "g/dL"}, spep="detected", **SIGNS).impression
    assert ("With hemoglobin 10.9 g/dL (below 12.0 g/dL) and a monoclonal protein on serum electrophoresis, "
            "hematology referral for consideration of bone marrow examination is suggested.") in impression
    assert impression.lower().count("10.9") == 1


def test_value_in_another_unit_shows_both_and_never_rounds_across():
    impression = report(hemoglobin={"value": 7.44, "unit": "mmol/L"}, **SIGNS).impression
    assert "hemoglobin 7.44 mmol/L (11.99 g/dL) (below 12.0 g/dL)" in impression


def test_normal_labs_deferral_is_never_worded_may_be_deferred():
    impression = report(**SIGNS).impression
    assert ("No laboratory trigger for marrow examination was identified; normal results do not exclude marrow "
            "infiltration; repeat the blood tests by 2026-06-15.") in impression
    assert "may be deferred" not in impression.lower() and "deferred" not in impression.lower()


def test_benign_context_deferral_attributes_the_value_and_gives_the_count_date():
    impression = report(wbc={"value": 14.0, "unit": "10^9/L"}, blood_film=["normal"],
                        benign_context=["heavy_smoking"], **SIGNS).impression
    assert ("No laboratory trigger was identified; white cells 14.0 × 10⁹/L (above the upper limit of "
            "11.0 × 10⁹/L) attributed to heavy smoking; repeat the blood count and film by 2026-04-12.") in impression
    assert "Then repeat the lab panel in 3 months, by 2026-06-15." in impression


def test_life_expectancy_deferral_lists_the_abnormal_values():
    impression = report(limited_life_expectancy=True, beta2_microglobulin={"value": 2.5, "unit": "mg/L"},
                        **SIGNS).impression
    assert ("Marrow examination may not be appropriate given limited life expectancy; abnormal results: "
            "β2-microglobulin 2.5 mg/L (above the upper limit of 2.4 mg/L).") in impression


def test_abnormal_values_beside_a_trigger_are_named_with_their_limit_word():
    impression = report(hemoglobin={"value": 11.0, "unit": "g/dL"}, beta2_microglobulin={"value": 2.5, "unit": "mg/L"},
                        **SIGNS).impression
    assert "Other results outside their reference limits: β2-microglobulin 2.5 mg/L (above the upper limit of 2.4 mg/L)." in impression
    assert "(reference" not in impression


def test_hb_against_the_unknown_sex_limit_is_worded_so():
    impression = report(sex=None, hemoglobin={"value": 12.9, "unit": "g/dL"}, **SIGNS).impression
    assert "hemoglobin 12.9 g/dL (below the lower limit of 13.0 g/dL, the limit used when sex is not recorded)" in impression


def test_complete_workup_always_says_biopsy_should_still_be_strongly_considered():
    impression = report(beta2_microglobulin=None, wbc=None, **SIGNS).impression
    assert "bone marrow examination should still be strongly considered" in impression
    assert "Outstanding core tests: white cells and β2-microglobulin." in impression


def test_imaging_is_named_in_the_evidence_terms_with_its_reason():
    impression = report(flc_kappa={"value": 100, "unit": "mg/L"}, flc_lambda={"value": 10, "unit": "mg/L"},
                        **SIGNS).impression
    assert "Whole-body low-dose CT is suggested given the suspected plasma-cell disorder." in impression
    assert "Whole-body FDG-PET/CT is suggested given the suspected plasma-cell disorder." in impression
    assert "skeletal survey" not in impression.lower()


def test_pet_ct_after_a_cancer_history_gives_that_reason():
    impression = report(history_of_cancer=True, **SIGNS).impression
    assert "Whole-body FDG-PET/CT is suggested given the history of cancer." in impression


def test_under_18_gives_the_finding_with_an_age_note_and_no_recommendation():
    impression = report(age=15, hemoglobin={"value": 10.0, "unit": "g/dL"}, **SIGNS).impression
    assert impression.startswith("Outside this pathway: patient under 18.")
    assert "is suggested" not in impression and "biopsy" not in impression.lower()
    assert "referral" not in impression.lower()


def test_urgent_finding_leads_even_under_18():
    impression = report(age=15, platelets={"value": 15, "unit": "10^9/L"}, **SIGNS).impression
    assert impression.startswith("Urgent: severe thrombocytopenia (Platelets 15 × 10⁹/L); same-day haematology "
                                 "contact. Outside this pathway: patient under 18.")


def test_known_cause_leads_and_never_calls_the_etiology_unclear():
    impression = report(known_etiology=True, **SIGNS).impression
    assert impression.startswith("Outside this pathway (cause already known); for reference only:")
    assert "unclear" not in impression


def test_focal_lesion_leads_the_impression():
    impression = report(focal_lesions="one", **SIGNS).impression
    assert impression.startswith("Focal lesion reported: it needs its own work-up")


def test_referral_carries_impression_values_flagged_unknowns_and_provenance_with_hash():
    result = report(sex=None, hemoglobin={"value": 12.9, "unit": "g/dL"}, **SIGNS)
    assert result.impression.split(". ")[0] in result.referral
    assert "  Hemoglobin: 12.9 g/dL" in result.referral
    assert "Not yet known, and could change the result: " in result.referral and "Sex" in result.referral
    assert PATHWAY_INFO.hash in result.referral.splitlines()[-1]


@pytest.mark.parametrize("locally_approved", [False, True])
def test_the_pathway_is_named_as_basis_only_when_locally_approved(locally_approved):
    data = {**NORMAL, **SIGNS}
    result = workup_report(case=case_from_json(data=data), assessment=run(**SIGNS), locally_approved=locally_approved)
    assert ("locally approved marrow work-up pathway" in result.impression) is locally_approved
