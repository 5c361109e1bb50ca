"""The rule table (SPEC §4–5): every rule as data — id, why, condition, citations, evidence note.

Rules are evaluated in table order; a `Fired` reference may only point at an earlier rule (a
test checks this). IDs are stable: never renumber, never reuse.
"""

from __future__ import annotations

from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

from . import thresholds as T
from .conditions import (
    Alternatives,
    Always,
    AnyFired,
    AtLeast,
    Compare,
    Condition,
    CountOf,
    DispositionIs,
    Entered,
    EveryAbnormalExplained,
    Explanation,
    Fired,
    IfKnown,
    Known,
    KnownToHold,
    Named,
    NeverEvaluable,
    NonEmpty,
    Not,
    Requires,
    all_of,
    any_of,
    contains,
    flag,
    is_,
)
from .wording import Disposition, RuleKind


@dataclass(frozen=True)
class Rule:
    """One row of the table. `statement` is the plain-language why shown to clinicians."""

    id: str
    kind: RuleKind
    title: str
    statement: str
    condition: Condition
    citations: tuple[str, ...] = ()
    evidence_note: str | None = None
    labels: tuple[str, ...] = ()
    # Extra labels shown when their condition holds (e.g. "value also meets the IMWG CRAB threshold").
    conditional_labels: tuple[tuple[str, Condition], ...] = ()
    # Pitfalls: why it is active. MRI items: figures and applicability.
    active_reason: str = ""
    figures: str = ""
    applicability: str = ""
    low_reliability_when: Condition | None = None
    not_applicable_when: Condition | None = None
    # Published criteria (SPEC §10): the source rules each one corresponds to, why it may not be
    # judged, and the strata named by the number of risk factors that hold.
    related_rules: tuple[str, ...] = ()
    not_evaluable_reason: str = ""
    strata: tuple[str, ...] = ()
    strata_risks: tuple[tuple[str, str], ...] = ()
    # Scope guards (SPEC 1.2 §1): the first line every output begins with, in table order.
    lead: str = ""
    # Imaging: the name a report uses, in the evidence's terms (SPEC 1.2 §6.1).
    report: str = ""
    # Follow-up: how long after the evaluation date it is due.
    due_after: relativedelta | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", RuleKind(self.kind))

    @property
    def outcome(self) -> str:
        """What the rule does when it holds, in the terms of SPEC §4."""
        return OUTCOMES[self.kind]


OUTCOMES = {
    RuleKind.TRIGGER: "biopsy indicated (PROCEED_TO_BIOPSY)",
    RuleKind.URGENT: "urgent finding: same-day haematology contact; leads every output",
    RuleKind.DEFERRAL: "deferral may be considered",
    RuleKind.IMAGING: "imaging option offered",
    RuleKind.FOLLOW_UP: "follow-up scheduled",
    RuleKind.PITFALL: "pitfall highlighted",
    RuleKind.MRI: "MRI finding interpreted (never a trigger by itself)",
    RuleKind.WARNING: "warning shown",
    RuleKind.CRITERION: "published criterion shown beside the source's rules (never changes the disposition)",
}


# --- Derived conditions (SPEC §5.1, §5.3) ------------------------------------------------------

CORE_COMPLETE = Named("core_complete", all_of(
    Known("hemoglobin"),
    Known("wbc"),
    Known("platelets"),
    Known("spep", excluding=("not_done",)),
    Known("ife", excluding=("not_done",)),
    Known("flc_ratio"),
    Known("calcium"),
    Known("creatinine"),
    Known("albumin"),
    Known("beta2_microglobulin"),
))

IG_KEYS = ("igg", "iga", "igm")


@dataclass(frozen=True)
class LabCheck:
    """One line of the lab checklist. A number is normal from its lower limit `low` to its upper
    limit `high` (limit names; either may be absent); a categorical result is normal when `normal_when`
    holds. Neither: informational (κ and λ, read through the ratio)."""

    key: str
    core: bool
    low: str | None = None
    high: str | None = None
    normal_when: Condition | None = None

    @property
    def limits(self) -> tuple[str, ...]:
        return tuple(name for name in (self.low, self.high) if name)

    @property
    def normal(self) -> Condition | None:
        return NORMAL.get(self.key)

    def below(self) -> Condition | None:
        return Compare(self.key, "<", self.low) if self.low else None


def _normal(check: LabCheck) -> Condition | None:
    """What counts as normal for a lab line, worked out once per case (CORE_NORMAL and the checklist
    read it)."""
    parts = [Compare(check.key, ">=", check.low)] if check.low else []
    parts += [Compare(check.key, "<=", check.high)] if check.high else []
    condition = check.normal_when or (all_of(*parts) if len(parts) > 1 else parts[0] if parts else None)
    return None if condition is None else Named(f"normal_{check.key}", condition)


FILM_NORMAL = contains("blood_film", "normal")

LAB_CHECKS: tuple[LabCheck, ...] = (
    LabCheck("hemoglobin", True, "hb_normal_min", "hb_normal_max"),
    LabCheck("wbc", True, "wbc_lln", "wbc_uln"),
    LabCheck("platelets", True, "platelets_lln", "platelets_uln"),
    LabCheck("spep", True, normal_when=is_("spep", "not_detected")),
    LabCheck("ife", True, normal_when=is_("ife", "not_detected")),
    LabCheck("flc_ratio", True, "flc_normal_low", "flc_normal_high"),
    LabCheck("calcium", True, high="calcium_uln"),
    LabCheck("creatinine", True, high="creatinine_uln"),
    LabCheck("albumin", True, "albumin_lln"),
    LabCheck("beta2_microglobulin", True, high="b2m_uln"),
    LabCheck("anc", False, "anc_lln"),
    LabCheck("blood_film", False, normal_when=FILM_NORMAL),
    LabCheck("urine_mprotein", False, normal_when=Not(is_("urine_mprotein", "detected"))),
    LabCheck("egfr", False, "egfr_min"),
    *(LabCheck(ig, False, f"{ig}_lln") for ig in IG_KEYS),
    LabCheck("flc_kappa", False),
    LabCheck("flc_lambda", False),
)
NORMAL: dict[str, Named] = {
    check.key: normal for check in LAB_CHECKS if (normal := _normal(check)) is not None
}

