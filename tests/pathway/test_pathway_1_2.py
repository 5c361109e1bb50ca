"""What pathway 1.2 changed in the engine (SPEC §11), beyond the golden cases: the flag on each unknown,
the urgent findings and lead lines, the conflicts, refused combinations and the criteria's 1.2 rules."""

import pytest

from tests.pathway.test_engine import finding, run
from workup.pathway.parsing import CaseInvalid, case_from_json


def flags(assessment):
    return {u.key: u.could_change_result for u in assessment.unknowns}


def q(value, unit="10^9/L"):
    return {"value": value, "unit": unit}


def test_sex_could_change_the_result_when_hb_sits_between_the_two_limits():
    # Hb 12.5: normal for a woman (12.0), not for a man or unrecorded sex (13.0).
    assert flags(run(sex=None, hemoglobin=q(12.5, "g/dL")))["sex"] is True


def test_sex_could_not_change_the_result_when_a_trigger_already_decides():
    assert flags(run(sex=None, hemoglobin=q(9.0, "g/dL")))["sex"] is False


def test_t1_signs_are_flagged_together_when_both_are_missing():
    f = flags(run())
    assert f["t1_vs_disc"] is True and f["t1_vs_muscle"] is True


def test_a_missing_core_lab_could_change_an_incomplete_case():
    assert flags(run(wbc=None))["wbc"] is True


def test_each_flag_is_what_re_evaluation_shows():
    a = run(sex=None, hemoglobin=q(12.5, "g/dL"))
    female = run(sex="female", hemoglobin=q(12.5, "g/dL"))
    assert a.disposition != female.disposition  # the flag on sex above is not written out by hand


def test_urgent_findings_lead_in_table_order_before_scope_guards():
    a = run(age=15, platelets=q(10), anc=q(0.3), blood_film=["circulating_blasts"])
    assert [u.id for u in a.urgent] == ["URGENT-BLASTS", "URGENT-NEUTROPENIA", "URGENT-THROMBOCYTOPENIA"]
    assert a.lead[:3] == tuple(u.text for u in a.urgent)
    assert a.lead[3] == "Outside this pathway: patient under 18."
    assert a.summary.startswith(a.lead[0])


def test_urgent_text_names_the_value_and_the_same_day_contact():
    (urgent,) = run(platelets=q(19)).urgent
    assert urgent.text == "Urgent: severe thrombocytopenia (Platelets 19 × 10⁹/L); same-day haematology contact."


def test_under_18_no_option_is_a_recommendation():
    a = run(age=15, hemoglobin=q(9.0, "g/dL"))
    assert [o.action for o in a.options] == ["outside_scope"]
    assert "not a recommendation" in a.summary


def test_scope_guards_lead_in_the_spec_order():
    a = run(age=15, known_etiology=True, focal_lesions="one", sex="female", pregnant="yes")
    assert [line.split(":")[0] for line in a.lead] == [
        "Outside this pathway", "Outside this pathway (cause already known); for reference only", "Focal lesion reported",
        "Pregnant",
    ]


def test_anc_above_wbc_is_refused_naming_anc():
    with pytest.raises(CaseInvalid) as refused:
        case_from_json(data={"wbc": q(5), "anc": q(60)})
    assert list(refused.value.errors) == ["anc"]
    assert "percentage" in refused.value.errors["anc"][0]


@pytest.mark.parametrize("alone", ["normal", "not_done"])
def test_film_normal_or_not_done_beside_a_finding_is_refused(alone):
    with pytest.raises(CaseInvalid) as refused:
        case_from_json(data={"blood_film": [alone, "rouleaux"]})
    assert list(refused.value.errors) == ["blood_film"]


def test_old_gcsf_or_epo_choice_is_read_explains_nothing_and_warns():
    a = run(wbc=q(13), blood_film=["normal"], benign_context=["recent_gcsf_or_epo"])
    assert a.disposition == "BIOPSY_STRONGLY_CONSIDERED"
    assert "WARN-GCSF-OR-ESA" in {w.id for w in a.warnings}


def test_benign_cause_beside_a_trigger_is_never_a_reason_to_defer():
    a = run(flc_kappa=q(100, "mg/L"), flc_lambda=q(10, "mg/L"), benign_context=["heavy_smoking"])
    (conflict,) = a.conflicts
    assert conflict.kind == "benign_unexplained"
    assert conflict.policy.startswith("A possible benign cause is present (heavy smoking), but it does not explain")
    assert "not a reason to defer" in conflict.policy
    assert "weigh_deferral" not in [o.action for o in a.options]


def test_chronic_anaemia_beside_anaemia_trigger_stands_side_by_side():
    a = run(hemoglobin=q(11.0, "g/dL"), benign_context=["chronic_anemia_known_cause"])
    (conflict,) = a.conflicts
    assert (conflict.biopsy_rule, conflict.deferral_rule, conflict.anemia_caution) == (
        "BX-ANEMIA", "DF-BENIGN-CONTEXT", True)


def test_benign_cause_not_explaining_a_value_names_it_and_its_range():
    a = run(flc_ratio=5, flc_kappa=None, flc_lambda=None, benign_context=["heavy_smoking"])
    assert a.disposition == "BIOPSY_STRONGLY_CONSIDERED"
    (conflict,) = [c for c in a.conflicts if c.kind == "benign_unexplained"]
    assert "does not explain FLC κ/λ ratio: 5 (reference 0.26–1.65)" in conflict.policy


def test_focal_lesion_beside_limited_life_expectancy_is_a_conflict_not_a_block():
    a = run(focal_lesions="one", limited_life_expectancy=True)
    assert a.disposition == "DEFERRAL_REASONABLE"
    (conflict,) = a.conflicts
    assert conflict.kind == "blocking" and "plasmacytoma or a metastasis" in conflict.policy


