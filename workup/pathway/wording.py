"""Every sentence a result shows, as pathway content (SPEC §6): the rule-content hash covers it.

Templates use `str.format` fields filled with values from the case (numbers, rule titles, dates);
the engine, the report text and the CDS cards build their sentences only from these. Changing a
word here changes the hash, so a saved result shows that the pathway changed.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class Disposition(StrEnum):
    """SPEC §5.2, in precedence order."""

    PROCEED_TO_BIOPSY = "PROCEED_TO_BIOPSY"
    COMPLETE_WORKUP = "COMPLETE_WORKUP"
    DEFERRAL_REASONABLE = "DEFERRAL_REASONABLE"
    BIOPSY_STRONGLY_CONSIDERED = "BIOPSY_STRONGLY_CONSIDERED"


class RuleKind(StrEnum):
    """What a row of the rule table is (SPEC §4)."""

    TRIGGER = "trigger"
    URGENT = "urgent"
    DEFERRAL = "deferral"
    IMAGING = "imaging"
    FOLLOW_UP = "follow_up"
    PITFALL = "pitfall"
    MRI = "mri"
    WARNING = "warning"
    CRITERION = "criterion"


class CriterionStatus(StrEnum):
    """A published criterion's state on this case (SPEC §10)."""

    MET = "met"
    NOT_MET = "not_met"
    NOT_EVALUABLE = "not_evaluable"


HEADLINES = MappingProxyType({
    Disposition.PROCEED_TO_BIOPSY: "Proceed to bone marrow biopsy",
    Disposition.COMPLETE_WORKUP: "Complete the laboratory work-up first",
    Disposition.DEFERRAL_REASONABLE: "Deferring biopsy is reasonable",
    Disposition.BIOPSY_STRONGLY_CONSIDERED: "Strongly consider bone marrow biopsy",
})

CARD_HEADLINES = MappingProxyType({
    Disposition.PROCEED_TO_BIOPSY: "Marrow MRI pathway: labs meet a biopsy trigger",
    Disposition.BIOPSY_STRONGLY_CONSIDERED: "Marrow MRI pathway: no trigger met, but biopsy should be strongly considered",
    Disposition.COMPLETE_WORKUP: "Marrow MRI pathway: core labs incomplete, no trigger so far; biopsy still strongly considered",
    Disposition.DEFERRAL_REASONABLE: "Marrow MRI pathway: deferring biopsy is reasonable",
})

