"""Services: turn requests into engine inputs and evaluate them. Views stay thin."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from workup import fhir
from workup.pathway import validation
from workup.pathway.engine import evaluate
from workup.pathway.inputs import (
    CHOICE_LABELS,
    INPUTS,
    INPUTS_BY_KEY,
    REFERENCE_LIMIT_KEYS,
    Case,
    InputSpec,
    Quantity,
)
from workup.pathway.result import Assessment, Finding
from workup.pathway.units import ANALYTES, REFERENCE_LIMIT_ANALYTE

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


# --- The workup screen: form data -> the same parser as the JSON API -----------------------------


def case_from_form(*, data: Mapping[str, Any]) -> Case:
    """Build a Case from the workup form's cleaned data, validated exactly like a JSON request.

    Errors are keyed by form field name (a reference limit by its own key, not `reference_limits.x`).
    """
    return _case_and_inputs_from_form(data)[0]


def _case_and_inputs_from_form(data: Mapping[str, Any]) -> tuple[Case, dict[str, Any]]:
    """The Case and the same inputs in the JSON API's format; raises CaseInvalid keyed by field name."""
    errors: Errors = {}
    payload: dict[str, Any] = {}
    for spec in INPUTS:
        value = _form_value(spec, data, errors)
        if value is not None:
            payload[spec.key] = value
    limits = {}
    for key in REFERENCE_LIMIT_KEYS:
        limit = _form_quantity(key, data, errors)
        if limit is not None:
            limits[key] = limit
    if limits:
        payload["reference_limits"] = limits
    try:
        case = case_from_json(data=payload)
    except CaseInvalid as invalid:
        errors.update({key.removeprefix("reference_limits."): msgs for key, msgs in invalid.errors.items()})
    if errors:
        raise CaseInvalid(errors)
    return case, payload


