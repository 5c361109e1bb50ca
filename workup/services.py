"""Services: turn requests into engine inputs and evaluate them. Views stay thin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from workup import fhir
from workup.pathway import validation
from workup.pathway.engine import evaluate
from workup.pathway.inputs import INPUTS, INPUTS_BY_KEY, REFERENCE_LIMIT_KEYS, Case, InputSpec, Quantity
from workup.pathway.result import Assessment
from workup.pathway.units import REFERENCE_LIMIT_ANALYTE

Errors = dict[str, list[str]]
OBSERVATIONS_KEY = "observations"  # a FHIR Bundle of lab Observations beside the pathway inputs


class CaseInvalid(Exception):
    """The case cannot be evaluated; `errors` maps each input key to its messages."""

    def __init__(self, errors: Errors):
        super().__init__(errors)
        self.errors = errors


def workup_evaluate(*, case: Case, today: dt.date | None = None) -> Assessment:
    """Evaluate a validated case with the pathway engine."""
    return evaluate(case, today=today)


def case_from_request(*, data: Any) -> Case:
    """A JSON API body → Case: pathway inputs, a FHIR R4 Bundle of lab Observations, or both.

    A bare Bundle is read as labs only; an `observations` Bundle beside pathway inputs adds its
    labs to them. Either way the labs join the inputs and pass the same validation, and an
    entry that cannot be used is an error that names the entry.
    """
    if isinstance(data, dict) and data.get("resourceType") == "Bundle":
        return _case_with_bundle({}, data, prefix="bundle")
    if isinstance(data, dict) and OBSERVATIONS_KEY in data:
        inputs = {key: value for key, value in data.items() if key != OBSERVATIONS_KEY}
        return _case_with_bundle(inputs, data[OBSERVATIONS_KEY], prefix=OBSERVATIONS_KEY)
    return case_from_json(data=data)


def _case_with_bundle(inputs: dict[str, Any], bundle: Any, *, prefix: str) -> Case:
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle" or not isinstance(
        bundle.get("entry", []), list
    ):
        raise CaseInvalid({prefix: ["Must be a FHIR R4 Bundle whose entry list holds lab Observations."]})
    reading = fhir.labs_from_observations(list(fhir.bundle_entries(bundle, prefix)))
    errors: Errors = {item.ref: [item.reason] for item in reading.skipped}
    for key, result in reading.results.items():
        if key in inputs:
            errors[result.ref] = [f"{INPUTS_BY_KEY[key].label} is given both as “{key}” and in {result.ref}."]
    try:
        case = case_from_json(data={**inputs, **reading.inputs()})
    except CaseInvalid as invalid:
        errors.update(_errors_by_entry(invalid.errors, reading))
    if errors:
        raise CaseInvalid(errors)
    return case


def _errors_by_entry(errors: Errors, reading: fhir.LabReading) -> Errors:
    """Report a refused lab value under the Bundle entry it came from."""
    return {
        (reading.results[key].ref if key in reading.results else key): messages
        for key, messages in errors.items()
    }


def case_from_json(*, data: Any) -> Case:
    """Validate a decoded JSON object against the input table and build a Case (SPEC §2)."""
    if not isinstance(data, dict):
        raise CaseInvalid({"body": ["The body must be a JSON object of pathway inputs."]})
    errors: Errors = {}
    values: dict[str, Any] = {}
    for key, raw in data.items():
        if key == "reference_limits":
            limits = _reference_limits(raw, errors)
            if limits:
                values[key] = limits
            continue
        spec = INPUTS_BY_KEY.get(key)
        if spec is None:
            errors[key] = [f"“{key}” is not a pathway input."]
            continue
        if raw is None:
            continue
        value, message = _parse(spec, raw)
        if message:
            errors[key] = [message]
        else:
            values[key] = value
    _check_flc_units(values, errors)
    if errors:
        raise CaseInvalid(errors)
    return Case(**values)


def _parse(spec: InputSpec, raw: Any) -> tuple[Any, str | None]:
    parser = _PARSERS[spec.kind]
    return parser(spec, raw)


def _is_number(raw: Any) -> bool:
    return isinstance(raw, int | Decimal | float) and not isinstance(raw, bool)


def _parse_choice(spec: InputSpec, raw: Any):
    assert spec.choices is not None
    if not isinstance(raw, str) or raw not in spec.choice_values:
        return None, f"Must be one of: {', '.join(spec.choice_values)}."
    return spec.choices(raw), None


def _parse_boolean(spec: InputSpec, raw: Any):
    if not isinstance(raw, bool):
        return None, "Must be true or false."
    return raw, None


def _parse_integer(spec: InputSpec, raw: Any):
    if not _is_number(raw):
        return None, "Must be a whole number of years."
    value = Decimal(str(raw))
    message = validation.age_error(value)
    return (None, message) if message else (int(value), None)


def _parse_ratio(spec: InputSpec, raw: Any):
    if not _is_number(raw):
        return None, "Must be a number (κ ÷ λ, no unit)."
    value = Decimal(str(raw))
    message = validation.ratio_error(value)
    return (None, message) if message else (value, None)


def _parse_quantity(spec: InputSpec, raw: Any, analyte_key: str | None = None):
    key = analyte_key or spec.key
    if not isinstance(raw, dict) or set(raw) != {"value", "unit"}:
        return None, 'Must be an object {"value": <number>, "unit": "<unit>"}.'
    value, unit = raw["value"], raw["unit"]
    if not _is_number(value):
        return None, "The value must be a number."
    message = validation.unit_error(key, unit)
    if message:
        return None, message
    value = Decimal(str(value))
    unit = validation.normalise_unit(key, unit)
    message = validation.quantity_error(key, value, unit)
    return (None, message) if message else (Quantity(value, unit), None)


def _parse_set(spec: InputSpec, raw: Any):
    if not isinstance(raw, list):
        return None, f"Must be a list drawn from: {', '.join(spec.choice_values)}."
    unknown = [item for item in raw if not isinstance(item, str) or item not in spec.choice_values]
    if unknown:
        return None, f"Unknown item(s) {unknown}; use: {', '.join(spec.choice_values)}."
    assert spec.choices is not None
    return frozenset(spec.choices(item) for item in raw), None


def _parse_date(spec: InputSpec, raw: Any):
    parsed = validation.parse_iso_date(raw) if isinstance(raw, str) else None
    if parsed is None:
        return None, "Must be a date written YYYY-MM-DD."
    return parsed, None


_PARSERS = {
    "choice": _parse_choice,
    "boolean": _parse_boolean,
    "integer": _parse_integer,
    "ratio": _parse_ratio,
    "quantity": _parse_quantity,
    "set": _parse_set,
    "date": _parse_date,
}


def _reference_limits(raw: Any, errors: Errors) -> Mapping[str, Quantity]:
    if raw is None:
        return MappingProxyType({})
    if not isinstance(raw, dict):
        errors["reference_limits"] = [
            f"Must be an object keyed by: {', '.join(REFERENCE_LIMIT_KEYS)}."
        ]
        return MappingProxyType({})
    limits: dict[str, Quantity] = {}
    for key, value in raw.items():
        field = f"reference_limits.{key}"
        analyte = REFERENCE_LIMIT_ANALYTE.get(key)
        if analyte is None:
            errors[field] = [f"“{key}” is not a reference limit; use one of: {', '.join(REFERENCE_LIMIT_KEYS)}."]
            continue
        if value is None:
            continue
        quantity, message = _parse_quantity(INPUTS_BY_KEY[analyte], value, analyte)
        if message:
            errors[field] = [message]
        else:
            limits[key] = quantity
    return MappingProxyType(limits)


def _check_flc_units(values: dict[str, Any], errors: Errors) -> None:
    kappa, lam = values.get("flc_kappa"), values.get("flc_lambda")
    message = validation.flc_units_error(kappa and kappa.unit, lam and lam.unit)
    if message:
        errors.setdefault("flc_lambda", []).append(message)


def input_keys() -> tuple[str, ...]:
    return tuple(spec.key for spec in INPUTS) + ("reference_limits",)