TEXT = MappingProxyType({
    # Summaries, one per disposition.
    "summary_proceed": "Proceed to bone marrow biopsy: {triggers}.",
    "summary_complete": (
        "No biopsy trigger so far, but the core labs are incomplete: order {missing} now. "
        "Biopsy should still be strongly considered."
    ),
    "summary_defer_follow_up": "Biopsy may reasonably be deferred: {reasons}; repeat the lab panel by {due}.",
    "summary_defer_life": (
        "Deferral may be reasonable because of limited life expectancy; the results are normal. Repeat the "
        "lab panel only if it would change management."
    ),
    "summary_defer_life_abnormal": (
        "Deferral may be reasonable because of limited life expectancy; results are not normal: {abnormal}."
    ),
    "summary_consider": "No trigger met, but deferral is not reasonable: {reasons}. Strongly consider biopsy.",
    "summary_outside_scope": (
        "Red marrow is normal in children, so this adult pathway does not apply; the rules' evaluation below "
        "is shown for reference only and is not a recommendation."
    ),
    "not_deferrable_default": "the deferral criteria are not met",
    "explained_value": "{value} put down to {causes}",
    "urgent_line": "Urgent: {finding}; same-day haematology contact.",
    # Options (the action ids are fixed; see rules.OPTIONS).
    "option_biopsy": "Bone marrow biopsy (aspirate and trephine), because of: {triggers}.",
    "option_complete_labs_alongside": "Complete the core labs alongside: {missing}.",
    "option_weigh_deferral": "Weigh the deferral considerations with the team; the trigger still stands.",
    "option_complete_labs": "Order the missing core labs now: {missing}.",
    "option_consider_biopsy_incomplete": (
        "Biopsy should still be strongly considered: no trigger has been found yet, but the panel is not complete."
    ),
    "option_defer": "Defer biopsy, with surveillance ({reasons}).",
    "option_repeat_labs": (
        "Repeat the lab panel by {due}; biopsy at once if any value turns abnormal, without waiting for symptoms."
    ),
    "option_biopsy_if_concern": "Biopsy remains reasonable if clinical concern persists.",
    "option_consider_biopsy": "Strongly consider bone marrow biopsy: {abnormal}.",
    "option_anemia_workup": "Anaemia work-up alongside: ferritin, B12, folate, reticulocytes, film.",
    "option_weigh_life_expectancy": (
        "Limited life expectancy may make a biopsy inappropriate: weigh it with the patient and the team."
    ),
    "option_pregnancy_imaging": (
        "Pregnant: discuss any imaging with ionising radiation with radiology first; gadolinium is not offered."
    ),
    "option_outside_scope": (
        "This pathway is for adults: under 18 it gives no recommendation. Discuss the finding with paediatric "
        "radiology or haematology."
    ),
    "option_urgent_contact": "Contact haematology today about the urgent finding.",
    "option_discuss": "Discuss with hematology before deciding to defer.",
    "option_weigh_suspicion": (
        "Weigh your own suspicion of malignancy against the deferral considerations before deferring."
    ),
    "option_imaging": "Imaging options: {titles}.",
    "option_review_contrast": (
        "Contrast was already given: review the contrast-enhanced images that exist instead of a new "
        "contrast study."
    ),
    # Conflicts (SPEC §5.2 and §6).
    "conflict_trigger": (
        "Biopsy is indicated by {trigger}; deferral could be considered because of {deferral}. The trigger "
        "decides the disposition; whether to defer is a clinical judgement for the treating team."
    ),
    "conflict_anemia": " The source warns against delaying biopsy when anaemia is present.",
    "conflict_urgent_life_expectancy": (
        "Limited life expectancy may change what is done; the urgent finding still needs same-day haematology "
        "contact."
    ),
    "conflict_cause_not_trigger": (
        "A possible benign cause is present ({causes}), but it does not explain {values}: it is not a reason "
        "to defer."
    ),
    "conflict_cause_unexplained": (
        "A possible benign cause is present ({causes}), but it does not explain {values}."
    ),
    "conflict_incomplete_life_expectancy": (
        "The core labs are incomplete; limited life expectancy may make a biopsy inappropriate: clinical "
        "judgement."
    ),
    "conflict_blocker_life_expectancy": " Limited life expectancy may still weigh against biopsy: clinical judgement.",
    "blocker_urgent": "An urgent finding needs same-day haematology contact: deferral is not offered.",
    "blocker_urgent_short": "an urgent finding",
    "blocker_focal": (
        "A focal lesion was reported: it needs its own work-up (dedicated imaging; targeted biopsy if "
        "indicated), as it may be a plasmacytoma or a metastasis, so normal labs or a benign context do not "
        "lead to deferral."
    ),
    "blocker_focal_short": "a focal lesion needs its own work-up",
    "blocker_suspicion": (
        "You suspect malignancy: the source's deferral criteria do not weigh clinical suspicion, so deferral "
        "is not offered."
    ),
    "blocker_suspicion_short": "you suspect malignancy",
    "blocker_t1": (
        "Marrow T1 signal iso- or hypointense to both disc and muscle is not expected in normal haematopoietic "
        "marrow (Carroll 1997; an extension beyond the source), so deferral is not offered."
    ),
    "blocker_t1_short": "T1 marrow iso- or hypointense to both disc and muscle",
    "conflict_suspicion": (
        "You suspect malignancy, while {deferral} points towards deferral. The source's deferral criteria "
        "do not weigh a clinician's suspicion: clinical judgement decides."
    ),
    # Lab values and the basis.
    "value": "{label}: {value}",
    "value_bare": "{label} {value}",
    "value_converted": "{value} = {canonical}",
    "value_corrected": "{value}, corrected {canonical}",
    "basis_comparison": "; {comparison} {limit} ({name}: {origin})",
    "basis_note": "; {note}",
    "basis_held": " (met)",
    "basis_not_held": " (not met)",
    "value_reference": "{label}: {value} (reference {reference})",
    "value_detected": "{label} detected",
    "calcium_not_corrected": "measured total calcium (no albumin entered, so not corrected)",
    "hb_adjustments_not_applied": "WHO 2024's higher limits for smokers and at altitude not applied",
    "calcium_corrected_si": (
        "corrected for albumin {albumin} g/L in SI (measured {measured}); a paraprotein can distort total calcium"
    ),
    "calcium_corrected": (
        "corrected for albumin {albumin} g/dL (measured {measured}); a paraprotein can distort total calcium"
    ),
    "flc_ratio_computed": "computed from κ {kappa} mg/L ÷ λ {lam} mg/L",
    "flc_ratio_computed_beside_entered": (
        "computed from κ {kappa} mg/L ÷ λ {lam} mg/L; the ratio entered was {entered}"
    ),
    "flc_ratio_discrepancy": (
        "The entered FLC ratio {entered} and κ ÷ λ = {computed} differ by more than 10%; the rules use the "
        "computed ratio. Check both entries."
    ),
    "origin_default": "default",
    "origin_sex": "default for {sex}",
    "origin_sex_missing": "the limit used when sex is not recorded",
    "origin_pregnant": "default in pregnancy (WHO)",
    "origin_with_note": "{origin}; {note}",
    "origin_kidney": "kidney range, used because eGFR is below 60",
    "origin_lab": "lab reference limit",
    "origin_relative": "upper limit ({origin}) + {step}",
    "origin_below_lower": "lower limit ({origin}) − {step}",
    "reference_stated": "{canonical} ({stated})",
    # Unknowns.
    "unknown_core": "core lab: needed for a complete panel",
    "unknown_optional": "optional: does not block a complete panel",
    "unknown_sex": (
        "sets the hemoglobin and creatinine limits; until it is recorded the stricter limits are used"
    ),
    "unknown_pregnant": "sets the hemoglobin lower limit and the imaging advice",
    # Pitfalls and MRI items.
    "pitfall_inactive": "Not raised by this case's inputs.",
    "mri_clivus": "Low reliability here: the comparison was made at the clivus (PF-CLIVUS).",
    "mri_no_brain_reference": (
        "Not applicable here: no cranial marrow was compared with brain, so this cranial-MRI criterion "
        "does not apply."
    ),
    "scope_note": (
        "Applies only to an adult whose lumbar MRI shows diffuse marrow heterogeneity of unclear etiology."
    ),
    # Published-criteria cross-check (SPEC §10): the three summary lines and their parts.
    "criteria_supported": "Source triggers whose values also meet a published threshold: {items}.",
    "criteria_source_alone": "Source triggers with no published threshold behind them: {items}.",
    "criteria_beyond_source": "Published thresholds met where the source does not trigger: {items}.",
    "criteria_source_explained": (
        "“The source” is the pathway article this tool follows (dated 2025-11-14, AI-generated, pending human "
        "review); the published criteria come from the literature."
    ),
    "criteria_not_measured": "not measured: {items}",
    "stratum": "{stratum}: 20-year risk of progression {risk} % ({risk_ignoring_death} % ignoring death)",
    "stratum_at_least": (
        "at least {stratum}: 20-year risk of progression ≥ {risk} % (≥ {risk_ignoring_death} % ignoring death)"
    ),
    "criteria_status_met": "met",
    "criteria_status_not_met": "not met",
    "criteria_status_not_evaluable": "cannot be judged from these inputs",
    "flc_involved_note": "the larger of κ {kappa} mg/L and λ {lam} mg/L ({chain})",
    "flc_involved_ratio_note": "involved ÷ uninvolved: {involved} mg/L ÷ {uninvolved} mg/L",
    "not_for_urgent_use": "Decision support only; not for time-critical decisions. Clinical judgement decides.",
})


