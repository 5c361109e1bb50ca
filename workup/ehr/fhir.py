"""Coded lab results in: FHIR R4 Observations (LOINC code + UCUM unit) → pathway inputs (no Django).

One table says which LOINC codes feed which pathway input and which UCUM unit codes mean which
unit the pathway accepts. An Observation whose code or unit is not in the table is never guessed:
it is skipped with a reason that names the entry. For each input the newest result wins.

Sources: LOINC codes and names from loinc.org (the "Mass/volume" and "Moles/volume" variants are
separate codes); UCUM unit codes as LOINC's example units use them ("umol/L", "10*9/L",
"10*3/uL", "mL/min/{1.73_m2}"). 10*3/uL is the same quantity as 10*9/L (10³/µL = 10⁹/L).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from workup.pathway.units import ANALYTES

LOINC_SYSTEM = "http://loinc.org"
UCUM_SYSTEM = "http://unitsofmeasure.org"
USABLE_STATUSES = frozenset({"final", "amended", "corrected"})


@dataclass(frozen=True, slots=True)
class LabCode:
    """A LOINC code that feeds one pathway input."""

    code: str
    key: str
    display: str


LAB_CODES: tuple[LabCode, ...] = (
    LabCode("718-7", "hemoglobin", "Hemoglobin [Mass/volume] in Blood"),
    LabCode("59260-0", "hemoglobin", "Hemoglobin [Moles/volume] in Blood"),
    LabCode("6690-2", "wbc", "Leukocytes [#/volume] in Blood by Automated count"),
    LabCode("777-3", "platelets", "Platelets [#/volume] in Blood by Automated count"),
    LabCode("36916-5", "flc_kappa", "Kappa light chains.free [Mass/volume] in Serum"),
    LabCode("33944-0", "flc_lambda", "Lambda light chains.free [Mass/volume] in Serum"),
    LabCode("48378-4", "flc_ratio", "Kappa light chains.free/Lambda light chains.free [Mass Ratio] in Serum"),
    LabCode("17861-6", "calcium", "Calcium [Mass/volume] in Serum or Plasma"),
    LabCode("2000-8", "calcium", "Calcium [Moles/volume] in Serum or Plasma"),
    LabCode("1751-7", "albumin", "Albumin [Mass/volume] in Serum or Plasma"),
    LabCode("2160-0", "creatinine", "Creatinine [Mass/volume] in Serum or Plasma"),
    LabCode("14682-9", "creatinine", "Creatinine [Moles/volume] in Serum or Plasma"),
    LabCode("33914-3", "egfr", "GFR/1.73 sq M.predicted by Creatinine-based formula (MDRD)"),
    LabCode("62238-1", "egfr", "GFR/1.73 sq M.predicted by Creatinine-based formula (CKD-EPI)"),
    LabCode("98979-8", "egfr", "GFR/1.73 sq M.predicted by Creatinine-based formula (CKD-EPI 2021)"),
    LabCode("1952-1", "beta2_microglobulin", "Beta-2-Microglobulin [Mass/volume] in Serum or Plasma"),
    LabCode("2465-3", "igg", "IgG [Mass/volume] in Serum or Plasma"),
    LabCode("2458-8", "iga", "IgA [Mass/volume] in Serum or Plasma"),
    LabCode("2472-9", "igm", "IgM [Mass/volume] in Serum or Plasma"),
)
LAB_CODE_BY_LOINC: dict[str, LabCode] = {lab.code: lab for lab in LAB_CODES}
LAB_KEYS: tuple[str, ...] = tuple(dict.fromkeys(lab.key for lab in LAB_CODES))

# UCUM code → the pathway's spelling of the same unit. Only exact equivalents are listed.
UCUM_UNITS: dict[str, str] = {
    "g/dL": "g/dL",
    "g/L": "g/L",
    "mg/dL": "mg/dL",
    "mg/L": "mg/L",
    "mmol/L": "mmol/L",
    "umol/L": "µmol/L",
    "10*9/L": "10^9/L",
    "10*3/uL": "10^9/L",
    "mL/min/{1.73_m2}": "mL/min/1.73m2",
}
RATIO_UNITS = frozenset({"{ratio}", "1"})  # the FLC ratio is unitless
# Bounds on a client's number, checked before anything converts it: no lab value needs more digits
# or a larger magnitude, and converting "1e999999999" to an int would take the server minutes.
MAX_VALUE_DIGITS = 20
MAX_VALUE_MAGNITUDE = 12  # |value| < 10^12 and, unless zero, ≥ 10^-12


def codes_for(key: str) -> tuple[str, ...]:
    """The LOINC codes that feed one pathway input, in table order."""
    return tuple(lab.code for lab in LAB_CODES if lab.key == key)


@dataclass(frozen=True, slots=True)
class LabResult:
    """One usable Observation: the pathway input it feeds, the value as entered, and its origin."""

    key: str
    value: Decimal
    unit: str | None  # None for the unitless FLC ratio
    loinc: str
    effective: str | None
    ref: str

    def as_input(self) -> object:
        number = int(self.value) if self.value == self.value.to_integral_value() else float(self.value)
        return number if self.unit is None else {"value": number, "unit": self.unit}


@dataclass(frozen=True, slots=True)
class Skipped:
    """An Observation that was not used, and why (said to the person who reads the result)."""

    ref: str
    reason: str


@dataclass(frozen=True, slots=True)
class LabReading:
    """The newest usable result per pathway input, plus everything that was not used."""

    results: dict[str, LabResult]
    skipped: tuple[Skipped, ...]

    def inputs(self) -> dict[str, object]:
        return {key: result.as_input() for key, result in self.results.items()}


def labs_from_observations(observations: list[tuple[str, Any]]) -> LabReading:
    """Map (reference, Observation) pairs to pathway inputs; the newest result per input wins."""
    newest: dict[str, tuple[tuple, LabResult]] = {}
    skipped: list[Skipped] = []
    for index, (ref, resource) in enumerate(observations):
        result, reason = observation_to_result(resource, ref)
        if result is None:
            skipped.append(Skipped(ref, reason or "not usable"))
            continue
        rank = (_effective_sort_key(result.effective), index)
        if result.key not in newest or rank > newest[result.key][0]:
            newest[result.key] = (rank, result)
    results = {key: newest[key][1] for key in LAB_KEYS if key in newest}
    return LabReading(results, tuple(skipped))


def bundle_entries(bundle: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    """(reference, resource) for each entry of a Bundle; the reference names the entry."""
    entries = bundle.get("entry", []) if isinstance(bundle, dict) else []
    if not isinstance(entries, list):
        return
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        yield f"{prefix}.entry[{index}]", resource


def observation_to_result(resource: Any, ref: str) -> tuple[LabResult | None, str | None]:
    """One Observation → a LabResult, or None and the reason it cannot be used."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "Observation":
        return None, "Not an Observation."
    status = resource.get("status")
    if not isinstance(status, str) or status not in USABLE_STATUSES:
        return None, f"Status “{_text(status)}”: only final, amended or corrected results are used."
    lab = _lab_code(resource.get("code"))
    if lab is None:
        return None, "No LOINC code that this pathway uses."
    quantity = resource.get("valueQuantity")
    if not isinstance(quantity, dict):
        return None, f"{lab.display}: no valueQuantity."
    if "comparator" in quantity:
        return None, f"{lab.display}: reported as a bound ({_text(quantity.get('comparator'))}), not a value."
    value, problem = bounded_decimal(quantity.get("value"))
    if problem:
        return None, f"{lab.display}: valueQuantity.value {problem}"
    unit, reason = _unit(lab, quantity)
    if reason:
        return None, reason
    return LabResult(lab.key, value, unit, lab.code, _effective(resource), ref), None