def test_urgent_finding_with_limited_life_expectancy_keeps_the_same_day_contact():
    a = run(platelets=q(15), limited_life_expectancy=True)
    (conflict,) = a.conflicts
    assert conflict.policy == ("Limited life expectancy may change what is done; the urgent finding still needs "
                               "same-day haematology contact.")


def test_life_expectancy_alone_offers_the_follow_up_if_it_changes_management():
    a = run(limited_life_expectancy=True, beta2_microglobulin=q(2.5, "mg/L"))
    (follow_up,) = a.follow_up
    assert follow_up.id == "FU-REPEAT-LABS" and "would change management" in follow_up.labels[0]
    assert a.summary.startswith("Deferral may be reasonable because of limited life expectancy; results are not normal")


def test_pregnancy_withholds_gadolinium_and_labels_ionising_imaging():
    a = run(sex="female", pregnant="yes", suspected_malignancy=True, flc_ratio=3, flc_kappa=None, flc_lambda=None)
    ids = {f.id for f in a.imaging}
    assert "IM-MRI-CONTRAST" not in ids and {"IM-PET-CT", "IM-SKELETAL-SURVEY"} <= ids
    assert all("ionising radiation" in label for f in a.imaging for label in f.labels)
    assert "pregnancy_imaging" in [o.action for o in a.options]


def test_pregnancy_sets_the_hb_lower_limit_to_11():
    a = run(sex="female", pregnant="yes", hemoglobin=q(12.1, "g/dL"))
    line = next(x for x in a.labs if x.key == "hemoglobin")
    assert line.reference.startswith("11.0") and line.status == "normal"


def test_pregnancy_is_asked_about_for_a_woman_of_18_to_50_only():
    assert "pregnant" in {u.key for u in run(sex="female", age=30).unknowns}
    assert "pregnant" not in {u.key for u in run(sex="female", age=60).unknowns}
    assert "pregnant" not in {u.key for u in run(sex="male", age=30).unknowns}


def test_immunoparesis_report_counts_only_without_entered_igs():
    assert "BX-IMMUNOPARESIS" in run(immunoparesis_reported="yes").fired_ids
    assert "BX-IMMUNOPARESIS" not in run(immunoparesis_reported="yes", igg=q(900, "mg/dL")).fired_ids


def test_isolated_neutropenia_carries_the_duffy_null_consideration():
    labels = finding(run(anc=q(1.2)), "BX-CYTOPENIA").labels
    assert any("Duffy-null" in label for label in labels)
    assert not any("Duffy-null" in label for label in finding(run(anc=q(1.2), platelets=q(120)), "BX-CYTOPENIA").labels)


def test_renal_crab_label_from_egfr_below_40():
    labels = finding(run(egfr=q(35, "mL/min/1.73m2")), "BX-RENAL").labels
    assert "value also meets the IMWG CRAB threshold" in labels


def test_mgus_risk_keeps_the_published_flc_range_with_low_egfr():
    data = dict(spep="detected", involved_isotype="igg", mprotein_concentration=q(0.5, "g/dL"),
                flc_kappa=q(25, "mg/L"), flc_lambda=q(10, "mg/L"), egfr=q(50, "mL/min/1.73m2"))
    mgus = next(c for c in run(**data).criteria if c.id == "CRIT-MGUS-RISK")
    assert mgus.value == "low-intermediate"  # ratio 2.5: inside the kidney range, outside 0.26–1.65


def test_who_anaemia_in_pregnancy_uses_11():
    statuses = {c.id: c.status for c in run(sex="female", pregnant="yes", hemoglobin=q(10.9, "g/dL")).criteria}
    assert statuses["CRIT-WHO-ANEMIA"] == "met"
    statuses = {c.id: c.status for c in run(sex="female", pregnant="yes", hemoglobin=q(11.0, "g/dL")).criteria}
    assert statuses["CRIT-WHO-ANEMIA"] == "not_met"


def test_crab_criteria_say_threshold_never_myeloma_defining():
    for criterion in run(hemoglobin=q(9.0, "g/dL"), calcium=q(11.5, "mg/dL")).criteria:
        assert "myeloma-defining" not in criterion.statement.lower()
        assert "myeloma-defining" not in criterion.title.lower()


@pytest.mark.parametrize(("calcium_mmol", "fires"), [(2.2005, True), (2.2, False)])
def test_calcium_in_mmol_is_corrected_in_si(calcium_mmol, fires):
    # 2.2005 + 0.02 × (40 − 20) = 2.6005 mmol/L, above 2.60; the mg/dL route would give 2.5997 (SPEC 1.2 §2.2).
    a = run(calcium=q(calcium_mmol, "mmol/L"), albumin=q(20, "g/L"))
    assert ("BX-CALCIUM" in a.fired_ids) is fires


def test_life_expectancy_deferral_beside_abnormal_results_says_so_in_the_headline():
    from workup.report import headline
    a = run(limited_life_expectancy=True, beta2_microglobulin=q(2.5, "mg/L"))
    assert headline(a) == "Deferral may be reasonable because of limited life expectancy; results are not normal"
    assert headline(run(limited_life_expectancy=True)) == "Deferring biopsy is reasonable"


def test_hemoglobin_lower_limit_says_the_who_2024_adjustments_are_not_applied():
    line = next(x for x in run(sex="male", hemoglobin=q(12.5, "g/dL")).labs if x.key == "hemoglobin")
    assert line.reference_origin == "default for male; WHO 2024's higher limits for smokers and at altitude not applied"