# SPEC §5.1: complete, every core lab normal, and every optional lab that was entered normal.
CORE_NORMAL = Named("core_normal", all_of(
    CORE_COMPLETE,
    *(check.normal for check in LAB_CHECKS if check.core and check.normal),
    *(IfKnown(check.normal) for check in LAB_CHECKS if not check.core and check.normal),
))

# The FLC range in use: the kidney interval when an entered eGFR is below 60 (SPEC 1.2 §3), resolved
# with the limits; the MGUS risk model keeps the published 0.26–1.65 (`flc_standard_*`).
FLC_RATIO_ABNORMAL = Named("flc_ratio_abnormal", any_of(
    Compare("flc_ratio", "<", "flc_normal_low"),
    Compare("flc_ratio", ">", "flc_normal_high"),
))

# SPEC §5.3 also lists "(BX-CALCIUM or BX-RENAL) together with any of those"; that clause is
# implied by the others (X or (Y and X) = X), so it adds nothing and is left out.
PLASMA_CELL_SUSPECTED = Named("plasma_cell_suspected", any_of(
    Fired("BX-MPROTEIN"),
    Fired("BX-FLC"),
    Fired("BX-IMMUNOPARESIS"),
    FLC_RATIO_ABNORMAL,
    KnownToHold(contains("blood_film", "rouleaux")),  # a film not done suspects nothing
), after="trigger")

MALIGNANCY_SUSPECTED = Named(
    "malignancy_suspected", any_of(flag("suspected_malignancy"), Fired("BX-CANCER-HISTORY")), after="trigger"
)

# SPEC §4.3: what makes a contrast study worth offering; when contrast was already given, the
# result points to the images that exist instead (CONTRAST_TO_REVIEW).
CONTRAST_INDICATED = Named(
    "contrast_indicated", any_of(MALIGNANCY_SUSPECTED, flag("suspected_infection_or_inflammation")), after="trigger"
)
CONTRAST_TO_REVIEW = Named(
    "contrast_to_review", all_of(CONTRAST_INDICATED, is_("contrast_given", "yes")), after="trigger"
)
NO_BRAIN_REFERENCE = any_of(Not(Known("brain_reference_site")), is_("brain_reference_site", "none"))
PREGNANT = is_("pregnant", "yes")

# The blood count (SPEC 1.2 §3, §4.1): when ANC is missing, the white-cell count stands in for it
# (ANC can never exceed WBC, so a WBC below a neutrophil limit proves the ANC is below it too).
ANC_MISSING = Not(Known("anc"))


def _neutrophils_below(limit: str) -> Condition:
    return any_of(Compare("anc", "<", limit), all_of(ANC_MISSING, Compare("wbc", "<", limit)))


LINEAGES_LOW = AtLeast(2, (
    Compare("hemoglobin", "<", "hb_normal_min"),
    any_of(Compare("anc", "<", "anc_lln"), all_of(ANC_MISSING, Compare("wbc", "<", "wbc_lln"))),
    Compare("platelets", "<", "platelets_lln"),
))
ISOLATED_NEUTROPENIA = all_of(
    Compare("anc", ">=", "cytopenia_anc_isolated_min"),
    Compare("anc", "<", "cytopenia_anc"),
    Compare("hemoglobin", ">=", "hb_normal_min"),
    Compare("platelets", ">=", "platelets_lln"),
)

# SPEC 1.2 §5.1: what each benign cause can explain; nothing else is explained by any of them.
EXPLANATIONS: tuple[Explanation, ...] = (
    Explanation("chronic_anemia_known_cause", "hemoglobin", Compare("hemoglobin", "<", "hb_normal_min")),
    Explanation("heavy_smoking", "wbc", all_of(
        Compare("wbc", ">", "wbc_uln"), Compare("wbc", "<=", "smoking_wbc_max"), FILM_NORMAL,
    )),
    Explanation("recent_gcsf", "wbc", all_of(Compare("wbc", ">", "wbc_uln"), FILM_NORMAL)),
)
BENIGN_EXPLAINS_ALL = EveryAbnormalExplained(
    tuple((check.key, check.normal) for check in LAB_CHECKS if check.normal is not None),
    "benign_context",
    EXPLANATIONS,
)

# What blocks a deferral on normal labs or a benign context (SPEC 1.2 §5.2 (b)); beside limited life
# expectancy each is shown as a conflict instead. Each is known to hold, never assumed.
URGENT_ANY = AnyFired("URGENT-")


@dataclass(frozen=True)
class Blocker:
    """A finding that keeps a deferral off the table, with the sentence (wording.TEXT) that says why."""

    key: str
    condition: Condition
    text: str


BLOCKERS: tuple[Blocker, ...] = (
    Blocker("urgent", URGENT_ANY, "blocker_urgent"),
    Blocker("focal_lesions", KnownToHold(is_("focal_lesions", "one", "more_than_one")), "blocker_focal"),
    Blocker("suspected_malignancy", KnownToHold(flag("suspected_malignancy")), "blocker_suspicion"),
    Blocker("t1_signal", KnownToHold(all_of(
        is_("t1_vs_disc", "hypointense", "isointense"), is_("t1_vs_muscle", "hypointense", "isointense"),
    )), "blocker_t1"),
)
DEFERRAL_BLOCKED = Named("deferral_blocked", any_of(*(b.condition for b in BLOCKERS)), after="urgent")

