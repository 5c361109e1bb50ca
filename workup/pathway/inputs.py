"""The case as the engine sees it (SPEC §2): enums, quantities and the input table.

`INPUTS` is the one vocabulary: the JSON API, the forms and the OpenAPI document are all built
from it, so a key, a choice or a unit cannot differ between them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from .units import ANALYTES, REFERENCE_LIMIT_ANALYTE


class T1Signal(StrEnum):
    HYPOINTENSE = "hypointense"
    ISOINTENSE = "isointense"
    HYPERINTENSE = "hyperintense"
    NOT_ASSESSED = "not_assessed"


class BrainReferenceSite(StrEnum):
    CALVARIUM = "calvarium"
    CLIVUS = "clivus"
    NONE = "none"


class MarrowPattern(StrEnum):
    DIFFUSE_HOMOGENEOUS = "diffuse_homogeneous"
    VARIEGATED = "variegated"
    NOT_CHARACTERIZED = "not_characterized"


class FocalLesions(StrEnum):
    NONE = "none"
    ONE = "one"
    MORE_THAN_ONE = "more_than_one"


class YesNo(StrEnum):
    YES = "yes"
    NO = "no"


class YesNoUnknown(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class TestResult(StrEnum):
    __test__ = False  # not a pytest class
    DETECTED = "detected"
    NOT_DETECTED = "not_detected"
    NOT_DONE = "not_done"


class Isotype(StrEnum):
    IGG = "igg"
    IGA = "iga"
    IGM = "igm"
    LIGHT_CHAIN_ONLY = "light_chain_only"
    UNKNOWN = "unknown"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    UNSPECIFIED = "unspecified"


class BenignContext(StrEnum):
    CHRONIC_ANEMIA_KNOWN_CAUSE = "chronic_anemia_known_cause"
    HEAVY_SMOKING = "heavy_smoking"
    OBESITY = "obesity"
    ENDURANCE_ATHLETE = "endurance_athlete"
    RECENT_GCSF = "recent_gcsf"
    RECENT_ESA = "recent_esa"
    HIGH_ALTITUDE = "high_altitude"
    # Before 1.2 G-CSF and ESA were one choice: still read (saved cases, API clients), explains no
    # laboratory value, and a warning asks which was meant.
    RECENT_GCSF_OR_EPO = "recent_gcsf_or_epo"


class BloodFilm(StrEnum):
    """The blood film (SPEC 1.2 §2.2): coded findings, or normal, or not done (= missing)."""

    LEUKOERYTHROBLASTIC = "leukoerythroblastic"
    CIRCULATING_BLASTS = "circulating_blasts"
    TEARDROP_CELLS = "teardrop_cells"
    ROULEAUX = "rouleaux"
    DYSPLASTIC_FEATURES = "dysplastic_features"
    ABNORMAL_LYMPHOID_CELLS = "abnormal_lymphoid_cells"
    OTHER_ABNORMAL = "other_abnormal"
    NORMAL = "normal"
    NOT_DONE = "not_done"


CHOICE_LABELS: dict[str, str] = {
    "hypointense": "Hypointense",
    "isointense": "Isointense",
    "hyperintense": "Hyperintense",
    "not_assessed": "Not assessed",
    "calvarium": "Calvarium",
    "clivus": "Clivus",
    "none": "None",
    "diffuse_homogeneous": "Diffuse homogeneous",
    "variegated": "Variegated",
    "not_characterized": "Not characterised",
    "one": "One",
    "more_than_one": "More than one",
    "yes": "Yes",
    "no": "No",
    "unknown": "Unknown",
    "detected": "Detected",
    "not_detected": "Not detected",
    "not_done": "Not done",
    "igg": "IgG",
    "iga": "IgA",
    "igm": "IgM",
    "light_chain_only": "Light chain only",
    "female": "Female",
    "male": "Male",
    "unspecified": "Unspecified",
    "chronic_anemia_known_cause": "Chronic anaemia of known cause",
    "heavy_smoking": "Heavy smoking",
    "obesity": "Obesity",
    "endurance_athlete": "Endurance athlete",
    "recent_gcsf": "G-CSF within the last 6 weeks",
    "recent_esa": "Erythropoietin (ESA) within the last 6 weeks",
    "recent_gcsf_or_epo": "G-CSF or EPO within the last 6 weeks (old choice: say which)",
    "high_altitude": "Living at high altitude",
    "leukoerythroblastic": "Leukoerythroblastic picture",
    "circulating_blasts": "Circulating blasts",
    "teardrop_cells": "Teardrop cells",
    "rouleaux": "Rouleaux",
    "dysplastic_features": "Dysplastic features",
    "abnormal_lymphoid_cells": "Abnormal lymphoid cells",
    "other_abnormal": "Other abnormal finding",
    "normal": "Normal",
}


@dataclass(frozen=True, slots=True)
class Quantity:
    """A lab value exactly as entered: the number and its unit, never one without the other."""

    value: Decimal
    unit: str

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One input of the pathway: how it is keyed, labelled, typed and grouped."""

    key: str
    label: str
    group: str  # "mri" | "labs" | "context"
    kind: str  # "choice" | "quantity" | "ratio" | "integer" | "boolean" | "set" | "date"
    choices: type[StrEnum] | None = None
    help: str = ""
    # A set's values that must stand alone ("normal" or "not done" beside a finding is refused).
    exclusive: tuple[str, ...] = ()
    # A set value that means the input was not measured (the blood film "not done").
    missing_value: str | None = None

    @property
    def analyte(self):
        return ANALYTES[self.key] if self.kind == "quantity" else None

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(member.value for member in self.choices) if self.choices else ()