def inputs_json_text(value: Any) -> str:
    """JSON text for API-format inputs; a Decimal is written as the number it is, digits kept."""
    if isinstance(value, Decimal):
        return str(value)  # a finite Decimal's str is a valid JSON number ("10.50", "1E+3")
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {inputs_json_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(inputs_json_text(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def form_data_from_case(*, inputs: Mapping[str, Any]) -> dict[str, str | list[str]]:
    """The form post a person would make for a case in the JSON API's format (drafts, tests, bench).

    Lab values become `<key>` and `<key>_unit`, booleans the form's yes/no, sets repeated values.
    """
    data: dict[str, str | list[str]] = {}
    for key, value in inputs.items():
        if key == "reference_limits" and isinstance(value, Mapping):
            for limit, quantity in value.items():
                data.update(_form_quantity_fields(limit, quantity))
        elif isinstance(value, Mapping):
            data.update(_form_quantity_fields(key, value))
        elif isinstance(value, bool):
            data[key] = "yes" if value else "no"
        elif isinstance(value, list):
            data[key] = [str(item) for item in value]
        elif value is not None:
            data[key] = str(value)
    return data


def _form_quantity_fields(key: str, quantity: Mapping[str, Any]) -> dict[str, str]:
    return {key: str(quantity.get("value", "")), f"{key}_unit": str(quantity.get("unit", ""))}


def _form_number(key: str, text: str, errors: Errors) -> Decimal | None:
    message = validation.number_error(text)
    if message:
        errors[key] = [message]
        return None
    return Decimal(text.strip())


def _form_quantity(key: str, data: Mapping[str, Any], errors: Errors) -> dict[str, Any] | None:
    text = (data.get(key) or "").strip()
    if not text:
        return None
    number = _form_number(key, text, errors)
    return None if number is None else {"value": number, "unit": data.get(f"{key}_unit") or ""}


_FORM_BOOLEANS = {"yes": True, "no": False}


def _form_value(spec: InputSpec, data: Mapping[str, Any], errors: Errors) -> Any:
    """The JSON-API form of one input from the form, or None when it was left empty/unknown."""
    raw = data.get(spec.key)
    if spec.kind == "quantity":
        return _form_quantity(spec.key, data, errors)
    if spec.kind == "boolean":
        return _FORM_BOOLEANS.get(raw or "")
    if spec.kind == "set":
        return list(raw) if raw else None
    if not raw or not str(raw).strip():
        return None
    if spec.kind in ("integer", "ratio"):
        return _form_number(spec.key, str(raw), errors)
    return str(raw).strip()


def canonical_values(*, case: Case) -> dict[str, str]:
    """Each lab entry converted to its canonical unit for display beside the field ("= 10.8 g/dL").

    Every lab key is present; an empty string means nothing to show (empty field or canonical unit).
    """
    shown: dict[str, str] = {}
    entries = {spec.key: (spec.key, getattr(case, spec.key)) for spec in INPUTS if spec.kind == "quantity"}
    entries.update({key: (analyte, case.reference_limits.get(key)) for key, analyte in REFERENCE_LIMIT_ANALYTE.items()})
    for key, (analyte_key, quantity) in entries.items():
        shown[key] = ""
        analyte = ANALYTES[analyte_key]
        if quantity is not None and analyte.unit(quantity.unit).symbol != analyte.canonical_unit:
            value = analyte.canonical(quantity.value, quantity.unit)
            shown[key] = f"= {format_number(value)} {analyte.canonical_unit}"
    return shown


def empty_canonical_values() -> dict[str, str]:
    return dict.fromkeys([*(s.key for s in INPUTS if s.kind == "quantity"), *REFERENCE_LIMIT_KEYS], "")


def format_number(value: object) -> str:
    """A number as a laboratory would print it: no exponent, at most 4 significant decimals."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        return str(value)
    number = Decimal(str(value))
    if number.is_zero():
        number = number.copy_abs()  # a lab prints 0, never -0; equal values must print alike
    if number != number.to_integral_value():
        number = Decimal(f"{number:.4g}") if abs(number) < 1 else number.quantize(Decimal("0.01")).normalize()
    return f"{number.normalize():f}"


# --- Report text: what a clinician pastes into a report or a referral ----------------------------

DISPOSITION_HEADLINES = {
    "PROCEED_TO_BIOPSY": "Proceed to bone marrow biopsy",
    "COMPLETE_WORKUP": "Complete the laboratory work-up first",
    "DEFERRAL_REASONABLE": "Deferring biopsy is reasonable",
    "BIOPSY_STRONGLY_CONSIDERED": "Strongly consider bone marrow biopsy",
}
NOT_FOR_URGENT_USE = "Decision support only; not for time-critical decisions. Clinical judgement decides."


@dataclass(frozen=True, slots=True)
class Report:
    impression: str
    referral: str


def workup_report(*, case: Case, assessment: Assessment) -> Report:
    """Wording for a radiology report impression and a hematology referral summary."""
    entered = entered_inputs(case=case)
    pathway = assessment.pathway
    version = f"{pathway.id} v{pathway.version} ({pathway.hash[:19]})"
    impression = (
        "Diffuse bone marrow signal heterogeneity of unclear etiology on lumbar MRI. "
        f"Pathway result: {DISPOSITION_HEADLINES[assessment.disposition].lower()}. "
        f"{assessment.summary} Marrow signal on MRI alone cannot separate benign from malignant change. "
        f"[{version}]"
    )
    lines = ["Hematology referral summary", "", "Inputs:"]
    lines += [f"  {label}: {value}" for label, value in entered] or ["  (none entered)"]
    lines += ["", f"Disposition: {DISPOSITION_HEADLINES[assessment.disposition]} ({assessment.disposition})",
              f"Summary: {assessment.summary}", "", "Triggers:"]
    lines += [f"  {f.id}: {f.title}" for f in assessment.triggers] or ["  none"]
    lines += ["Deferral considerations:"]
    lines += [f"  {f.id}: {f.title}" for f in assessment.deferral_considerations] or ["  none"]
    lines += ["Active pitfalls:"]
    lines += [f"  {p.id}: {p.title}" for p in assessment.pitfalls if p.active] or ["  none"]
    lines += ["", f"Pathway: {version}, source dated {pathway.source_date}; evaluated {assessment.evaluation_date}.",
              NOT_FOR_URGENT_USE]
    return Report(impression=impression, referral="\n".join(lines))


def entered_inputs(*, case: Case) -> list[tuple[str, str]]:
    """Each entered input as (label, value as entered, with its unit), in input-table order."""
    rows = []
    for spec in INPUTS:
        value = getattr(case, spec.key)
        if value is None or value == frozenset():
            continue
        if isinstance(value, Quantity):
            text = f"{format_number(value.value)} {value.unit}"
        elif isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, frozenset):
            text = ", ".join(sorted(CHOICE_LABELS[v] for v in value))
        elif isinstance(value, Decimal | int):
            text = format_number(value)
        else:
            text = CHOICE_LABELS.get(str(value), str(value))
        rows.append((spec.label, text))
    rows += [
        (f"Lab limit {key}", f"{format_number(q.value)} {q.unit}") for key, q in case.reference_limits.items()
    ]
    return rows


@dataclass(frozen=True, slots=True)
class ScreenResult:
    """What the workup screen shows: the assessment, or the messages of the fields to fix."""

    assessment: Assessment | None
    errors: Errors
    canonical: dict[str, str]
    report: Report | None
    inputs: Mapping[str, Any] | None = None  # the evaluated case in the JSON API's format

    @property
    def inputs_json(self) -> str:
        """The evaluated case as JSON API text: what "Save" and the live map post (written on demand)."""
        return "" if self.inputs is None else inputs_json_text(self.inputs)

    @property
    def canonical_shown(self) -> dict[str, str]:
        """The canonical values there is something to show for (a lab entered in another unit)."""
        return {key: shown for key, shown in self.canonical.items() if shown}

    @property
    def headline(self) -> str:
        return DISPOSITION_HEADLINES[self.assessment.disposition] if self.assessment else ""

    @property
    def finding_groups(self) -> list[tuple[str, tuple[Finding, ...]]]:
        """The fired rules under the headings the screen shows, in SPEC §6 order; empty groups left out."""
        a = self.assessment
        if a is None:
            return []
        groups = [
            ("Biopsy triggers", a.triggers),
            ("Deferral considerations", a.deferral_considerations),
            ("Imaging options", a.imaging),
            ("Follow-up", a.follow_up),
        ]
        return [(title, findings) for title, findings in groups if findings]


def workup_from_form(*, data: Mapping[str, Any] | None, form_errors: Errors) -> ScreenResult:
    """Validate the form's cleaned data like the JSON API, then evaluate it; nothing is stored.

    No data (the empty screen) means no assessment yet; any field error means no assessment, and
    every message is keyed by its field so the screen can show it beside that field.
    """
    if data is None:
        return ScreenResult(None, {}, empty_canonical_values(), None)
    try:
        case, inputs = _case_and_inputs_from_form(data)
    except CaseInvalid as invalid:
        return ScreenResult(None, {**form_errors, **invalid.errors}, empty_canonical_values(), None)
    if form_errors:
        return ScreenResult(None, form_errors, canonical_values(case=case), None)
    assessment = workup_evaluate(case=case)
    return ScreenResult(
        assessment, {}, canonical_values(case=case), workup_report(case=case, assessment=assessment), inputs
    )