# Named conditions in the order the engine works them out (each after what it reads).
NAMED: tuple[Named, ...] = (
    *NORMAL.values(),
    CORE_COMPLETE,
    CORE_NORMAL,
    FLC_RATIO_ABNORMAL,
    PLASMA_CELL_SUSPECTED,
    MALIGNANCY_SUSPECTED,
    CONTRAST_INDICATED,
    CONTRAST_TO_REVIEW,
    DEFERRAL_BLOCKED,
)

# The rules and the cause the conflicts of SPEC 1.2 §5.2 name.
ANEMIA_RULE = "BX-ANEMIA"
LIFE_EXPECTANCY_RULE = "DF-LIFE-EXPECTANCY"
BENIGN_RULE = "DF-BENIGN-CONTEXT"
SOURCE_EXAMPLE_CAUSE = "chronic_anemia_known_cause"  # the one cause that may stand beside a trigger

_SRC = "SOURCE-PATHWAY"
_EXTENSION = "extension beyond the source pathway (IMWG 2014 SLiM criterion)"
_EXTENSION_COUNT = "extension beyond the source pathway (the blood count: SPEC 1.2)"
_CRAB = "value also meets the IMWG CRAB threshold"
_IONISING = "pregnant: avoid ionising radiation in pregnancy; discuss with radiology"

