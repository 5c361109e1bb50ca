"""Exact unit conversion, display that never crosses a threshold, plausibility and mix-up hints."""

from decimal import Decimal as D

import pytest

from workup.pathway import validation
from workup.pathway.units import ANALYTES, shown_value


@pytest.mark.parametrize(
    "key,value,unit,canonical",
    [
        ("hemoglobin", "119.9", "g/L", "11.99"),
        ("hemoglobin", "119.5", "g/L", "11.95"),  # never rounded up to 12.0 (SPEC 2.5)
        ("albumin", "34.9", "g/L", "3.49"),
        ("flc_lambda", "0.804", "mg/dL", "8.04"),
        ("igg", "6.99", "g/L", "699"),
        ("beta2_microglobulin", "2.4", "mg/L", "2.4"),
    ],
)
def test_canonical_value_is_exact(key, value, unit, canonical):
    assert ANALYTES[key].canonical(D(value), unit) == D(canonical)


@pytest.mark.parametrize(
    "key,value,unit,side_of",
    [
        ("hemoglobin", "7.44", "mmol/L", ("12.0", -1)),  # 11.988… g/dL
        ("calcium", "2.604", "mmol/L", ("10.4", 1)),
        ("creatinine", "115", "µmol/L", ("1.3", 1)),  # 1.3009 mg/dL
        ("creatinine", "97.3", "µmol/L", ("1.1", 1)),  # 1.1007 mg/dL
        ("creatinine", "177", "µmol/L", ("2.0", 1)),  # exact conversion is above; the stated figure is used
    ],
)
def test_converted_value_keeps_its_side_of_the_threshold(key, value, unit, side_of):
    limit, side = D(side_of[0]), side_of[1]
    exact = ANALYTES[key].canonical(D(value), unit)
    assert (exact > limit) - (exact < limit) == side


@pytest.mark.parametrize(
    "value,precision,limit,shown",
    [
        ("11.98823719", "0.1", "12.0", "11.99"),  # Hb 7.44 mmol/L: never "12.0"
        ("1.300904977", "0.01", "1.3", "1.301"),  # creatinine 115 µmol/L in a man
        ("11.99", "0.1", "12.0", "11.99"),
        ("10.42084168", "0.1", "10.4", "10.42"),
        ("13.52", "0.1", "12.0", "13.5"),  # far from the limit: the reporting step is enough
    ],
)
def test_shown_value_never_crosses_its_threshold(value, precision, limit, shown):
    assert shown_value(D(value), D(precision), (D(limit),)) == D(shown)


def test_canonical_unit_value_is_used_exactly():
    assert ANALYTES["hemoglobin"].canonical(D("11.95"), "g/dL") == D("11.95")


@pytest.mark.parametrize("analyte", list(ANALYTES.values()), ids=lambda a: a.key)
def test_every_unit_round_trips(analyte):
    for unit in analyte.units:
        value = D("3.7")
        assert unit.from_canonical(unit.to_canonical(value)).quantize(D("0.000001")) == value


@pytest.mark.parametrize(
    "key,value,unit,plausible",
    [
        ("hemoglobin", "2", "g/dL", True),
        ("hemoglobin", "1.99", "g/dL", False),
        ("hemoglobin", "25", "g/dL", True),
        ("hemoglobin", "25.1", "g/dL", False),
        ("hemoglobin", "250", "g/L", True),
        ("calcium", "3", "mg/dL", True),
        ("calcium", "2.99", "mg/dL", False),
        ("calcium", "20", "mg/dL", True),
        ("calcium", "20.01", "mg/dL", False),
        ("albumin", "0.5", "g/dL", True),
        ("albumin", "0.49", "g/dL", False),
        ("albumin", "7.01", "g/dL", False),
        ("creatinine", "0.1", "mg/dL", True),
        ("creatinine", "0.09", "mg/dL", False),
        ("creatinine", "25.01", "mg/dL", False),
        ("beta2_microglobulin", "0", "mg/L", False),
        ("beta2_microglobulin", "0.01", "mg/L", True),
        ("beta2_microglobulin", "150", "mg/L", True),
        ("beta2_microglobulin", "150.1", "mg/L", False),
        ("flc_kappa", "0", "mg/L", False),
        ("flc_kappa", "100000", "mg/L", True),
        ("flc_kappa", "100001", "mg/L", False),
        ("igg", "15000", "mg/dL", True),
        ("igg", "15001", "mg/dL", False),
        ("egfr", "1", "mL/min/1.73m2", True),
        ("egfr", "0.9", "mL/min/1.73m2", False),
        ("egfr", "201", "mL/min/1.73m2", False),
        ("wbc", "500", "10^9/L", True),
        ("wbc", "500.1", "10^9/L", False),
        ("platelets", "3000", "10^9/L", True),
        ("platelets", "3001", "10^9/L", False),
    ],
)
def test_plausibility_bounds(key, value, unit, plausible):
    assert ANALYTES[key].is_plausible(D(value), unit) is plausible


@pytest.mark.parametrize(
    "key,value,unit,probable",
    [
        ("hemoglobin", "112", "g/dL", "g/L"),
        ("calcium", "2.4", "mg/dL", "mmol/L"),
        ("creatinine", "88", "mg/dL", "µmol/L"),
        ("albumin", "38", "g/dL", "g/L"),
    ],
)
def test_implausible_value_names_probable_unit(key, value, unit, probable):
    message = validation.quantity_error(key, D(value), unit)
    assert message is not None
    assert value in message and unit in message
    assert f"entered in {probable}" in message


def test_implausible_value_without_a_likely_mix_up_names_no_unit():
    message = validation.quantity_error("calcium", D("50"), "mg/dL")
    assert message is not None and "entered in" not in message


def test_unknown_unit_lists_accepted_units():
    assert "g/dL, g/L, mmol/L" in validation.unit_error("hemoglobin", "mg/dl")