# Report text (SPEC 1.2 §6.1, workup/report.py): the impression a radiologist signs, in their own voice,
# the provenance line under it and the referral summary. Values are filled in from the result.
REPORT_TEXT = MappingProxyType({
    # The headline when a scope guard leads (SPEC 1.2 §1).
    "headline_pediatric": "Outside this pathway: patient under 18",
    "headline_life_expectancy_abnormal": (
        "Deferral may be reasonable because of limited life expectancy; results are not normal"
    ),
    "headline_known_cause": "Outside this pathway (cause already known); for reference only: {headline}",
    # The finding and the MRI signs entered.
    "finding": "Diffuse heterogeneous marrow signal on lumbar MRI, of unclear cause",
    "finding_known_cause": "Diffuse heterogeneous marrow signal on lumbar MRI",
    "finding_with_signs": "{finding}; {signs}.",
    "finding_signs_not_recorded": "{finding}; the marrow signal characteristics were not recorded.",
    "sign_t1_disc_and_muscle": "T1 marrow {signal} to intervertebral disc and to muscle",
    "sign_t1_disc": "T1 marrow {signal} to intervertebral disc",
    "sign_t1_muscle": "T1 marrow {signal} to paraspinal muscle",
    "sign_t1_brain": "T1 marrow {signal} to {reference}{where}",
    "sign_site_calvarium": " (calvarial marrow on brain imaging)",
    "sign_site_clivus": " (clival marrow on brain imaging)",
    "sign_pattern_diffuse_homogeneous": "diffuse homogeneous pattern",
    "sign_pattern_variegated": "variegated pattern",
    "sign_focal_none": "no focal lesion of 5 mm or more",
    "sign_focal_one": "one focal lesion of 5 mm or more",
    "sign_focal_more_than_one": "more than one focal lesion of 5 mm or more",
    "sign_no_precontrast": "no precontrast T1 sequence",
    "sign_contrast_given": "gadolinium given",
    "pediatric_note": (
        "The patient is under 18, when red marrow is normal; this finding is not assessed against the adult "
        "marrow pathway."
    ),
    # The disposition, one sentence per path.
    "proceed": (
        "With {reasons}, hematology referral for consideration of bone marrow examination is suggested."
    ),
    "complete_workup": (
        "No laboratory trigger for marrow examination has been identified so far, but the core laboratory "
        "work-up is incomplete; bone marrow examination should still be strongly considered."
    ),
    "defer_normal_labs": (
        "No laboratory trigger for marrow examination was identified; normal results do not exclude marrow "
        "infiltration; repeat the blood tests by {due}."
    ),
    "defer_benign": (
        "No laboratory trigger was identified; {values} attributed to {causes}; repeat the blood count and "
        "film by {due}."
    ),
    "defer_life_expectancy": (
        "Marrow examination may not be appropriate given limited life expectancy; abnormal results: {values}."
    ),
    "defer_life_expectancy_normal": (
        "Marrow examination may not be appropriate given limited life expectancy; the laboratory results are "
        "normal."
    ),
    "consider": (
        "No laboratory trigger for marrow examination was identified, but deferral is not supported "
        "({reasons}); hematology referral for consideration of bone marrow examination is suggested."
    ),
    "blocked_focal_lesions": "a focal lesion needs its own work-up",
    "blocked_suspected_malignancy": "malignancy is clinically suspected",
    "blocked_t1_signal": "marrow T1 signal iso- or hypointense to both disc and muscle",
    "blocked_urgent": "an urgent finding",
    "blocked_abnormal": "the results below are not normal",
    # Values.
    "value_compared": "{value} ({comparison} {limit})",
    "value_low": "{value} (below the lower limit of {limit})",
    "value_high": "{value} (above the upper limit of {limit})",
    "value_coded": "{label}: {items}",
    "limit_sex_not_recorded": "{limit}, the limit used when sex is not recorded",
    "detected_spep": "a monoclonal protein on serum electrophoresis",
    "detected_spep_ife": "a monoclonal protein on serum electrophoresis and immunofixation",
    "detected_ife": "a monoclonal protein on serum immunofixation",
    "detected_urine": "a monoclonal protein in the urine",
    "other_abnormal": "Other results outside their reference limits: {items}.",
    "and": " and ",
    # What is still to do.
    "missing_labs": "Outstanding core tests: {items}.",
    "imaging": "{name} is suggested {reason}.",
    "imaging_pregnant": "; in pregnancy, discuss with radiology first (ionising radiation).",
    "reason_plasma_cell": "given the suspected plasma-cell disorder",
    "reason_cancer_history": "given the history of cancer",
    "reason_weight_loss": "given the unexplained weight loss",
    "reason_suspected_malignancy": "given the suspected malignancy",
    "reason_suspected_malignancy_or_infection": "given the suspected malignancy, infection or inflammation",
    "reason_precontrast": "before the marrow is interpreted",
    "review_contrast": "The contrast-enhanced images already acquired should be reviewed.",
    "follow_up": "Then {title}, by {due}.",
    "follow_up_if_useful": "If it would change management: {title}, by {due}.",
    "locally_approved": "Assessed against the locally approved marrow work-up pathway.",
    # The provenance line and the referral summary.
    "provenance": (
        "Marrow workup pathway v{version} (decision support, not a diagnosis; source: an AI-generated article "
        "pending human review)"
    ),
    "referral_title": "Hematology referral summary",
    "referral_inputs": "Entered values:",
    "referral_none_entered": "(none entered)",
    "referral_unknowns": "Not yet known, and could change the result: {items}.",
    "referral_mri_not_recorded": "The MRI marrow signs were not recorded.",
    "referral_evaluated": "Evaluated {date}.",
    "referral_provenance": "{provenance}. Rule content {hash}; rules: {rules}.",
    "no_rules": "none fired",
    "lab_limit": "Lab limit {key}",
})


