"""UCUM unit codes from FHIR → the pathway's units (no Django), with a UCUM parser, never string tables.

UCUM (unitsofmeasure.org) is case-sensitive, and a unit can be spelled several valid ways: litre is
`l` or `L`, so `g/dl` is `g/dL`; `/nL` and `10*3/uL` are the same count as `10*9/L`; creatinine in
`mmol/L` is 1000 times the number in `umol/L`. A code is parsed by ucumvert (a UCUM grammar, with
pint for the arithmetic); when it has the dimension of a unit the pathway accepts for that input,
the value is converted by the exact factor between them. A code that does not parse, or whose
dimension fits none of the accepted units, is not used, and the reason names it.

Annotations in braces (`{1.73_m2}`) carry meaning UCUM's arithmetic ignores, so a unit with one (eGFR)
is matched only by its exact code.
"""

from __future__ import annotations

import functools
from decimal import Decimal

MAX_CODE_LENGTH = 40  # no unit a lab reports is longer; the parser never sees more
# The pathway's unit symbols (workup/pathway/units.py) as UCUM codes.
PATHWAY_UCUM: dict[str, str] = {
    "g/dL": "g/dL",
    "g/L": "g/L",
    "mg/dL": "mg/dL",
    "mg/L": "mg/L",
    "mmol/L": "mmol/L",
    "µmol/L": "umol/L",
    "10^9/L": "10*9/L",
    "10^3/µL": "10*3/uL",
    "/nL": "/nL",
    "mL/min/1.73m2": "mL/min/{1.73_m2}",
}
SIGNIFICANT_DIGITS = 12  # the conversion factors are powers of ten; float noise sits far below this


@functools.cache
def _registry():
    from ucumvert import PintUcumRegistry  # loading the grammar takes a moment: only when a unit is read

    return PintUcumRegistry()


@functools.lru_cache(maxsize=512)
def _parsed(code: str):
    try:
        return _registry().from_ucum(code)
    except Exception:  # noqa: BLE001 - the parser raises several kinds of error for a code that is not UCUM
        return None


def conversion(code: str, accepted: tuple[str, ...]) -> tuple[str, Decimal] | None:
    """(pathway unit, factor) such that value × factor is the value in that unit, or None.

    An exact code wins; otherwise the first accepted unit of the same dimension, preferring one
    that needs no factor (`/nL` → 10^9/L as it stands).
    """
    if not isinstance(code, str) or not 0 < len(code) <= MAX_CODE_LENGTH:
        return None
    for unit in accepted:
        if PATHWAY_UCUM.get(unit) == code:
            return unit, Decimal(1)
    if "{" in code:
        return None
    quantity = _parsed(code)
    if quantity is None:
        return None
    found: list[tuple[str, Decimal]] = []
    for unit in accepted:
        target_code = PATHWAY_UCUM.get(unit)
        if target_code is None or "{" in target_code:
            continue
        target = _parsed(target_code)
        if target is None or getattr(quantity, "dimensionality", None) != target.dimensionality:
            continue
        factor = Decimal(f"{(1 * quantity).to(target).magnitude:.{SIGNIFICANT_DIGITS}g}")
        found.append((unit, factor.normalize()))
    exact = [item for item in found if item[1] == 1]
    return (exact or found or [None])[0]