_S = InputSpec
_SIGNAL_HELP = "T1 marrow signal compared with"

INPUTS: tuple[InputSpec, ...] = (
    _S("t1_vs_disc", "T1 marrow vs non-degenerated disc", "mri", "choice", T1Signal,
       f"{_SIGNAL_HELP} a non-degenerated intervertebral disc (lumbar internal standard)."),
    _S("t1_vs_muscle", "T1 marrow vs paraspinal muscle", "mri", "choice", T1Signal,
       f"{_SIGNAL_HELP} paraspinal skeletal muscle (lumbar internal standard)."),
    _S("t1_vs_white_matter", "T1 marrow vs white matter", "mri", "choice", T1Signal,
       f"{_SIGNAL_HELP} cerebral white matter; only when brain imaging shows cranial marrow."),
    _S("t1_vs_gray_matter", "T1 marrow vs gray matter", "mri", "choice", T1Signal,
       f"{_SIGNAL_HELP} cerebral gray matter; only when brain imaging shows cranial marrow."),
    _S("brain_reference_site", "Cranial marrow compared with brain", "mri", "choice",
       BrainReferenceSite, "Which cranial marrow was compared with brain, if any."),
    _S("pattern", "Marrow pattern", "mri", "choice", MarrowPattern),
    _S("focal_lesions", "Focal lesions ≥ 5 mm", "mri", "choice", FocalLesions),
    _S("precontrast_t1", "Precontrast T1 acquired", "mri", "choice", YesNo),
    _S("contrast_given", "Gadolinium given", "mri", "choice", YesNo),
    _S("hemoglobin", "Hemoglobin", "labs", "quantity"),
    _S("wbc", "White cells", "labs", "quantity", help="Core lab (the blood count). 10⁹/L, 10³/µL and /nL are the same number."),
    _S("platelets", "Platelets", "labs", "quantity", help="Core lab (the blood count)."),
    _S("anc", "Neutrophils (ANC)", "labs", "quantity",
       help="Optional: the absolute neutrophil count from the differential, never a percentage."),
    _S("blood_film", "Blood film", "labs", "set", BloodFilm,
       "Optional: tick each finding, or Normal, or Not done.",
       exclusive=("normal", "not_done"), missing_value="not_done"),
    _S("spep", "Serum protein electrophoresis M-spike", "labs", "choice", TestResult),
    _S("ife", "Serum immunofixation", "labs", "choice", TestResult),
    _S("urine_mprotein", "Urine M-protein (UPEP / urine IFE)", "labs", "choice", TestResult,
       "Optional; add it when AL amyloidosis is suspected."),
    _S("flc_kappa", "Free κ light chain", "labs", "quantity"),
    _S("flc_lambda", "Free λ light chain", "labs", "quantity",
       help="mg/L or mg/dL; it need not be in the same unit as κ."),
    _S("flc_ratio", "FLC κ/λ ratio", "labs", "ratio",
       help="As reported by the lab. With κ and λ both entered, the rules use κ ÷ λ and show this beside it."),
    _S("mprotein_concentration", "M-protein concentration", "labs", "quantity",
       help="Optional; the M-spike in g/dL or g/L. Read only by the published-criteria cross-check "
       "(MGUS risk), never by the source's rules."),
    _S("calcium", "Calcium (total)", "labs", "quantity",
       help="Corrected for albumin when albumin is entered."),
    _S("albumin", "Albumin", "labs", "quantity"),
    _S("creatinine", "Creatinine", "labs", "quantity"),
    _S("egfr", "eGFR", "labs", "quantity", help="Optional."),
    _S("beta2_microglobulin", "β2-microglobulin", "labs", "quantity",
       help="Always mg/L: staging cut-offs are often mislabelled as mg/dL."),
    _S("igg", "IgG", "labs", "quantity", help="Optional."),
    _S("iga", "IgA", "labs", "quantity", help="Optional."),
    _S("igm", "IgM", "labs", "quantity", help="Optional."),
    _S("involved_isotype", "Involved isotype", "labs", "choice", Isotype,
       "The monoclonal protein's isotype; it is left out of the immunoparesis check."),
    _S("immunoparesis_reported", "Immunoparesis reported", "labs", "choice", YesNoUnknown,
       "Use when immunoglobulin values are not entered."),
    _S("age", "Age", "context", "integer", help="Years."),
    _S("sex", "Sex", "context", "choice", Sex,
       "Sets the default hemoglobin and creatinine limits; when it is not recorded the stricter limits apply."),
    _S("pregnant", "Pregnant", "context", "choice", YesNoUnknown,
       "Sets the hemoglobin lower limit to 11.0 g/dL; imaging with ionising radiation or gadolinium needs "
       "radiology advice."),
    _S("unexplained_weight_loss", "Unexplained weight loss", "context", "boolean"),
    _S("history_of_cancer", "History of cancer", "context", "boolean"),
    _S("limited_life_expectancy", "Limited life expectancy", "context", "boolean",
       help="Advanced age or comorbidities."),
    _S("benign_context", "Benign context", "context", "set", BenignContext,
       "Known causes of benign red-marrow reconversion; G-CSF or erythropoietin counts only when given within "
       "the last 6 weeks, and never when it was given for a cytopenia, a cancer, MDS or kidney disease. A "
       "chronic anaemia whose cause is itself a marrow disorder or a haemoglobinopathy is a known etiology."),
    _S("suspected_infection_or_inflammation", "Suspected infection or inflammation", "context",
       "boolean"),
    _S("suspected_malignancy", "Suspected malignancy", "context", "boolean",
       help="Your own clinical suspicion."),
    _S("known_etiology", "Etiology already known", "context", "boolean",
       help="If so, the pathway does not apply (it is for unclear etiology)."),
    _S("evaluation_date", "Evaluation date", "context", "date",
       help="Defaults to today; sets the follow-up due date."),
)
INPUTS_BY_KEY: dict[str, InputSpec] = {spec.key: spec for spec in INPUTS}
REFERENCE_LIMIT_KEYS: tuple[str, ...] = tuple(REFERENCE_LIMIT_ANALYTE)