RULES: tuple[Rule, ...] = (
    # --- 4.1 Biopsy triggers --------------------------------------------------------------------
    Rule(
        "BX-ANEMIA", "trigger", "Hemoglobin below 12 g/dL",
        "The source pathway sends anaemia (Hb < 12 g/dL) straight to biopsy: in a biopsied series "
        "hemoglobin was lower when a neoplasm was found.",
        Compare("hemoglobin", "<", "hb_trigger"),
        (_SRC, "ANN-DIAGN-PATHOL-2019"), "EN-HB",
    ),
    Rule(
        "BX-MPROTEIN", "trigger", "Monoclonal protein detected",
        "A monoclonal protein in serum or urine points to a plasma-cell disorder that the marrow "
        "can confirm or exclude.",
        any_of(is_("spep", "detected"), is_("ife", "detected"), is_("urine_mprotein", "detected")),
        (_SRC, "CLIN-BIOCHEM-REV-2009"), "EN-LABPANEL",
    ),
    Rule(
        "BX-FLC", "trigger", "Free light chain ratio beyond 0.125–8",
        "The source pathway treats a κ/λ ratio above 8 or below 0.125 as a biopsy trigger.",
        any_of(
            Compare("flc_ratio", ">", "flc_trigger_high"),
            Compare("flc_ratio", "<", "flc_trigger_low"),
        ),
        (_SRC, "DISPENZIERI-2008"), "EN-FLC",
    ),
    Rule(
        "BX-CALCIUM", "trigger", "Calcium above the upper limit",
        "Raised calcium may be end-organ damage from a plasma-cell disorder (albumin-corrected "
        "when albumin is known).",
        Compare("calcium", ">", "calcium_uln"),
        (_SRC, "IMWG-2014"), "EN-CALCIUM",
        conditional_labels=(
            (
                _CRAB,
                any_of(
                    Compare("calcium", ">", "calcium_crab"),
                    Compare("calcium", ">", "calcium_crab_relative"),
                ),
            ),
        ),
    ),
    Rule(
        "BX-RENAL", "trigger", "Renal dysfunction",
        "Creatinine above the upper limit or eGFR below 60 may be end-organ damage from a "
        "plasma-cell disorder.",
        any_of(Compare("creatinine", ">", "creatinine_uln"), Compare("egfr", "<", "egfr_min")),
        (_SRC, "IMWG-2014"), "EN-RENAL",
        conditional_labels=(
            (_CRAB, any_of(Compare("creatinine", ">", "creatinine_crab"), Compare("egfr", "<", "egfr_crab"))),
        ),
    ),
    Rule(
        "BX-IMMUNOPARESIS", "trigger", "Immunoparesis",
        "Suppression of an uninvolved immunoglobulin below its lower limit is read by the source "
        "as a sign of a plasma-cell disorder.",
        any_of(
            *(
                all_of(
                    Compare(ig, "<", f"{ig}_lln"),
                    IfKnown(Not(is_("involved_isotype", ig))),
                )
                for ig in IG_KEYS
            ),
            # Entered immunoglobulins win over a report (SPEC 1.2 §2.2).
            all_of(is_("immunoparesis_reported", "yes"), *(Not(Known(ig)) for ig in IG_KEYS)),
        ),
        (_SRC, "PEREZ-PERSONA-2007"), "EN-IMMUNOPARESIS",
    ),
    Rule(
        "BX-AGE-WEIGHT-LOSS", "trigger", "Over 50 with unexplained weight loss",
        "The source pathway treats unexplained weight loss after age 50 as a biopsy trigger.",
        all_of(Compare("age", ">", "age_trigger"), flag("unexplained_weight_loss")),
        (_SRC,), "EN-WEIGHT-LOSS",
    ),
    Rule(
        "BX-CANCER-HISTORY", "trigger", "History of cancer",
        "With a history of cancer, diffuse marrow change may be metastatic disease.",
        flag("history_of_cancer"),
        (_SRC,), "EN-CANCER",
    ),
    Rule(
        "BX-FOCAL", "trigger", "More than one focal lesion",
        "More than one focal lesion of 5 mm or more calls for a marrow: it is myeloma-defining only with "
        "10 % or more clonal marrow plasma cells (IMWG 2014), and on its own it may be metastases.",
        is_("focal_lesions", "more_than_one"),
        ("IMWG-2014", "BJH-SPINE-ONLY"), "EN-FOCAL",
        labels=(_EXTENSION,),
    ),
    Rule(
        "BX-CYTOPENIA", "trigger", "Cytopenia",
        "An unexplained cytopenia is a standard reason to examine the marrow: platelets below 100 × 10⁹/L, "
        "neutrophils below 1.5 × 10⁹/L (white cells below 1.5 when no differential was entered), or two "
        "lineages below their lower limits at any depth. Rule out drugs, B12 or folate deficiency, liver "
        "disease and hypersplenism alongside.",
        any_of(
            Compare("platelets", "<", "cytopenia_platelets"),
            _neutrophils_below("cytopenia_anc"),
            LINEAGES_LOW,
        ),
        ("VALENT-2007", "MERZ-2023"), "EN-CYTOPENIA",
        labels=(_EXTENSION_COUNT,),
        conditional_labels=((
            "isolated neutrophils of 1.0–1.49 × 10⁹/L: a Duffy-null phenotype or counts known to be stable "
            "may explain it (clinical judgement)",
            ISOLATED_NEUTROPENIA,
        ),),
    ),
    Rule(
        "BX-BLOOD-FILM", "trigger", "Blood film suggests marrow infiltration",
        "A leukoerythroblastic film, teardrop cells or circulating blasts suggest that the marrow is "
        "infiltrated or fibrosed, or a leukaemia; sepsis, bleeding, haemolysis and megaloblastic anaemia can "
        "give the first two as well.",
        contains("blood_film", "leukoerythroblastic", "circulating_blasts", "teardrop_cells"),
        ("LEUKOERYTHROBLASTIC-SERIES",), "EN-BLOOD-FILM",
        labels=(_EXTENSION_COUNT,),
    ),
    # --- Urgent findings (SPEC 1.2 §1): lead every output; no scope guard or deferral softens them ---
    Rule(
        "URGENT-BLASTS", "urgent", "circulating blasts on the blood film",
        "Circulating blasts need same-day haematology review.",
        contains("blood_film", "circulating_blasts"),
        ("LEUKOERYTHROBLASTIC-SERIES",), "EN-BLOOD-FILM",
    ),
    Rule(
        "URGENT-NEUTROPENIA", "urgent", "severe neutropenia",
        "Neutrophils below 0.5 × 10⁹/L (white cells below 0.5 when no differential was entered) carry a "
        "high risk of infection.",
        _neutrophils_below("urgent_anc"),
        ("CRITICAL-VALUES",), "EN-CYTOPENIA",
    ),
    Rule(
        "URGENT-THROMBOCYTOPENIA", "urgent", "severe thrombocytopenia",
        "Platelets below 20 × 10⁹/L carry a risk of bleeding.",
        Compare("platelets", "<", "urgent_platelets"),
        ("CRITICAL-VALUES",), "EN-CYTOPENIA",
    ),
    # --- 4.2 Deferral considerations ------------------------------------------------------------
    Rule(
        "DF-NORMAL-LABS", "deferral", "Core labs complete and completely normal",
        "Every core lab is in and normal, and no biopsy trigger is present.",
        all_of(CORE_NORMAL, Not(AnyFired("BX-"))),
        (_SRC,), "EN-YIELD",
    ),
    Rule(
        "DF-LIFE-EXPECTANCY", "deferral", "Limited life expectancy",
        "With limited life expectancy from advanced age or comorbidity, a biopsy may not change "
        "management.",
        flag("limited_life_expectancy"),
        (_SRC,),
    ),
    Rule(
        "DF-BENIGN-CONTEXT", "deferral", "A possible benign cause is present",
        "A known cause of benign red-marrow reconversion may explain the MRI finding; it explains a laboratory "
        "value only as SPEC 1.2 §5.1 allows, and never a clonal marker.",
        NonEmpty("benign_context"),
        (_SRC, "POULTON-1993", "AJR-1992", "ALTEHOEFER-2001"), "EN-MIMICS",
    ),
    # --- 4.3 Imaging options --------------------------------------------------------------------
    Rule(
        "IM-MRI-CONTRAST", "imaging", "Lumbar MRI without and with contrast",
        "Offered by the source when malignancy, infection or inflammation is suspected and no contrast "
        "has been given yet; never offered in pregnancy (gadolinium).",
        all_of(CONTRAST_INDICATED, IfKnown(Not(is_("contrast_given", "yes"))), IfKnown(Not(PREGNANT))),
        (_SRC, "RADIOLOGYKEY-MARROW"), "EN-CONTRAST",
        report="lumbar MRI before and after gadolinium",
    ),
    Rule(
        "IM-PET-CT", "imaging", "Whole-body FDG-PET/CT",
        "Offered when malignancy or a plasma-cell disorder is suspected, to look for disease "
        "elsewhere.",
        any_of(MALIGNANCY_SUSPECTED, Fired("BX-AGE-WEIGHT-LOSS"), PLASMA_CELL_SUSPECTED),
        (_SRC, "HILLENGASS-2019"), "EN-PETCT",
        conditional_labels=((_IONISING, PREGNANT),),
        report="whole-body FDG-PET/CT",
    ),
    Rule(
        "IM-SKELETAL-SURVEY", "imaging", "Whole-body low-dose CT",
        "Offered when a plasma-cell disorder is suspected, to look for bone lesions; IMWG 2019 prefers "
        "whole-body low-dose CT to the conventional skeletal survey.",
        PLASMA_CELL_SUSPECTED,
        (_SRC, "HILLENGASS-2019"), "EN-SKELETAL",
        conditional_labels=((_IONISING, PREGNANT),),
        report="whole-body low-dose CT",
    ),
    Rule(
        "IM-PRECONTRAST-T1", "imaging", "Obtain precontrast T1 sequences",
        "Marrow cannot be judged without a precontrast T1 sequence; obtain one before "
        "interpreting.",
        is_("precontrast_t1", "no"),
        (_SRC, "RADIOLOGYKEY-MARROW"), "EN-CONTRAST",
        report="precontrast T1 sequences",
    ),
    # --- 4.4 Follow-up (after the disposition) --------------------------------------------------
    Rule(
        "FU-REPEAT-LABS", "follow_up", "Repeat the lab panel in 3 months",
        "Biopsy deferred: repeat the panel in 3 months, biopsy at once if anything becomes abnormal, and do "
        "not wait for symptoms.",
        DispositionIs("DEFERRAL_REASONABLE"),
        (_SRC, "KYLE-2010"), "EN-FOLLOW-UP",
        due_after=relativedelta(months=T.FOLLOW_UP_INTERVAL_MONTHS),
        conditional_labels=((
            "with limited life expectancy alone: offered if it would change management, and may be declined",
            all_of(Fired("DF-LIFE-EXPECTANCY"), Not(Fired("DF-NORMAL-LABS")), Not(Fired("DF-BENIGN-CONTEXT"))),
        ),),
    ),
    Rule(
        "FU-REPEAT-COUNT", "follow_up", "Repeat the blood count and film in 4 weeks",
        "A white-cell count put down to smoking or G-CSF is checked again sooner: repeat the blood count "
        "and film in 4 weeks.",
        all_of(DispositionIs("DEFERRAL_REASONABLE"), any_of(*(
            all_of(contains("benign_context", row.cause), row.when)
            for row in EXPLANATIONS if row.cause in ("heavy_smoking", "recent_gcsf")
        ))),
        ("KYLE-2010",), "EN-FOLLOW-UP",
        due_after=relativedelta(weeks=T.FOLLOW_UP_COUNT_WEEKS),
    ),
    # --- 4.5 Pitfalls ---------------------------------------------------------------------------
    Rule(
        "PF-MRI-ALONE", "pitfall", "Do not call the marrow benign from MRI alone",
        "Benign and malignant marrow overlap too much in signal for MRI alone to decide.",
        any_of(AnyFired("DF-"), DispositionIs("DEFERRAL_REASONABLE")),
        (_SRC, "CARROLL-1997"),
        active_reason="Deferral is on the table; it must rest on the labs and context, not on "
        "the MRI appearance.",
    ),
    Rule(
        "PF-ANEMIA-DELAY", "pitfall", "Do not delay biopsy in anaemia",
        "The source calls anaemia the most predictive lab finding for an underlying neoplasm.",
        Fired("BX-ANEMIA"),
        (_SRC, "ANN-DIAGN-PATHOL-2019"), "EN-HB",
        active_reason="Hemoglobin is below 12 g/dL.",
    ),
    Rule(
        "PF-CLIVUS", "pitfall", "Do not rely on clival marrow signal",
        "Clival marrow varies more with age than calvarial or vertebral marrow and is less "
        "accurate as a reference.",
        is_("brain_reference_site", "clivus"),
        (_SRC, "BAYRAMOGLU-2003"), "EN-BRAIN-REF",
        active_reason="The cranial comparison was made at the clivus.",
    ),
    Rule(
        "PF-CONTRAST-ONLY", "pitfall", "Do not image marrow with contrast only",
        "Precontrast T1 sequences are essential to assess marrow.",
        is_("precontrast_t1", "no"),
        (_SRC, "RADIOLOGYKEY-MARROW"), "EN-CONTRAST",
        active_reason="No precontrast T1 sequence was acquired.",
    ),
    # --- 4.6 MRI signal interpretation (informational) ------------------------------------------
    Rule(
        "MRI-T1-WM", "mri", "Marrow hypointense to white matter",
        "On cranial MRI, marrow hypointense to white matter on T1 suggests a marrow disorder.",
        is_("t1_vs_white_matter", "hypointense"),
        (_SRC, "AJNR-2002"), "EN-BRAIN-REF",
        figures="Sensitivity 93%, specificity 86%, as the source states them (UNCONFIRMED). From a two-group "
        "design (patients with known marrow disorders against healthy controls): likelihood ratios and "
        "post-test probabilities are not estimable.",
        applicability="Cranial-MRI evidence: applies only when brain imaging shows calvarial "
        "marrow; not part of a lumbar study.",
        low_reliability_when=is_("brain_reference_site", "clivus"),
        not_applicable_when=NO_BRAIN_REFERENCE,
    ),
    Rule(
        "MRI-T1-GM", "mri", "Marrow hypointense to gray matter",
        "On cranial MRI, marrow hypointense to gray matter on T1 is a specific sign of a marrow "
        "disorder.",
        is_("t1_vs_gray_matter", "hypointense"),
        (_SRC, "AJNR-2002"), "EN-BRAIN-REF",
        figures="Specificity 96%, sensitivity 67%, as the source states them (UNCONFIRMED). From a two-group "
        "design: likelihood ratios and post-test probabilities are not estimable.",
        applicability="Cranial-MRI evidence: applies only when brain imaging shows calvarial "
        "marrow; not part of a lumbar study.",
        low_reliability_when=is_("brain_reference_site", "clivus"),
        not_applicable_when=NO_BRAIN_REFERENCE,
    ),
    Rule(
        "MRI-T1-DISC", "mri", "Marrow iso- or hypointense to disc",
        "Marrow no brighter than a non-degenerated disc on T1 was almost always infiltrative.",
        is_("t1_vs_disc", "hypointense", "isointense"),
        ("CARROLL-1997",), "EN-LUMBAR-REF",
        figures="Infiltrative in 40 of 41 foci (Carroll 1997).",
        applicability="Lumbar internal standard; compare with a non-degenerated disc.",
    ),
    Rule(
        "MRI-T1-MUSCLE", "mri", "Marrow iso- or hypointense to muscle",
        "Marrow no brighter than paraspinal muscle on T1 was almost always infiltrative.",
        is_("t1_vs_muscle", "hypointense", "isointense"),
        ("CARROLL-1997",), "EN-LUMBAR-REF",
        figures="Infiltrative in 44 of 45 foci (Carroll 1997).",
        applicability="Lumbar internal standard.",
    ),
    Rule(
        "MRI-PATTERN-HOMOGENEOUS", "mri", "Diffuse homogeneous pattern",
        "A diffuse homogeneous pattern fits benign hyperplasia and diffuse infiltration alike.",
        is_("pattern", "diffuse_homogeneous"),
        (_SRC,),
        figures="No discriminating figures.",
        applicability="Does not separate benign from neoplastic marrow.",
    ),
    Rule(
        "MRI-PATTERN-VARIEGATED", "mri", "Variegated pattern",
        "A variegated pattern is seen both in older adults and in myeloma.",
        is_("pattern", "variegated"),
        (_SRC,),
        figures="No discriminating figures.",
        applicability="Common with age; does not exclude myeloma.",
    ),
    # --- Scope guards and plausibility notes ----------------------------------------------------
    Rule(
        "SCOPE-PEDIATRIC", "warning", "Under 18",
        "Red marrow is normal in children; this pathway is for adults and does not apply. The rules' "
        "evaluation is shown for reference only and is not a recommendation.",
        Compare("age", "<", "adult_age"),
        lead="Outside this pathway: patient under 18.",
    ),
    Rule(
        "SCOPE-KNOWN-CAUSE", "warning", "Etiology already known",
        "The pathway is for marrow change of unclear cause; with a known cause it does not apply. "
        "The result is shown for reference only.",
        flag("known_etiology"),
        lead="Outside this pathway (cause already known); for reference only:",
    ),
    Rule(
        "SCOPE-FOCAL", "warning", "Focal lesion reported",
        "This pathway covers diffuse change. A focal lesion needs a work-up of its own (dedicated imaging, "
        "and a targeted biopsy if indicated), because it may be a plasmacytoma or a metastasis; normal labs "
        "or a benign context never lead to deferral while it stands.",
        is_("focal_lesions", "one", "more_than_one"),
        lead="Focal lesion reported: it needs its own work-up (dedicated imaging; targeted biopsy if "
        "indicated), as it may be a plasmacytoma or a metastasis.",
    ),
    Rule(
        "SCOPE-PREGNANCY", "warning", "Pregnant",
        "In pregnancy, imaging with ionising radiation (PET/CT, CT, skeletal survey) and gadolinium need "
        "radiology advice; gadolinium is not offered, and the hemoglobin lower limit is 11.0 g/dL (WHO).",
        PREGNANT,
        lead="Pregnant: imaging with ionising radiation and gadolinium needs radiology advice.",
    ),
    Rule(
        "WARN-B2M-HIGH", "warning", "Very high β2-microglobulin",
        "β2-microglobulin above 20 mg/L is possible (dialysis, heavy myeloma burden) but check "
        "that the value really is in mg/L.",
        Compare("beta2_microglobulin", ">", "b2m_warn"),
    ),
    Rule(
        "WARN-FLC-RATIO-EXTREME", "warning", "Extreme FLC ratio",
        "A κ/λ ratio below 0.001 or above 1000 is unusual; check the entry.",
        any_of(
            Compare("flc_ratio", "<", "flc_ratio_warn_low"),
            Compare("flc_ratio", ">", "flc_ratio_warn_high"),
        ),
    ),
    Rule(
        "WARN-FLC-RATIO-DISCREPANCY", "warning", "Entered FLC ratio disagrees with κ/λ",
        "The entered ratio differs from κ ÷ λ by more than 10%; the rules use the ratio computed from "
        "κ and λ. Check both entries.",
        flag("flc_ratio_discrepancy"),
    ),
    Rule(
        "WARN-GCSF-OR-ESA", "warning", "G-CSF or ESA: say which",
        "“G-CSF or EPO” is an older choice that explains no laboratory value: G-CSF can explain a raised "
        "white-cell count with a normal film, erythropoietin explains none. Choose which was given.",
        contains("benign_context", "recent_gcsf_or_epo"),
    ),
    Rule(
        "WARN-IMMUNOPARESIS-REPORTED", "warning", "Immunoparesis reported, Igs normal",
        "Immunoparesis is reported, but the immunoglobulins entered are not below their limits; the entered "
        "values decide. Check the report.",
        all_of(
            is_("immunoparesis_reported", "yes"),
            any_of(*(Known(ig) for ig in IG_KEYS)),
            *(IfKnown(Compare(ig, ">=", f"{ig}_lln")) for ig in IG_KEYS),
        ),
    ),
)