# The CDS Hooks cards (workup/ehr/cds.py): markdown fields arrive escaped; the markup that is part of
# a sentence (bold result lines, backticks around ids and references) is here; the layout (section
# titles in bold, bullets, blank lines) is in cds.py.
# SPEC 1.2 §6.3: the order card cannot know why the biopsy was ordered, so its summary begins with the
# condition (CARD_TEXT "order_summary"); it never offers deferral, since the clinician has decided to sample.
ORDER_CARD_HEADLINES = MappingProxyType({
    Disposition.PROCEED_TO_BIOPSY: "the labs meet a biopsy trigger",
    Disposition.BIOPSY_STRONGLY_CONSIDERED: "no biopsy trigger met, but some values support sampling",
    Disposition.COMPLETE_WORKUP: "add the missing core labs alongside the biopsy",
    Disposition.DEFERRAL_REASONABLE: "core labs complete, no biopsy trigger met",
})

# The disposition as the card's result line names it, before the summary.
CARD_DISPOSITIONS = MappingProxyType({
    Disposition.PROCEED_TO_BIOPSY: "Proceed to biopsy",
    Disposition.BIOPSY_STRONGLY_CONSIDERED: "Biopsy strongly considered",
    Disposition.COMPLETE_WORKUP: "Complete workup",
    Disposition.DEFERRAL_REASONABLE: "Deferral reasonable",
})

