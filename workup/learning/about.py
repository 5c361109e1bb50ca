"""The "About this tool" page as data: every input and how to obtain it, and every disagreement.

The input list is built from INPUTS (a test checks that every input key has a line here), and
each disagreement names the rules and the evidence note it concerns (a test checks they exist).
"""

from __future__ import annotations

from dataclasses import dataclass

from workup.pathway.inputs import CHOICE_LABELS, INPUTS, REFERENCE_LIMIT_KEYS, InputSpec
from workup.pathway.rules import RULES_BY_ID

GROUP_LABELS = {"mri": "MRI findings", "labs": "Laboratory values", "context": "Clinical context"}

HOW_TO_OBTAIN: dict[str, str] = {
    "t1_vs_disc": "From the lumbar MRI: compare vertebral marrow with a non-degenerated disc on the "
    "precontrast, non-fat-suppressed T1 sequence.",
    "t1_vs_muscle": "From the lumbar MRI: compare vertebral marrow with the paraspinal muscles on the "
    "same T1 sequence.",
    "t1_vs_white_matter": "Only from a brain MRI that shows calvarial marrow: compare it with cerebral "
    "white matter on T1. Leave blank for a lumbar study alone.",
    "t1_vs_gray_matter": "As for white matter, against cortical gray matter. Leave blank without a "
    "brain MRI.",
    "brain_reference_site": "From the brain MRI report: was calvarial or clival marrow compared? "
    "Choose none when no cranial comparison was made.",
    "pattern": "From the MRI report or your own read: diffuse homogeneous, variegated, or not characterised.",
    "focal_lesions": "From the MRI: count discrete lesions of 5 mm or more.",
    "precontrast_t1": "From the MRI protocol: was a T1 sequence acquired before any contrast?",
    "contrast_given": "From the MRI protocol: was gadolinium given?",
    "hemoglobin": "Full blood count. Enter the unit the lab reports (g/dL, g/L or mmol/L).",
    "wbc": "Full blood count, in 10⁹/L.",
    "platelets": "Full blood count, in 10⁹/L.",
    "anc": "Full blood count differential: the absolute neutrophil count, in 10⁹/L (not the percentage).",
    "blood_film": "The blood film report: its coded findings, normal, or not done.",
    "spep": "Serum protein electrophoresis: was an M-spike detected?",
    "ife": "Serum immunofixation: was a monoclonal protein detected?",
    "urine_mprotein": "Urine protein electrophoresis or urine immunofixation, if sent (optional; add "
    "it when AL amyloidosis is a concern).",
    "flc_kappa": "Serum free light chain assay, κ value with its unit.",
    "flc_lambda": "Serum free light chain assay, λ value in the same unit as κ.",
    "flc_ratio": "The κ/λ ratio as the lab reports it; leave blank to let the tool compute κ ÷ λ.",
    "mprotein_concentration": "The size of the M-spike on serum electrophoresis, in g/dL or g/L "
    "(optional). Only the published-criteria cross-check reads it, to place MGUS risk.",
    "calcium": "Serum total calcium from the chemistry panel; it is corrected for albumin when "
    "albumin is entered.",
    "albumin": "Serum albumin from the chemistry panel.",
    "creatinine": "Serum creatinine from the chemistry panel.",
    "egfr": "The eGFR reported with the creatinine, if any (optional).",
    "beta2_microglobulin": "Serum β2-microglobulin, in mg/L.",
    "igg": "Quantitative serum immunoglobulins (optional).",
    "iga": "Quantitative serum immunoglobulins (optional).",
    "igm": "Quantitative serum immunoglobulins (optional).",
    "involved_isotype": "From the immunofixation report: the isotype of the monoclonal protein, if "
    "one was found.",
    "immunoparesis_reported": "From a lab or hematology report, when immunoglobulin values are not at hand.",
    "age": "From the record, in whole years.",
    "sex": "From the record; it sets the default hemoglobin and creatinine limits.",
    "pregnant": "From the history or a pregnancy test, for a woman or a person of unrecorded sex aged 18–50.",
    "unexplained_weight_loss": "From the history: weight loss the patient did not intend and that "
    "has no explanation.",
    "history_of_cancer": "From the history: any previous or current cancer.",
    "limited_life_expectancy": "The treating team's judgement: advanced age or illness that limits "
    "life expectancy.",
    "benign_context": "From the history: heavy smoking, obesity, endurance sport, G-CSF or "
    "erythropoietin (each its own choice) within 6 weeks, living at altitude, or chronic anaemia of "
    "known cause.",
    "suspected_infection_or_inflammation": "Your clinical judgement from the history, examination "
    "and inflammatory markers.",
    "suspected_malignancy": "Your clinical judgement.",
    "known_etiology": "Your judgement: is the cause of the marrow change already known? If so, the "
    "pathway does not apply.",
    "evaluation_date": "Today, unless you are reviewing an earlier work-up; it sets the follow-up due date.",
}
REFERENCE_LIMITS_HOW = (
    "Optional. Your lab's own reference limits for hemoglobin, calcium, creatinine, albumin, "
    "β2-microglobulin and the immunoglobulins replace the tool's defaults; copy them from the lab "
    "report. The lab's hemoglobin limit changes what counts as normal, never the source's 12 g/dL "
    "trigger."
)


