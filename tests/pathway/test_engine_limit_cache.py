"""The per-(sex, lab limits) cache of resolved thresholds never mixes up two cases."""

from __future__ import annotations

from decimal import Decimal
from types import MappingProxyType

from workup.pathway.engine import evaluate
from workup.pathway.inputs import Case, Quantity, Sex


def _calcium_reference(uln: str, sex: Sex = Sex.FEMALE) -> str:
    case = Case(
        sex=sex,
        calcium=Quantity(Decimal("9.5"), "mg/dL"),
        reference_limits=MappingProxyType({"calcium_uln": Quantity(Decimal(uln), "mg/dL")}),
    )
    (line,) = [line for line in evaluate(case).labs if line.key == "calcium"]
    return line.reference


def test_limit_cache_keeps_the_labs_own_digits():
    assert _calcium_reference("10.50") == "10.50 mg/dL"
    assert _calcium_reference("10.5") == "10.5 mg/dL"
    assert _calcium_reference("10.50") == "10.50 mg/dL"


def test_limit_cache_separates_lab_limits_from_defaults():
    with_lab_limit = _calcium_reference("11.2")
    default = evaluate(Case(sex=Sex.FEMALE, calcium=Quantity(Decimal("9.5"), "mg/dL")))
    (line,) = [line for line in default.labs if line.key == "calcium"]
    assert with_lab_limit == "11.2 mg/dL"
    assert line.reference != with_lab_limit
    assert line.reference_origin == "default"