# --- 10. Published-criteria cross-check (evaluated last; read by no other rule) ----------------

# The Mayo model counts an FLC ratio outside the published 0.26–1.65, whatever the kidney function.
MGUS_FACTORS = CountOf((
    Compare("mprotein_concentration", ">=", "mgus_mprotein"),
    is_("involved_isotype", "iga", "igm"),
    any_of(Compare("flc_ratio", "<", "flc_standard_low"), Compare("flc_ratio", ">", "flc_standard_high")),
))
# With sex not recorded and no lab limit, IMWG's relative alternative (2 g/dL below the lower limit)
# depends on sex from 10.0 up to 11.0 g/dL: there the criterion cannot be judged (SPEC 1.2 §10).
IMWG_ANEMIA_JUDGEABLE = any_of(
    flag("hb_lower_limit_known"),
    Compare("hemoglobin", "<", "imwg_hb_absolute"),
    Compare("hemoglobin", ">=", "imwg_hb_sex_decides_below"),
)

CRITERIA: tuple[Rule, ...] = (
    Rule(
        "CRIT-WHO-ANEMIA", "criterion", "WHO anaemia",
        "The WHO calls hemoglobin below 13.0 g/dL in men, below 12.0 g/dL in women and below 11.0 g/dL in "
        "pregnancy anaemia; the cut-off depends on sex.",
        Requires(any_of(is_("sex", "female", "male"), PREGNANT), Compare("hemoglobin", "<", "who_hb_min")),
        ("WHO-ANAEMIA", "WHO-2024"), "EN-HB",
        related_rules=("BX-ANEMIA",),
        not_evaluable_reason="Needs hemoglobin and the patient's sex (female or male): the WHO "
        "cut-off differs between them.",
    ),
    Rule(
        "CRIT-IMWG-ANEMIA", "criterion", "IMWG CRAB anaemia threshold",
        "The IMWG 2014 CRAB anaemia threshold: hemoglobin below 10.0 g/dL, or more than 2.0 g/dL under the "
        "lower limit (the lab's limit when entered). A CRAB value defines myeloma only with 10 % or more "
        "clonal marrow plasma cells or a plasmacytoma, and when the clone causes it.",
        Requires(IMWG_ANEMIA_JUDGEABLE, Alternatives((
            Compare("hemoglobin", "<", "imwg_hb_absolute"),
            Compare("hemoglobin", "<", "imwg_hb_below_lln"),
        ))),
        ("IMWG-2014",), "EN-HB",
        related_rules=("BX-ANEMIA",),
        not_evaluable_reason="Needs hemoglobin; from 10.0 up to 11.0 g/dL it also needs the patient's sex "
        "(or the lab's lower limit), because the threshold 2.0 g/dL under the lower limit depends on it.",
    ),
    Rule(
        "CRIT-IMWG-CALCIUM", "criterion", "IMWG CRAB hypercalcaemia threshold",
        "The IMWG 2014 CRAB hypercalcaemia threshold: calcium (albumin-corrected when albumin is known) "
        "above 11.0 mg/dL, or more than 1.0 mg/dL over the upper limit. A CRAB value alone defines nothing.",
        Alternatives((
            Compare("calcium", ">", "calcium_crab"),
            Compare("calcium", ">", "calcium_crab_relative"),
        )),
        ("IMWG-2014",), "EN-CALCIUM",
        related_rules=("BX-CALCIUM",),
        not_evaluable_reason="Needs calcium.",
    ),
    Rule(
        "CRIT-IMWG-RENAL", "criterion", "IMWG CRAB renal threshold",
        "The IMWG 2014 CRAB renal threshold: creatinine above 2.0 mg/dL (177 µmol/L), or eGFR below "
        "40 mL/min/1.73 m² (standing in for creatinine clearance). A CRAB value alone defines nothing.",
        Alternatives((
            Compare("creatinine", ">", "creatinine_crab"),
            Compare("egfr", "<", "egfr_crab"),
        )),
        ("IMWG-2014",), "EN-RENAL",
        related_rules=("BX-RENAL",),
        not_evaluable_reason="Needs creatinine or eGFR.",
    ),
    Rule(
        "CRIT-FLC-PUBLISHED", "criterion", "FLC breakpoint as published",
        "Dispenzieri 2008 published the high-risk FLC ratio as 0.125 or less, or 8 or more: both ends "
        "count, where the source excludes them.",
        Alternatives((
            Compare("flc_ratio", ">=", "flc_published_high"),
            Compare("flc_ratio", "<=", "flc_published_low"),
        )),
        ("DISPENZIERI-2008",), "EN-FLC",
        related_rules=("BX-FLC",),
        not_evaluable_reason="Needs the FLC ratio (entered, or κ and λ).",
    ),
    Rule(
        "CRIT-SLIM-FLC", "criterion", "SLiM: involved/uninvolved FLC ratio",
        "IMWG 2014 SLiM criterion: the involved free light chain (the larger of κ and λ) is at least "
        "100 times the uninvolved one and at least 100 mg/L.",
        Requires(
            all_of(Entered("flc_kappa"), Entered("flc_lambda")),
            all_of(
                Compare("flc_involved_ratio", ">=", "slim_flc_ratio"),
                Compare("flc_involved", ">=", "slim_flc_involved"),
            ),
        ),
        ("IMWG-2014",), "EN-FLC",
        related_rules=("BX-FLC",),
        not_evaluable_reason="Needs both κ and λ: a ratio alone does not give the involved chain's level.",
    ),
    Rule(
        "CRIT-SLIM-FOCAL", "criterion", "SLiM: more than one focal lesion ≥ 5 mm on MRI",
        "IMWG 2014 SLiM criterion: more than one focal lesion of 5 mm or more on MRI.",
        Requires(is_("focal_lesions", "more_than_one"), Always()),
        ("IMWG-2014", "BJH-SPINE-ONLY"), "EN-FOCAL",
        related_rules=("BX-FOCAL",),
        not_evaluable_reason="A lumbar MRI covers too little of the skeleton to rule this out: fewer "
        "than two lesions here leaves it open.",
    ),
    Rule(
        "CRIT-SLIM-BMPC", "criterion", "SLiM: clonal plasma cells ≥ 60 %",
        "IMWG 2014 SLiM criterion: clonal plasma cells make up 60 % or more of the marrow.",
        NeverEvaluable("a marrow sample"),
        ("IMWG-2014",),
        not_evaluable_reason="Only the marrow itself can show this.",
    ),
    Rule(
        "CRIT-MGUS-RISK", "criterion", "MGUS risk factors (Rajkumar 2005; IMWG 2010)",
        "Risk factors: M-protein 1.5 g/dL or more, an IgA or IgM isotype, and an FLC ratio outside "
        "0.26–1.65. With 0, 1, 2 or 3 of them the 20-year risk of progression was 2 %, 10 %, 18 % or 27 % "
        "counting death as a competing risk (5 %, 21 %, 37 % or 58 % ignoring death). IMWG 2010 advises a "
        "baseline marrow examination in intermediate- and high-risk MGUS; in low-risk MGUS with normal "
        "hemoglobin, calcium and creatinine, leaving the marrow out missed smouldering or multiple myeloma "
        "in under 1 % (Sidiqi 2020).",
        Requires(
            all_of(
                any_of(is_("spep", "detected"), is_("ife", "detected"), is_("urine_mprotein", "detected")),
                is_("involved_isotype", "igg", "iga", "igm"),
            ),
            MGUS_FACTORS,
        ),
        ("RAJKUMAR-2005", "KYLE-2010", "SIDIQI-2020"), "EN-MGUS-RISK",
        related_rules=("BX-MPROTEIN",),
        not_evaluable_reason="Needs a detected monoclonal protein of IgG, IgA or IgM isotype "
        "(light-chain MGUS is defined separately), and enough risk factors known to place it.",
        strata=("low", "low-intermediate", "high-intermediate", "high"),
        # Rajkumar 2005's 20-year risk of progression per stratum: counting death as a competing risk,
        # and ignoring death (EN-MGUS-RISK).
        strata_risks=(("2", "5"), ("10", "21"), ("18", "37"), ("27", "58")),
    ),
)