@dataclass(frozen=True, slots=True)
class InputLine:
    key: str
    label: str
    group: str
    accepts: str
    help: str
    how: str


def _accepts(spec: InputSpec) -> str:
    if spec.kind == "quantity":
        return "number with a unit: " + ", ".join(spec.analyte.unit_symbols)
    if spec.kind in ("choice", "set"):
        prefix = "any of: " if spec.kind == "set" else "one of: "
        return prefix + ", ".join(CHOICE_LABELS.get(v, v) for v in spec.choice_values)
    return {
        "boolean": "yes or no",
        "integer": "whole number",
        "ratio": "number (no unit)",
        "date": "date (YYYY-MM-DD)",
    }[spec.kind]


def input_lines() -> tuple[InputLine, ...]:
    """Every input of the engine's input table, with what it accepts and how to obtain it."""
    lines = [
        InputLine(s.key, s.label, GROUP_LABELS[s.group], _accepts(s), s.help, HOW_TO_OBTAIN[s.key])
        for s in INPUTS
    ]
    lines.append(
        InputLine(
            "reference_limits",
            "Lab reference limits",
            GROUP_LABELS["labs"],
            "per limit, a number with a unit: " + ", ".join(REFERENCE_LIMIT_KEYS),
            "",
            REFERENCE_LIMITS_HOW,
        )
    )
    return tuple(lines)


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One place where the source pathway and the evidence part ways, and what the tool does."""

    topic: str
    source: str
    evidence: str
    tool: str
    follows: str  # "source" | "evidence" | "both"
    rule_ids: tuple[str, ...]
    evidence_note: str

    @property
    def follows_label(self) -> str:
        """The "Follows" column, naming what the row's first rule is (a trigger only when it is one)."""
        if self.follows != "both":
            return self.follows.capitalize()
        return f"Source for {FOLLOWS_WHAT[RULES_BY_ID[self.rule_ids[0]].kind]}; evidence beside it"


# What the source decides in a "both" row, by the kind of the row's first rule.
FOLLOWS_WHAT = {
    "trigger": "the trigger",
    "deferral": "the deferral consideration",
    "imaging": "the imaging offer",
    "follow_up": "the follow-up",
    "pitfall": "the pitfall",
    "mri": "the MRI signs",
}


