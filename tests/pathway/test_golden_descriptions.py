"""The golden cases as data: their descriptions are teaching text, and each input is checked once.

The rule pages show a golden case's description to residents, so a figure in it must be one the
case really holds (SPEC §2.5: a converted value is never rounded before a comparison).
"""

import json
import re
from collections import Counter
from decimal import ROUND_DOWN, Decimal

import pytest

from tests.golden import golden_cases, golden_params
from workup.pathway import thresholds as T
from workup.pathway.units import ANALYTES, REFERENCE_LIMIT_ANALYTE, UNIT_ALIASES

QUANTITY_UNITS = ("mmol/L", "µmol/L", "umol/L", "mg/dL", "mg/L", "g/dL", "g/L")
# A number written with one of those units, "…" after it when the digits are cut short.
QUANTITY = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)(…?) (" + "|".join(re.escape(u) for u in QUANTITY_UNITS) + r")(?!\w)")


def _unit(symbol: str) -> str:
    return UNIT_ALIASES.get(symbol, symbol)


def _in_every_unit(analyte_key: str, value: Decimal, symbol: str) -> set[tuple[str, Decimal]]:
    """A value and its exact conversion into each other unit the analyte accepts (SPEC §2.2)."""
    analyte = ANALYTES[analyte_key]
    entered = analyte.unit(symbol)
    canonical = analyte.convert(value, entered)
    others = {(unit.symbol, unit.from_canonical(canonical)) for unit in analyte.units if unit != entered}
    return {(entered.symbol, value)} | others


def known_figures(case: dict) -> set[tuple[str, Decimal]]:
    """(unit, value) pairs a description may quote for this case: every entered value and lab
    limit in each of its units, the albumin-corrected calcium, and the thresholds of SPEC §3/§10."""
    figures = {(_unit(t.unit), t.value) for t in T.ALL_THRESHOLDS}
    figures |= {(_unit(unit), value) for t in T.ALL_THRESHOLDS for unit, value in t.stated}
    data = case["input"]
    quantities = [(key, data[key]) for key in ANALYTES if isinstance(data.get(key), dict)]
    quantities += [(REFERENCE_LIMIT_ANALYTE[key], q) for key, q in data.get("reference_limits", {}).items()]
    for key, quantity in quantities:
        figures |= _in_every_unit(key, Decimal(str(quantity["value"])), quantity["unit"])
    calcium, albumin = data.get("calcium"), data.get("albumin")
    if calcium and albumin:
        # SPEC §2.2: corrected Ca (mg/dL) = Ca + 0.8 × (4.0 − albumin g/dL), the same amount
        # carried into the unit the calcium was entered in.
        albumin_g_dl = ANALYTES["albumin"].canonical(Decimal(str(albumin["value"])), albumin["unit"])
        correction = Decimal("0.8") * (Decimal("4.0") - albumin_g_dl)
        calcium_unit = ANALYTES["calcium"].unit(calcium["unit"])
        corrected = Decimal(str(calcium["value"])) + calcium_unit.from_canonical(correction)
        figures |= _in_every_unit("calcium", corrected, calcium_unit.symbol)
    return figures


def _quotes(shown: str, cut: bool, exact: Decimal) -> bool:
    """A figure without "…" is the exact value; with "…" it is the exact value cut (not rounded)
    to the digits shown, and the exact value has more digits."""
    number = Decimal(shown)
    if not cut:
        return number == exact
    cut_short = exact.quantize(Decimal(1).scaleb(number.as_tuple().exponent), rounding=ROUND_DOWN)
    return cut_short == number and exact != number


def misquoted_figures(case: dict) -> list[str]:
    figures = known_figures(case)
    return [
        match.group(0)
        for match in QUANTITY.finditer(case["description"])
        if not any(
            unit == _unit(match.group(3)) and _quotes(match.group(1), bool(match.group(2)), value)
            for unit, value in figures
        )
    ]


@pytest.mark.parametrize("case", golden_params())
def test_golden_description_quotes_only_figures_the_case_holds(case):
    """Every "<number> <unit>" in a description is an entered value or lab limit, its exact
    conversion into another unit of the same analyte, the albumin-corrected calcium, or a
    threshold of the spec. A converted figure is written exactly, or cut short and marked "…":
    "7.4 mmol/L = 11.9 g/dL" is refused, because 7.4 mmol/L is 11.923… g/dL."""
    assert misquoted_figures(case) == []


@pytest.mark.parametrize("case", golden_params())
def test_golden_description_shows_no_rounding_chain(case):
    """An arrow was how the 1.0 descriptions rounded a converted value before comparing it
    ("2.60 mmol/L -> 10.42 -> 10.4 mg/dL: at ULN"); under 1.1 nothing is rounded before a
    comparison, so a description states a conversion with "=" and never with an arrow. (The
    figure test above cannot see this one: 10.4 mg/dL is the ULN itself, a figure the case holds.)"""
    assert not re.search(r"->|→", case["description"])


def test_no_two_golden_cases_share_an_input():
    """Each input is checked once: a repeated input adds no check, and a second copy could only
    drift from the first."""
    inputs = Counter(json.dumps(case["input"], sort_keys=True) for case in golden_cases())
    repeated = [
        case["name"] for case in golden_cases() if inputs[json.dumps(case["input"], sort_keys=True)] > 1
    ]
    assert repeated == []