# The reasons a card offers for not following it (codes fixed: feedback is stored by code).
CARD_OVERRIDE_REASONS = MappingProxyType({
    "not-applicable": "No diffuse marrow finding on MRI: pathway does not apply",
    "etiology-known": "Etiology of the marrow finding is already known",
    "already-evaluated": "Already biopsied or under haematology care",
    "clinical-judgement": "Clinical judgement differs",
})

CARD_TEXT = MappingProxyType({
    "summary_with_ids": "{headline} ({ids})",
    "result": "**{disposition}.** {summary}",
    "section_basis": "Basis",
    "section_criteria": "Published criteria (a cross-check beside the triggers; never changes the result)",
    "section_labs": "Lab values read from the record",
    "section_patient": "Patient",
    "section_selection": "How results were chosen",
    "section_ehr_messages": "Messages from the EHR",
    "section_unknowns": "Unknowns (could change the result)",
    "section_not_used": "Not used",
    "provenance": "Pathway `{id}` {version} (source {source_date}), rules `{hash}…`",
    "source_label": (
        "Marrow heterogeneity pathway v{version}, from an AI-generated article pending human review"
    ),
    "link_label": "Open the marrow workup prefilled with these labs",
    "capped": (
        "This client address already holds many open workups from this service, so no prefilled link "
        "is offered and feedback on this card is not recorded. A client with a signed token is not limited."
    ),
    # The basis: one line per fired rule, then abnormal values that are not triggers.
    "basis_finding": "`{id}` {title}",
    "basis_finding_matched": "`{id}` {title}: {matched}",
    "match_converted": "{value} (= {canonical})",
    "match_note": "{value} ({note})",
    "match_threshold": "{value} {comparison} {threshold} ({origin} limit)",
    "basis_abnormal": "Abnormal, not a trigger: {value} (reference {reference})",
    "basis_none": "No biopsy trigger, deferral consideration or imaging option fired on these values.",
    # The cross-check (SPEC §10): criteria beside the fired triggers, and any met beyond them.
    "criterion": "`{id}` {title}: {status}",
    "criterion_stratum": "`{id}` {title}: {status} ({value} risk)",
    "criterion_not_measured": "{line}; {not_measured}",
    # The labs read, how they were chosen, and what was set aside.
    "lab_read": "{label}: {value} (LOINC {loinc}, {when})",
    "lab_undated": "undated",
    "old_only": "Only results older than the look-back window (default {days} days), so not used: {labels}.",
    "ehr_message": "`{ref}`: {message}",
    "unknown": "{label}",
    "unknown_note": "{label} ({note})",
    "unknown_could_change": "{label}: could change {rules}",
    "unknown_note_could_change": "{label} ({note}): could change {rules}",
    "set_aside": "`{ref}`: {reason}",
    "set_aside_input": "{key}: {reason}",
    "not_supplied": "Not supplied by the EHR: {keys}",
    # Order hooks.
    "order_summary": "If for diffuse marrow change on lumbar MRI: {headline}",
    "order_summary_with_ids": "{headline} ({ids})",
    "order_result": "**If for diffuse marrow change on lumbar MRI: {headline}.** {missing}",
    "order_already_drafted": "Already among the draft orders, so not offered again: {labels}.",
    "order_missing": "Core labs missing: {labels}.",
    "order_none_missing": "No core lab is missing.",
})


