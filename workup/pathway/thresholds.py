"""Named thresholds of the pathway (SPEC §3), each with its source.

Every number the rules compare against lives here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Threshold:
    """A named cut-off: its value in the canonical unit and where it comes from."""

    name: str
    value: Decimal
    unit: str
    source: str
    # The same cut-off as SPEC §3 states it in a second unit: a value entered in that unit is
    # compared with this figure, not with an exact conversion of the first (SPEC §2.5).
    stated: tuple[tuple[str, Decimal], ...] = ()


def _t(name: str, value: str, unit: str, source: str, stated: tuple[tuple[str, str], ...] = ()) -> Threshold:
    return Threshold(name, Decimal(value), unit, source, tuple((u, Decimal(v)) for u, v in stated))


SOURCE_PATHWAY = "source pathway (2025-11-14)"

HB_TRIGGER = _t("HB_TRIGGER", "12.0", "g/dL", SOURCE_PATHWAY)
WHO_2011 = "WHO 2011 (WHO/NMH/NHD/MNM/11.1), kept by WHO 2024"
HB_NORMAL_MIN = {
    "female": _t("HB_NORMAL_MIN", "12.0", "g/dL", f"{WHO_2011}: women"),
    "male": _t("HB_NORMAL_MIN", "13.0", "g/dL", f"{WHO_2011}: men"),
    # 1.2: the stricter figure when sex is not recorded, so a missing entry never makes a value normal.
    "unspecified": _t("HB_NORMAL_MIN", "13.0", "g/dL", f"{WHO_2011}: the men's figure, used when sex is not recorded"),
    "pregnant": _t("HB_NORMAL_MIN", "11.0", "g/dL", f"{WHO_2011}: pregnancy"),
}
# WHO 2016 polycythaemia vera major criterion: a raised Hb is abnormal and no benign context explains it.
HB_NORMAL_MAX = {
    "male": _t("HB_NORMAL_MAX", "16.5", "g/dL", "WHO 2016 polycythaemia vera criterion (men)"),
    "female": _t("HB_NORMAL_MAX", "16.0", "g/dL", "WHO 2016 polycythaemia vera criterion (women)"),
    "unspecified": _t("HB_NORMAL_MAX", "16.0", "g/dL", "WHO 2016 polycythaemia vera criterion (the women's figure, used when sex is not recorded)"),
}
FLC_TRIGGER_HIGH = _t("FLC_TRIGGER_HIGH", "8", "", f"{SOURCE_PATHWAY}; Dispenzieri 2008")
FLC_TRIGGER_LOW = _t("FLC_TRIGGER_LOW", "0.125", "", f"{SOURCE_PATHWAY}; Dispenzieri 2008")
FLC_NORMAL_LOW = _t("FLC_NORMAL_LOW", "0.26", "", "Katzmann 2002")
FLC_NORMAL_HIGH = _t("FLC_NORMAL_HIGH", "1.65", "", "Katzmann 2002")
_KIDNEY_RANGE = "kidney reference interval attributed to Hutchison 2008 (UNCONFIRMED), used when an entered eGFR is below 60"
FLC_NORMAL_RENAL_LOW = _t("FLC_NORMAL_RENAL_LOW", "0.37", "", _KIDNEY_RANGE)
FLC_NORMAL_RENAL_HIGH = _t("FLC_NORMAL_RENAL_HIGH", "3.10", "", _KIDNEY_RANGE)
# The blood count (SPEC 1.2 §3): typical adult ranges, each replaced by the lab's own when entered.
WBC_NORMAL_LOW = _t("WBC_NORMAL_LOW", "4.0", "10^9/L", "typical adult lower limit")
WBC_NORMAL_HIGH = _t("WBC_NORMAL_HIGH", "11.0", "10^9/L", "typical adult upper limit")
PLATELETS_NORMAL_LOW = _t("PLATELETS_NORMAL_LOW", "150", "10^9/L", "typical adult lower limit")
PLATELETS_NORMAL_HIGH = _t("PLATELETS_NORMAL_HIGH", "400", "10^9/L", "typical adult upper limit")
ANC_LLN = _t("ANC_LLN", "1.8", "10^9/L", "typical adult lower limit")
_VALENT = "Valent 2007 (MDS working conference), an extension beyond the source pathway"
CYTOPENIA_PLATELETS = _t("CYTOPENIA_PLATELETS", "100", "10^9/L", _VALENT)
CYTOPENIA_ANC = _t("CYTOPENIA_ANC", "1.5", "10^9/L", f"{_VALENT}; WBC stands in when ANC is missing")
# "Isolated" neutropenia (the Duffy-null consideration): ANC from this figure up to CYTOPENIA_ANC.
CYTOPENIA_ANC_ISOLATED_MIN = _t("CYTOPENIA_ANC_ISOLATED_MIN", "1.0", "10^9/L", "SPEC 1.2 §3 (Merz 2023)")
URGENT_ANC = _t("URGENT_ANC", "0.5", "10^9/L", "common critical-value limit; the lab's own list replaces it")
URGENT_PLATELETS = _t("URGENT_PLATELETS", "20", "10^9/L", "common critical-value limit; the lab's own list replaces it")
SMOKING_WBC_MAX = _t("SMOKING_WBC_MAX", "15.0", "10^9/L", "smokers' leukocytosis is modest; above this it is not explained")
CALCIUM_ULN = _t("CALCIUM_ULN", "10.4", "mg/dL", "typical adult upper limit", (("mmol/L", "2.60"),))
CALCIUM_CRAB = _t("CALCIUM_CRAB", "11.0", "mg/dL", "IMWG 2014 CRAB hypercalcaemia", (("mmol/L", "2.75"),))
CALCIUM_CRAB_ABOVE_ULN = _t(
    "CALCIUM_CRAB_ABOVE_ULN", "1.0", "mg/dL", "IMWG 2014 CRAB hypercalcaemia (> 1 mg/dL above ULN)",
    (("mmol/L", "0.25"),),
)
CREATININE_ULN = {
    "male": _t("CREATININE_ULN", "1.3", "mg/dL", "typical adult upper limit (men)"),
    "female": _t("CREATININE_ULN", "1.1", "mg/dL", "typical adult upper limit (women)"),
    "unspecified": _t("CREATININE_ULN", "1.1", "mg/dL", "typical adult upper limit (lower of the two)"),
}
CREATININE_CRAB = _t("CREATININE_CRAB", "2.0", "mg/dL", "IMWG 2014 CRAB renal", (("µmol/L", "177"),))
EGFR_MIN = _t("EGFR_MIN", "60", "mL/min/1.73m2", "CKD definition")
ALBUMIN_LLN = _t("ALBUMIN_LLN", "3.5", "g/dL", "typical adult lower limit")
B2M_ULN = _t("B2M_ULN", "2.4", "mg/L", "typical adult upper limit")
IG_LLN = {
    "igg": _t("IGG_LLN", "700", "mg/dL", "typical adult lower limit"),
    "iga": _t("IGA_LLN", "70", "mg/dL", "typical adult lower limit"),
    "igm": _t("IGM_LLN", "40", "mg/dL", "typical adult lower limit"),
}
AGE_TRIGGER = _t("AGE_TRIGGER", "50", "years", SOURCE_PATHWAY)
ADULT_AGE = _t("ADULT_AGE", "18", "years", "scope of the pathway (adults only)")
PREGNANCY_AGE_MAX = _t("PREGNANCY_AGE_MAX", "50", "years", "SPEC 1.2 §6: pregnancy is asked about up to this age")
B2M_WARN = _t("B2M_WARN", "20", "mg/L", "design heuristic (evidence review): check the unit")
FLC_RATIO_WARN_LOW = _t("FLC_RATIO_WARN_LOW", "0.001", "", "design heuristic (evidence review)")
FLC_RATIO_WARN_HIGH = _t("FLC_RATIO_WARN_HIGH", "1000", "", "design heuristic (evidence review)")
# Published criteria (SPEC §10): shown beside the source's rules, never deciding the disposition.
WHO_HB_MIN = {
    "female": _t("WHO_HB_MIN", "12.0", "g/dL", f"{WHO_2011}: women"),
    "male": _t("WHO_HB_MIN", "13.0", "g/dL", f"{WHO_2011}: men"),
    "pregnant": _t("WHO_HB_MIN", "11.0", "g/dL", f"{WHO_2011}: pregnancy"),
}
IMWG_HB_ABSOLUTE = _t("IMWG_HB_ABSOLUTE", "10.0", "g/dL", "IMWG 2014 CRAB anaemia")
# With sex unknown and no lab limit, the relative alternative depends on sex from here down to 10.0.
IMWG_HB_SEX_DECIDES_BELOW = _t("IMWG_HB_SEX_DECIDES_BELOW", "11.0", "g/dL", "13.0 g/dL (the men's lower limit) − 2.0 g/dL")
IMWG_HB_BELOW_LLN = _t("IMWG_HB_BELOW_LLN", "2.0", "g/dL", "IMWG 2014 CRAB anaemia (> 2 g/dL below the lower limit)")
EGFR_CRAB = _t("EGFR_CRAB", "40", "mL/min/1.73m2", "IMWG 2014 CRAB renal")
FLC_PUBLISHED_HIGH = _t("FLC_PUBLISHED_HIGH", "8", "", "Dispenzieri 2008 (≥ 8, inclusive as published)")
FLC_PUBLISHED_LOW = _t("FLC_PUBLISHED_LOW", "0.125", "", "Dispenzieri 2008 (≤ 0.125, inclusive as published)")
SLIM_FLC_RATIO = _t("SLIM_FLC_RATIO", "100", "", "IMWG 2014 SLiM (involved/uninvolved FLC ratio ≥ 100)")
SLIM_FLC_INVOLVED = _t("SLIM_FLC_INVOLVED", "100", "mg/L", "IMWG 2014 SLiM (involved FLC ≥ 100 mg/L)")
MGUS_MPROTEIN = _t("MGUS_MPROTEIN", "1.5", "g/dL", "IMWG 2010 / Mayo MGUS risk factor (M-protein ≥ 1.5 g/dL)")

FLC_RATIO_DISCREPANCY = Decimal("0.10")  # entered ratio vs κ/λ: relative difference that warns
FOLLOW_UP_INTERVAL_MONTHS = 3  # source pathway; EN-FOLLOW-UP explains why it is unsourced
FOLLOW_UP_COUNT_WEEKS = 4  # SPEC 1.2 §4.4: a count attributed to smoking or G-CSF is repeated sooner
CALCIUM_ALBUMIN_FACTOR = Decimal("0.8")  # corrected Ca = Ca + 0.8 × (4.0 − albumin)
CALCIUM_ALBUMIN_REFERENCE = Decimal("4.0")
# SPEC 1.2 §2.2: the same correction for a calcium entered in mmol/L, in SI: + 0.02 × (40 − albumin g/L).
CALCIUM_ALBUMIN_FACTOR_SI = Decimal("0.02")
CALCIUM_ALBUMIN_REFERENCE_SI = Decimal("40")

ALL_THRESHOLDS: tuple[Threshold, ...] = (
    HB_TRIGGER,
    *HB_NORMAL_MIN.values(),
    *HB_NORMAL_MAX.values(),
    FLC_TRIGGER_HIGH,
    FLC_TRIGGER_LOW,
    FLC_NORMAL_LOW,
    FLC_NORMAL_HIGH,
    FLC_NORMAL_RENAL_LOW,
    FLC_NORMAL_RENAL_HIGH,
    WBC_NORMAL_LOW,
    WBC_NORMAL_HIGH,
    PLATELETS_NORMAL_LOW,
    PLATELETS_NORMAL_HIGH,
    ANC_LLN,
    CYTOPENIA_PLATELETS,
    CYTOPENIA_ANC,
    CYTOPENIA_ANC_ISOLATED_MIN,
    URGENT_ANC,
    URGENT_PLATELETS,
    SMOKING_WBC_MAX,
    CALCIUM_ULN,
    CALCIUM_CRAB,
    CALCIUM_CRAB_ABOVE_ULN,
    *CREATININE_ULN.values(),
    CREATININE_CRAB,
    EGFR_MIN,
    ALBUMIN_LLN,
    B2M_ULN,
    *IG_LLN.values(),
    AGE_TRIGGER,
    ADULT_AGE,
    PREGNANCY_AGE_MAX,
    B2M_WARN,
    FLC_RATIO_WARN_LOW,
    FLC_RATIO_WARN_HIGH,
    *WHO_HB_MIN.values(),
    IMWG_HB_ABSOLUTE,
    IMWG_HB_BELOW_LLN,
    IMWG_HB_SEX_DECIDES_BELOW,
    EGFR_CRAB,
    FLC_PUBLISHED_HIGH,
    FLC_PUBLISHED_LOW,
    SLIM_FLC_RATIO,
    SLIM_FLC_INVOLVED,
    MGUS_MPROTEIN,
)
