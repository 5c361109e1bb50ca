"""Hypothesis strategies for valid cases in the JSON API's shape, built from the input table."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from workup.pathway.inputs import INPUTS, REFERENCE_LIMIT_KEYS
from workup.pathway.units import ANALYTES, REFERENCE_LIMIT_ANALYTE


def quantity(key: str, unit_symbol: str | None = None) -> st.SearchStrategy[dict]:
    """A plausible value in any accepted unit of the analyte (or in the one given)."""
    analyte = ANALYTES[key]

    def in_unit(unit):
        low = unit.from_canonical(analyte.bounds.low)
        high = unit.from_canonical(analyte.bounds.high)
        step = Decimal("0.01")
        low_q = (low + (0 if analyte.bounds.low_inclusive else step)).quantize(step, rounding="ROUND_CEILING")
        high_q = high.quantize(step, rounding="ROUND_FLOOR")
        return st.decimals(min_value=low_q, max_value=high_q, places=2).map(
            lambda v: {"value": float(v), "unit": unit.symbol}
        )

    units = [analyte.unit(unit_symbol)] if unit_symbol else analyte.units
    return st.sampled_from(units).flatmap(in_unit)


def _value(spec) -> st.SearchStrategy:
    if spec.kind == "choice":
        return st.sampled_from(spec.choice_values)
    if spec.kind == "quantity":
        return quantity(spec.key)
    if spec.kind == "ratio":
        return st.decimals(min_value=Decimal("0.001"), max_value=Decimal(2000), places=3).map(float)
    if spec.kind == "integer":
        return st.integers(min_value=0, max_value=120)
    if spec.kind == "boolean":
        return st.booleans()
    if spec.kind == "set":
        # A value that must stand alone ("normal", "not done") is drawn alone (SPEC 1.2 §2.2).
        findings = [v for v in spec.choice_values if v not in spec.exclusive]
        alone = st.sampled_from(spec.exclusive).map(lambda v: [v]) if spec.exclusive else st.nothing()
        return st.lists(st.sampled_from(findings), unique=True, max_size=3) | alone
    return st.dates().map(lambda d: d.isoformat())


@st.composite
def api_cases(draw) -> dict:
    """Any valid case: each input present or absent, FLC κ and λ kept in one unit."""
    data = {}
    for spec in INPUTS:
        if draw(st.booleans()):
            data[spec.key] = draw(_value(spec))
    if "flc_kappa" in data and "flc_lambda" in data:
        data["flc_lambda"] = draw(quantity("flc_lambda", data["flc_kappa"]["unit"]))
    if "anc" in data and "wbc" in data:  # ANC above WBC is refused (SPEC 1.2 §2.4)
        wbc = Decimal(str(data["wbc"]["value"]))
        anc = draw(st.decimals(min_value=0, max_value=wbc, places=2))
        data["anc"] = {"value": float(anc), "unit": data["wbc"]["unit"]}
    if draw(st.booleans()):
        keys = draw(st.lists(st.sampled_from(REFERENCE_LIMIT_KEYS), unique=True, max_size=3))
        data["reference_limits"] = {k: draw(quantity(REFERENCE_LIMIT_ANALYTE[k])) for k in keys}
    return data


# Inputs that each make one biopsy trigger fire on their own (SPEC §4.1).
TRIGGER_INPUTS = {
    "BX-ANEMIA": {"hemoglobin": {"value": 9.0, "unit": "g/dL"}},
    "BX-MPROTEIN": {"spep": "detected"},
    "BX-FLC": {"flc_ratio": 20.0, "flc_kappa": {"value": 200, "unit": "mg/L"}, "flc_lambda": {"value": 10, "unit": "mg/L"}},
    "BX-CALCIUM": {"calcium": {"value": 13.0, "unit": "mg/dL"}, "albumin": {"value": 4.0, "unit": "g/dL"}},
    "BX-RENAL": {"egfr": {"value": 30, "unit": "mL/min/1.73m2"}},
    "BX-IMMUNOPARESIS": {"immunoparesis_reported": "yes"},
    "BX-AGE-WEIGHT-LOSS": {"age": 70, "unexplained_weight_loss": True},
    "BX-CANCER-HISTORY": {"history_of_cancer": True},
    "BX-FOCAL": {"focal_lesions": "more_than_one"},
    "BX-CYTOPENIA": {"platelets": {"value": 50, "unit": "10^9/L"}},
    "BX-BLOOD-FILM": {"blood_film": ["leukoerythroblastic"]},
}


def with_trigger(data: dict, rule_id: str) -> dict:
    """The case with one trigger's inputs added; a lab calcium ULN that could neutralise it is dropped."""
    changed = {**data, **TRIGGER_INPUTS[rule_id]}
    if rule_id == "BX-CALCIUM" and "reference_limits" in data:
        changed["reference_limits"] = {k: v for k, v in data["reference_limits"].items() if k != "calcium_uln"}
    if rule_id == "BX-IMMUNOPARESIS":  # a report counts only when no immunoglobulin is entered
        changed = {k: v for k, v in changed.items() if k not in ("igg", "iga", "igm")}
    return changed