RULES = RULES + CRITERIA

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}

# SPEC §5.2: evaluated top to bottom; the first match wins.
DEFERRAL_LIFE_EXPECTANCY = all_of(CORE_COMPLETE, Fired("DF-LIFE-EXPECTANCY"), Not(URGENT_ANY))
DEFERRAL_ON_LABS = all_of(
    any_of(
        Fired("DF-NORMAL-LABS"),
        all_of(CORE_COMPLETE, Fired("DF-BENIGN-CONTEXT"), Not(PLASMA_CELL_SUSPECTED), BENIGN_EXPLAINS_ALL),
    ),
    Not(DEFERRAL_BLOCKED),
)
DISPOSITIONS: tuple[tuple[Disposition, Condition], ...] = (
    (Disposition.PROCEED_TO_BIOPSY, AnyFired("BX-")),
    (Disposition.COMPLETE_WORKUP, Not(CORE_COMPLETE)),
    (Disposition.DEFERRAL_REASONABLE, any_of(DEFERRAL_LIFE_EXPECTANCY, DEFERRAL_ON_LABS)),
    (Disposition.BIOPSY_STRONGLY_CONSIDERED, Always()),
)
DISPOSITION_ORDER = tuple(name for name, _ in DISPOSITIONS)


@dataclass(frozen=True)
class OptionRow:
    """One row of the options table (SPEC §5.2, "a prioritized list of options"): shown for the
    disposition (None: any) when `when` holds for the result, with the sentence `text` of the
    wording table and the rule ids of the result group `rules` (if any)."""

    disposition: Disposition | None
    action: str
    text: str
    # always | missing_core | conflicts | follow_up | suspicion | imaging | contrast_review, or a condition
    when: str | Condition = "always"
    rules: str = ""  # triggers | deferrals | follow_up | imaging