def _lab_code(code: Any) -> LabCode | None:
    codings = code.get("coding") if isinstance(code, dict) else None
    if not isinstance(codings, list):
        return None
    for coding in codings:
        if isinstance(coding, dict) and coding.get("system") == LOINC_SYSTEM:
            lab = LAB_CODE_BY_LOINC.get(coding.get("code")) if isinstance(coding.get("code"), str) else None
            if lab:
                return lab
    return None


def _unit(lab: LabCode, quantity: dict) -> tuple[str | None, str | None]:
    """The pathway unit for this quantity, read from its UCUM code only (never from free text)."""
    code, system = quantity.get("code"), quantity.get("system")
    if lab.key == "flc_ratio":
        if (code is None and system is None) or (
            system == UCUM_SYSTEM and isinstance(code, str) and code in RATIO_UNITS
        ):
            return None, None
        return None, f"{lab.display}: unit “{_text(code)}” is not a ratio unit."
    if system != UCUM_SYSTEM or not isinstance(code, str):
        return None, f"{lab.display}: the unit has no UCUM code."
    unit = UCUM_UNITS.get(code)
    if unit is None or unit not in ANALYTES[lab.key].unit_symbols:
        return None, f"{lab.display}: unit “{_text(code)}” is not one this pathway accepts."
    return unit, None


def _effective(resource: dict) -> str | None:
    value = resource.get("effectiveDateTime") or resource.get("effectiveInstant")
    if value is None and isinstance(resource.get("effectivePeriod"), dict):
        value = resource["effectivePeriod"].get("start")
    return value if isinstance(value, str) and _parse_effective(value) else None


def _parse_effective(text: str) -> dt.datetime | None:
    """FHIR dateTime (YYYY, YYYY-MM, YYYY-MM-DD or a full timestamp) as an aware UTC datetime."""
    for length, fmt in ((4, "%Y"), (7, "%Y-%m"), (10, "%Y-%m-%d")):
        if len(text) == length:
            try:
                return dt.datetime.strptime(text, fmt).replace(tzinfo=dt.UTC)
            except ValueError:
                return None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _effective_sort_key(effective: str | None) -> tuple:
    parsed = _parse_effective(effective) if effective else None
    return (1, parsed) if parsed else (0, dt.datetime.min.replace(tzinfo=dt.UTC))


def bounded_decimal(raw: Any) -> tuple[Decimal | None, str | None]:
    """A JSON number as a Decimal, refused (with the reason) when it is not one or is out of bounds.

    Only the digit count and the exponent are read, so even `1e999999999` is refused at once.
    """
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        return None, "is not a number."
    if isinstance(raw, int) and raw.bit_length() > 64:
        return None, "is out of range for a lab result."
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(repr(raw) if isinstance(raw, float) else raw)
    except (InvalidOperation, ValueError):
        return None, "is not a number."
    if not value.is_finite():
        return None, "is not a finite number."
    if value and (len(value.as_tuple().digits) > MAX_VALUE_DIGITS
                  or not -MAX_VALUE_MAGNITUDE <= value.adjusted() < MAX_VALUE_MAGNITUDE):
        return None, (f"is out of range for a lab result (at most {MAX_VALUE_DIGITS} digits, "
                      f"between 10^-{MAX_VALUE_MAGNITUDE} and 10^{MAX_VALUE_MAGNITUDE}).")
    return value, None


def _text(raw: Any) -> str:
    """A client-supplied value, shortened, for use inside a message."""
    text = str(raw)
    return text if len(text) <= 40 else text[:39] + "…"