def _frozen_mapping() -> Mapping[str, Quantity]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Case:
    """Every input of SPEC §2; None means unknown, which is a normal state."""

    t1_vs_disc: T1Signal | None = None
    t1_vs_muscle: T1Signal | None = None
    t1_vs_white_matter: T1Signal | None = None
    t1_vs_gray_matter: T1Signal | None = None
    brain_reference_site: BrainReferenceSite | None = None
    pattern: MarrowPattern | None = None
    focal_lesions: FocalLesions | None = None
    precontrast_t1: YesNo | None = None
    contrast_given: YesNo | None = None
    hemoglobin: Quantity | None = None
    wbc: Quantity | None = None
    platelets: Quantity | None = None
    anc: Quantity | None = None
    blood_film: frozenset[BloodFilm] = frozenset()
    spep: TestResult | None = None
    ife: TestResult | None = None
    urine_mprotein: TestResult | None = None
    flc_kappa: Quantity | None = None
    flc_lambda: Quantity | None = None
    flc_ratio: Decimal | None = None
    mprotein_concentration: Quantity | None = None
    calcium: Quantity | None = None
    albumin: Quantity | None = None
    creatinine: Quantity | None = None
    egfr: Quantity | None = None
    beta2_microglobulin: Quantity | None = None
    igg: Quantity | None = None
    iga: Quantity | None = None
    igm: Quantity | None = None
    involved_isotype: Isotype | None = None
    immunoparesis_reported: YesNoUnknown | None = None
    age: int | None = None
    sex: Sex | None = None
    pregnant: YesNoUnknown | None = None
    unexplained_weight_loss: bool | None = None
    history_of_cancer: bool | None = None
    limited_life_expectancy: bool | None = None
    benign_context: frozenset[BenignContext] = frozenset()
    suspected_infection_or_inflammation: bool | None = None
    suspected_malignancy: bool | None = None
    known_etiology: bool | None = None
    evaluation_date: dt.date | None = None
    reference_limits: Mapping[str, Quantity] = field(default_factory=_frozen_mapping)