# What was read from the patient's record, and why a result was set aside (workup/ehr/fhir.py). Said in
# the card's "Patient", "How results were chosen" and "Not used" sections and in the JSON API's
# FHIR-ENTRY-SKIPPED warnings. The fields are the record's own values: LOINC display names,
# references, dates, and a client's value shortened.
RECORD_TEXT = MappingProxyType({
    # Part of a used Observation that is not read.
    "quantity_unit_set_aside": (
        "{display}: read as an M-spike (detected), but its concentration is not used: the unit is not UCUM {units}."
    ),
    # Why an Observation cannot be used at all.
    "not_an_observation": "Not an Observation.",
    "status_not_usable": "Status “{status}”: only final, amended or corrected results are used.",
    "no_pathway_loinc": "No LOINC code that this pathway uses.",
    "no_value_quantity": "{display}: no valueQuantity.",
    "data_absent": "{display}: no value; the lab says why: {reason}.",
    "reported_as_bound": "{display}: reported as a bound ({comparator}), not a value.",
    "value_not_a_number": "{display}: valueQuantity.value is not a number.",
    "value_not_finite": "{display}: valueQuantity.value is not a finite number.",
    "value_out_of_range": (
        "{display}: valueQuantity.value is out of range for a lab result (at most {digits} digits, "
        "between 10^-{magnitude} and 10^{magnitude})."
    ),
    "no_ucum_unit": "{display}: the unit has no UCUM code.",
    "unit_not_accepted": "{display}: unit “{unit}” is not one this pathway accepts.",
    "not_a_ratio_unit": "{display}: unit “{unit}” is not a ratio unit.",
    "spep_quantity_not_positive": (
        "{display}: only a quantified M-spike above zero (detected) is read from a number."
    ),
    "no_coded_result": (
        "{display}: no coded result (SNOMED CT detected / not detected); a narrative report is not "
        "interpreted, so this stays unknown."
    ),
    # Why a usable result from the record is not chosen (the selection rules).
    "older_than_window": "{display}: older than the look-back window ({effective}).",
    "another_subject": "About another patient, not the one in context: ignored.",
    "partial_page": (
        "The EHR sent only the first page of these results (the search has more), so the newest cannot be "
        "told: not used. Results may be incomplete."
    ),
    "undated": "Undated: cannot tell whether it is recent, so it is not used.",
    "dated_after_evaluation": "Dated after the evaluation ({effective}): not used.",
    # What the lab's own result carries, and how it was read.
    "range_used": (
        "{display}: the lab's own reference range ({range}) is used for its limits, in place of the pathway's defaults."
    ),
    "unit_converted": "{display}: reported in UCUM “{code}”, read as {value} {unit}.",
    # Results that must come from one collection.
    "light_chains_apart": (
        "Free κ ({kappa}) and λ ({lam}) are not from the same collection, so neither is used and no κ/λ "
        "ratio is formed."
    ),
    "no_same_day_albumin": (
        "No albumin from the calcium's day ({effective}): calcium is used uncorrected and albumin is not used."
    ),
    # What was read from the Patient.
    "patient_not_a_patient": "The patient prefetch is not a Patient resource: age and sex not read.",
    "patient_another": "The Patient sent is another patient, not the one in context: age and sex not read.",
    "patient_deceased": "The record marks this patient as deceased.",
    "age_from_birth_date": "Age {age} on {date} (from the birth date).",
    "birth_date_incomplete": "The birth date is incomplete or not a date: age not set.",
    "sex_from_gender": "Sex {sex} (from the administrative gender).",
    "gender_not_male_or_female": (
        "Administrative gender is neither male nor female: sex-specific limits use the defaults."
    ),
    # The EHR's own messages (an OperationOutcome): its words are quoted, ours only when it has none.
    "outcome_without_message": "the server sent an OperationOutcome without a message.",
    # Entries of a Bundle sent to the JSON API that are not results (workup/api/services.py).
    "entry_included": "Included resource, not a result: skipped.",
    "entry_server_message": "Message from the FHIR server: {message}",
    "entry_not_an_observation": "Not an Observation: skipped.",
    "entry_not_final": "Not a final result (status is not final, amended or corrected): skipped.",
})