DISAGREEMENTS: tuple[Disagreement, ...] = (
    Disagreement(
        "How often a neoplasm is found",
        "Hematolymphoid neoplasms in about 42–47% of cases.",
        "Two small biopsy-selected series; one counted metastases, the other any important blood "
        "disorder. Less selected cohorts: about 6–10% (UNCONFIRMED); a 2024 biopsy series: 7%.",
        "Keeps the source's urge to biopsy and shows the corrected range wherever deferral comes up. "
        "Offers none of these figures as a pre-test probability: each counted a different outcome.",
        "source",
        ("DF-NORMAL-LABS",),
        "EN-YIELD",
    ),
    Disagreement(
        "Anaemia trigger",
        "Hemoglobin under 12 g/dL, for everyone.",
        "No source for 12 g/dL as a biopsy trigger; IMWG anaemia is under 10 g/dL or 2 g/dL below "
        "the lower limit; WHO anaemia is sex-specific.",
        "Fires at 12 g/dL as the source says; judges 'completely normal' with the sex-specific WHO "
        "limit, so a man at 12.6 g/dL cannot be deferred on normal labs.",
        "both",
        ("BX-ANEMIA", "PF-ANEMIA-DELAY", "DF-NORMAL-LABS"),
        "EN-HB",
    ),
    Disagreement(
        "Free light chain ratio",
        "Abnormal means above 8 or below 0.125.",
        "That cut-off predicts progression of diagnosed smouldering myeloma (published as ≥ 8 / "
        "≤ 0.125); the normal range is 0.26–1.65, and anything outside it is abnormal.",
        "Triggers only beyond the source's cut-off (strictly, as written); a ratio outside the normal "
        "range blocks deferral and counts as a suspected plasma-cell disorder.",
        "both",
        ("BX-FLC", "DF-NORMAL-LABS"),
        "EN-FLC",
    ),
    Disagreement(
        "Raised calcium",
        "A trigger, with no number.",
        "IMWG's CRAB level is above 11 mg/dL or more than 1 mg/dL above the upper limit; paraproteins "
        "can distort total calcium.",
        "Fires above the upper reference limit (albumin-corrected) and labels values at the CRAB level.",
        "source",
        ("BX-CALCIUM",),
        "EN-CALCIUM",
    ),
    Disagreement(
        "Renal dysfunction",
        "A trigger, with no number.",
        "IMWG's CRAB level is creatinine above 2 mg/dL (177 µmol/L) or clearance under 40 mL/min.",
        "Fires above the creatinine upper limit or at an eGFR under 60, and labels the CRAB level.",
        "source",
        ("BX-RENAL",),
        "EN-RENAL",
    ),
    Disagreement(
        "Immunoparesis",
        "A trigger.",
        "A risk factor for progression, not a diagnostic criterion, and common in older adults without MGUS.",
        "Fires as the source says, leaving out the involved isotype; shows the note.",
        "source",
        ("BX-IMMUNOPARESIS",),
        "EN-IMMUNOPARESIS",
    ),
    Disagreement(
        "Age over 50 with weight loss",
        "A trigger.",
        "No source found; weight loss can itself cause serous atrophy, a marrow-signal mimic.",
        "Fires as the source says; shows the note.",
        "source",
        ("BX-AGE-WEIGHT-LOSS",),
        "EN-WEIGHT-LOSS",
    ),
    Disagreement(
        "History of cancer",
        "A trigger within this pathway.",
        "The yield series excluded known cancer: with a cancer history this is a search for "
        "metastasis, a different population.",
        "Fires as the source says; shows the note.",
        "source",
        ("BX-CANCER-HISTORY",),
        "EN-CANCER",
    ),
    Disagreement(
        "Brain references on a lumbar MRI",
        "Compare marrow with white and gray matter (sensitivity/specificity 93/86% and 67/96%, "
        "UNCONFIRMED).",
        "These are cranial-MRI criteria, absent from a lumbar field of view; the figures could not be "
        "confirmed against the paper (UNCONFIRMED) and come from a two-group design (patients against "
        "healthy controls), which overstates accuracy. A dark clivus is atypical over 50. Disc and "
        "paraspinal muscle are the lumbar internal standards, with counts of lesions from one small "
        "selected series.",
        "Takes a white- or gray-matter comparison only as information, never as a trigger: it is "
        "meant for a brain study that shows cranial marrow, is of low reliability when the clivus was "
        "the reference, and its figures are labelled UNCONFIRMED, with no likelihood ratio or "
        "post-test probability. Adds the disc and muscle signs, whose lesion counts are shown without a "
        "likelihood ratio.",
        "both",
        ("MRI-T1-WM", "MRI-T1-GM", "MRI-T1-DISC", "MRI-T1-MUSCLE", "PF-CLIVUS"),
        "EN-BRAIN-REF",
    ),
    Disagreement(
        "Lumbar MRI with contrast",
        "Offered when malignancy, infection or inflammation is suspected.",
        "Gadolinium adds little for diffuse marrow disease and can make lesions look like fatty "
        "marrow; the precontrast T1 is what matters.",
        "Offers it when the source does, except when contrast was already given (the contrast-enhanced "
        "images are there to review); shows the note; asks for a precontrast T1 whenever none was "
        "acquired.",
        "both",
        ("IM-MRI-CONTRAST", "IM-PRECONTRAST-T1"),
        "EN-CONTRAST",
    ),
    Disagreement(
        "PET/CT",
        "Helps tell benign from pathological and finds disease elsewhere.",
        "No evidence for it as a first test of an isolated finding with normal labs.",
        "Offers it only when malignancy or a plasma-cell disorder is suspected; shows the note.",
        "source",
        ("IM-PET-CT",),
        "EN-PETCT",
    ),
    Disagreement(
        "Skeletal survey",
        "Order one if a plasma-cell disorder is suspected.",
        "IMWG 2019: whole-body low-dose CT is more sensitive and the method of choice.",
        "Offers the survey as the source does, titled to prefer whole-body low-dose CT.",
        "both",
        ("IM-SKELETAL-SURVEY",),
        "EN-SKELETAL",
    ),
    Disagreement(
        "Three-month repeat labs",
        "Repeat the labs at 3 months after deferring on normal labs.",
        "Unsourced for this indication; the nearest standard retests smouldering myeloma at 2–3 "
        "months and MGUS at 6.",
        "Schedules 3 months as the source says; shows the note.",
        "source",
        ("FU-REPEAT-LABS",),
        "EN-FOLLOW-UP",
    ),
    Disagreement(
        "Benign causes",
        "One example: chronic anaemia with a known cause.",
        "Heavy smoking, obesity, endurance sport and G-CSF also cause red-marrow reconversion; young "
        "women normally have more red marrow. For altitude and EPO no primary source was found "
        "(UNCONFIRMED).",
        "Accepts the wider list as benign context.",
        "evidence",
        ("DF-BENIGN-CONTEXT",),
        "EN-MIMICS",
    ),
    Disagreement(
        "Focal lesions",
        "Not mentioned.",
        "More than one focal lesion of 5 mm or more is myeloma-defining only with ≥ 10 % clonal "
        "marrow plasma cells (IMWG 2014); alone it may be metastases. Spine-only imaging misses about "
        "half of focal lesions.",
        "Adds BX-FOCAL as a trigger, marked as an extension beyond the source.",
        "evidence",
        ("BX-FOCAL",),
        "EN-FOCAL",
    ),
)
