"""JSON → Case: the pathway inputs checked against the input table (SPEC §2), with no Django."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from workup.pathway import validation
from workup.pathway.inputs import (
    CHOICE_LABELS,
    INPUTS_BY_KEY,
    REFERENCE_LIMIT_KEYS,
    Case,
    InputSpec,
    Quantity,
)
from workup.pathway.units import REFERENCE_LIMIT_ANALYTE

Errors = dict[str, list[str]]


class CaseInvalid(Exception):
    """The case cannot be evaluated; `errors` maps each input key to its messages."""

    def __init__(self, errors: Errors):
        super().__init__(errors)
        self.errors = errors


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
    _check_combinations(values, errors)
    if errors:
        raise CaseInvalid(errors)
    return Case(**values)


def _check_combinations(values: dict[str, Any], errors: Errors) -> None:
    """Refuse values that cannot stand together (SPEC 1.2 §2.4): ANC above the white-cell count. The
    field refused is named, and nothing of it is used."""
    anc, wbc = values.get("anc"), values.get("wbc")
    if anc is None or wbc is None:
        return
    if validation.canonical_count(anc) > validation.canonical_count(wbc):
        errors["anc"] = [validation.input_say(
            "anc_above_wbc", anc=anc.value, anc_unit=anc.unit, wbc=wbc.value, wbc_unit=wbc.unit,
        )]
        del values["anc"]


def _parse(spec: InputSpec, raw: Any) -> tuple[Any, str | None]:
    parser = _PARSERS[spec.kind]
    return parser(spec, raw)


def _is_number(raw: Any) -> bool:
    return isinstance(raw, int | Decimal | float) and not isinstance(raw, bool)


def _bounded_number(raw: Any) -> tuple[Decimal | None, str | None]:
    """A decoded number as a Decimal within validation's bounds, checked before any conversion.

    json_body bounds the text already; this covers callers that build the data themselves (FHIR,
    CDS prefetch): a huge int is refused by its size in bits, never turned into text.
    """
    if isinstance(raw, int) and raw.bit_length() > _MAX_INT_BITS:
        return None, f"The number is outside the plausible range of any value here (10^±{validation.MAX_MAGNITUDE_EXPONENT})."
    value = raw if isinstance(raw, Decimal) else Decimal(str(raw))
    if value.is_finite() and len(value.as_tuple().digits) > validation.MAX_NUMBER_TEXT_LENGTH:
        return None, f"The number {validation.echo_value(value)} has too many digits."
    if not validation.is_computable(value):
        return None, f"The number {validation.echo_value(value)} is not finite or outside the plausible range of any value here."
    return value, None


_MAX_INT_BITS = (10**validation.MAX_MAGNITUDE_EXPONENT).bit_length()


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
    value, refused = _bounded_number(raw)
    if refused:
        return None, refused
    message = validation.age_error(value)
    return (None, message) if message else (int(value), None)


def _parse_ratio(spec: InputSpec, raw: Any):
    if not _is_number(raw):
        return None, "Must be a number (κ ÷ λ, no unit)."
    value, refused = _bounded_number(raw)
    if refused:
        return None, refused
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
    value, refused = _bounded_number(value)
    if refused:
        return None, refused
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
    alone = [item for item in spec.exclusive if item in raw]
    if alone and len(set(raw)) > 1:
        return None, validation.input_say("set_value_alone", value=CHOICE_LABELS[alone[0]], label=spec.label)
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