# The screen opened by a SMART launch (workup/ehr/launch_notice.py): what was read from the record, kept
# with the draft. It has the card's sections and sentences, said for a record kept server-side: how old a
# result was when the workup was opened instead of its date, and no reference to the patient.
NOTICE_TEXT = MappingProxyType({
    "title": "Read from the record",
    # need_patient_banner: the EHR shows no banner of its own, so the app names the patient (this browser only).
    "banner": "Patient, as the EHR names them: {name}, born {birth_date}, sex {sex}.",
    "intro": (
        "The EHR opened this workup, and the entries below were filled from the patient's record at that "
        "moment. Check them against the record: what was left out, and why, is listed here too."
    ),
    "toggle": "What was read, how it was chosen, and what was not used",
    "line": "{label}: {text}",
    "left_empty": "No usable result in the record, so left for you to enter: {labels}.",
    # How old a result was when the workup was opened (never its date).
    "within_a_day": "within a day of opening",
    "one_day_before": "1 day before opening",
    "days_before": "{days} days before opening",
    "one_day_after": "1 day after opening",
    "days_after": "{days} days after opening",
    # Record sentences whose fields would name the patient or a day, said without them.
    "instead_of_another_subject": "About another patient, not this one: ignored.",
    "instead_of_patient_another": "The Patient resource sent is not this patient: age and sex not read.",
    "instead_of_age_from_birth_date": "Age {age} when the workup was opened (from the birth date).",
})