# In priority order within each disposition; the rows for any disposition come last.
OPTIONS: tuple[OptionRow, ...] = (
    OptionRow(Disposition.PROCEED_TO_BIOPSY, "biopsy", "option_biopsy", rules="triggers"),
    OptionRow(Disposition.PROCEED_TO_BIOPSY, "anemia_workup", "option_anemia_workup", Fired("BX-ANEMIA")),
    OptionRow(Disposition.PROCEED_TO_BIOPSY, "complete_labs", "option_complete_labs_alongside", "missing_core"),
    OptionRow(Disposition.PROCEED_TO_BIOPSY, "weigh_deferral", "option_weigh_deferral", "conflicts", "deferrals"),
    OptionRow(Disposition.COMPLETE_WORKUP, "complete_labs", "option_complete_labs"),
    OptionRow(Disposition.COMPLETE_WORKUP, "consider_biopsy", "option_consider_biopsy_incomplete"),
    OptionRow(Disposition.COMPLETE_WORKUP, "weigh_life_expectancy", "option_weigh_life_expectancy",
              Fired("DF-LIFE-EXPECTANCY")),
    OptionRow(Disposition.DEFERRAL_REASONABLE, "defer", "option_defer", rules="deferrals"),
    OptionRow(Disposition.DEFERRAL_REASONABLE, "weigh_suspicion", "option_weigh_suspicion", "suspicion"),
    OptionRow(Disposition.DEFERRAL_REASONABLE, "repeat_labs", "option_repeat_labs", "follow_up", "follow_up"),
    OptionRow(Disposition.DEFERRAL_REASONABLE, "biopsy_if_concern", "option_biopsy_if_concern"),
    OptionRow(Disposition.BIOPSY_STRONGLY_CONSIDERED, "consider_biopsy", "option_consider_biopsy"),
    OptionRow(Disposition.BIOPSY_STRONGLY_CONSIDERED, "discuss", "option_discuss"),
    OptionRow(None, "pregnancy_imaging", "option_pregnancy_imaging", all_of(PREGNANT, AnyFired("IM-"))),
    OptionRow(None, "imaging", "option_imaging", "imaging", "imaging"),
    OptionRow(None, "review_contrast", "option_review_contrast", "contrast_review"),
)

# Under 18 nothing is phrased as a recommendation (SPEC 1.2 §1): these options replace all others.
NO_RECOMMENDATION = Fired("SCOPE-PEDIATRIC")
OUTSIDE_SCOPE_OPTIONS: tuple[OptionRow, ...] = (
    OptionRow(None, "outside_scope", "option_outside_scope"),
    OptionRow(None, "urgent_contact", "option_urgent_contact", AnyFired("URGENT-")),
)