# Messages about an entered value (workup/pathway/validation.py): beside the field on the screen, in the
# JSON API's 400 answer, and in a CDS card's "Not used" section.
INPUT_TEXT = MappingProxyType({
    "unit_not_accepted": "“{unit}” is not a unit for {label}; use one of: {units}.",
    "number_too_long": "“{text}” is too long for a number (at most {limit} characters).",
    "not_a_number": "“{text}” is not a number.",
    "beyond_any_range": "“{text}” is outside the plausible range of any value here (10^±{exponent}).",
    "implausible": "{label} {value} {unit} is outside the plausible range ({low}–{high} {unit}).",
    "implausible_probable_unit": (
        "{label} {value} {unit} is outside the plausible range ({low}–{high} {unit}). "
        "Was it entered in {units}? Check the unit."
    ),
    "ratio_not_finite": "An FLC ratio must be a finite number (entered {value}).",
    "ratio_not_positive": "An FLC ratio must be greater than 0 (entered {value}).",
    "ratio_too_large": "An FLC ratio must be at most {high} (entered {value}).",
    "age_not_whole": "Age must be a whole number of years (entered {value}).",
    "age_out_of_range": "Age {value} is outside {low}–{high} years.",
    "set_value_alone": "“{value}” cannot be ticked together with a finding for {label}: choose one or the other.",
    "anc_above_wbc": (
        "Neutrophils {anc} {anc_unit} is more than the white cells {wbc} {wbc_unit}, which cannot be: was a "
        "percentage typed? Enter the absolute count in 10⁹/L."
    ),
    # Fragments used inside the messages above.
    "units_or": " or ",  # between the units a number was probably entered in
    "shortened": "{start}… ({length} characters)",  # a long refused value, echoed
})


def say(key: str, /, **values: object) -> str:
    """The sentence `key` of the pathway content, with its fields filled in."""
    return TEXT[key].format(**values) if values else TEXT[key]


def card_say(key: str, /, **values: object) -> str:
    """The card sentence `key` (CARD_TEXT), with its fields filled in."""
    return CARD_TEXT[key].format(**values) if values else CARD_TEXT[key]


class RecordSentence(str):
    """A record sentence that remembers its template key and fields, so that a reader who must say it
    another way can: the launch notice re-says it with ages instead of dates and without references."""

    key: str
    values: dict[str, object]

    def __new__(cls, key: str, values: dict[str, object]) -> RecordSentence:
        sentence = super().__new__(cls, RECORD_TEXT[key].format(**values) if values else RECORD_TEXT[key])
        sentence.key, sentence.values = key, dict(values)
        return sentence


def record_say(key: str, /, **values: object) -> RecordSentence:
    """The record sentence `key` (RECORD_TEXT), with its fields filled in."""
    return RecordSentence(key, values)


def notice_say(key: str, /, **values: object) -> str:
    """The launch notice's sentence `key` (NOTICE_TEXT), with its fields filled in."""
    return NOTICE_TEXT[key].format(**values) if values else NOTICE_TEXT[key]


def input_say(key: str, /, **values: object) -> str:
    """The input message `key` (INPUT_TEXT), with its fields filled in."""
    return INPUT_TEXT[key].format(**values) if values else INPUT_TEXT[key]


def wording_content() -> dict[str, object]:
    """What the hash covers from this module."""
    return {
        "headlines": {str(k): v for k, v in HEADLINES.items()},
        "card_headlines": {str(k): v for k, v in CARD_HEADLINES.items()},
        "order_card_headlines": {str(k): v for k, v in ORDER_CARD_HEADLINES.items()},
        "card_dispositions": {str(k): v for k, v in CARD_DISPOSITIONS.items()},
        "card_text": dict(CARD_TEXT),
        "card_override_reasons": dict(CARD_OVERRIDE_REASONS),
        "record_text": dict(RECORD_TEXT),
        "notice_text": dict(NOTICE_TEXT),
        "input_text": dict(INPUT_TEXT),
        "text": dict(TEXT),
        "report_text": dict(REPORT_TEXT),
        "dispositions": [d.value for d in Disposition],
        "rule_kinds": [k.value for k in RuleKind],
        "criterion_statuses": [k.value for k in CriterionStatus],
    }
