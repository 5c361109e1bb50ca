"""The workup screen's services: form data → the same parser as the JSON API → the engine."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from workup.forms import BRAIN_KEYS, REFERENCE_LIMIT_LABELS, unit_keys
from workup.pathway.engine import evaluate
from workup.pathway.inputs import CHOICE_LABELS, INPUTS, INPUTS_BY_KEY, REFERENCE_LIMIT_KEYS, Case, InputSpec
from workup.pathway.parsing import CaseInvalid, Errors, case_from_json
from workup.pathway.result import Assessment, Finding, Pitfall, Unknown
from workup.pathway.units import ANALYTES, REFERENCE_LIMIT_ANALYTE
from workup.pathway.wording import say
from workup.report import Report, format_number, headline, workup_report

INPUT_ORDER = (*(spec.key for spec in INPUTS), *REFERENCE_LIMIT_KEYS)  # the screen's order
MRI_KEYS = frozenset(spec.key for spec in INPUTS if spec.group == "mri")


def workup_evaluate(*, case: Case, today: dt.date | None = None) -> Assessment:
    """Evaluate a validated case with the pathway engine."""
    return evaluate(case, today=today)


def _case_and_inputs_from_form(
    data: Mapping[str, Any], *, left_out: frozenset[str] = frozenset()
) -> tuple[Case, dict[str, Any]]:
    """The Case and the same inputs in the JSON API's format, without the fields in `left_out`;
    raises CaseInvalid keyed by field name."""
    errors: Errors = {}
    payload: dict[str, Any] = {}
    for spec in INPUTS:
        value = None if spec.key in left_out else _form_value(spec, data)
        if value is not None:
            payload[spec.key] = value
    limits = {}
    for key in REFERENCE_LIMIT_KEYS:
        limit = None if key in left_out else _form_quantity(key, data)
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
            data[key] = _form_number_text(value)
    if any(key in inputs for key in BRAIN_KEYS):
        data["brain_imaging"] = "on"
    return data


def _form_quantity_fields(key: str, quantity: Mapping[str, Any]) -> dict[str, str]:
    return {key: _form_number_text(quantity.get("value", "")), f"{key}_unit": str(quantity.get("unit", ""))}


def _form_number_text(value: Any) -> str:
    """A stored number as a person would type it: plain digits, never an exponent the form refuses."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(str(value))
        return f"{number:f}" if number.is_finite() else str(value)
    return str(value)


def _form_quantity(key: str, data: Mapping[str, Any]) -> dict[str, Any] | None:
    """A lab value and its unit from the form's cleaned data (the number already read by the form)."""
    number = data.get(key)
    return None if number is None else {"value": number, "unit": data.get(f"{key}_unit") or ""}


_FORM_BOOLEANS = {"yes": True, "no": False}


def _form_value(spec: InputSpec, data: Mapping[str, Any]) -> Any:
    """The JSON-API form of one input from the form, or None when it was left empty/unknown."""
    raw = data.get(spec.key)
    if spec.kind == "quantity":
        return _form_quantity(spec.key, data)
    if spec.kind == "boolean":
        return _FORM_BOOLEANS.get(raw or "")
    if spec.kind == "set":
        return list(raw) if raw else None
    if spec.kind in ("integer", "ratio"):
        return raw  # a Decimal read by the form's number field, or None
    if not raw or not str(raw).strip():
        return None
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


@dataclass(frozen=True, slots=True)
class ScreenResult:
    """What the workup screen shows: the assessment, or the messages of the fields to fix."""

    assessment: Assessment | None
    errors: Errors
    canonical: dict[str, str]
    report: Report | None
    inputs: Mapping[str, Any] | None = None  # the evaluated case in the JSON API's format
    # Inputs whose entry cannot be read yet, as (key, label): the assessment above was computed
    # without them, so the panel keeps a result while a value is half typed and says what it lacks.
    left_out: tuple[tuple[str, str], ...] = ()
    # Lab fields whose value was read but is implausible in its unit: the screen says how to change it.
    unit_to_check: frozenset[str] = frozenset()

    @property
    def complete(self) -> bool:
        """Whether there is a result that includes every entry (what saving and copying need)."""
        return self.assessment is not None and not self.errors

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
        """The headline: the disposition, or what a scope guard says instead (SPEC 1.2 §1)."""
        return headline(self.assessment) if self.assessment else ""

    @property
    def source_explained(self) -> str:
        """One line saying what "the source" is, beside the published-criteria lines."""
        return say("criteria_source_explained")

    @property
    def scope_lead(self) -> tuple[str, ...]:
        """The scope guards' first lines (after the urgent ones), unless the headline already says it."""
        a = self.assessment
        if a is None:
            return ()
        lines = a.lead[len(a.urgent):]
        return tuple(line for line in lines if not self.headline.startswith(line.rstrip(".:")))

    @property
    def summary_after_lead(self) -> str:
        """The summary without its lead lines, which the panel shows above the headline."""
        a = self.assessment
        if a is None:
            return ""
        lead = " ".join(a.lead)
        return a.summary[len(lead):].strip() if lead and a.summary.startswith(lead) else a.summary

    @property
    def entered(self) -> list[tuple[str, str]]:
        """Every entered input as a label and its value as typed, in input order (the printed page)."""
        if self.inputs is None:
            return []
        lines = [(spec.label, _entered_text(self.inputs[spec.key])) for spec in INPUTS if spec.key in self.inputs]
        limits = self.inputs.get("reference_limits", {})
        lines += [(REFERENCE_LIMIT_LABELS[key], _entered_text(limits[key])) for key in REFERENCE_LIMIT_KEYS if key in limits]
        return lines

    @property
    def mri_entered(self) -> bool:
        """Whether any MRI finding was entered (else the pathway assumes heterogeneity of unclear cause)."""
        return self.inputs is not None and any(key in MRI_KEYS for key in self.inputs)

    @property
    def unknowns_by_effect(self) -> tuple[tuple[Unknown, ...], tuple[Unknown, ...]]:
        """The unknowns that could change the disposition, then the rest: the engine's flag on each."""
        a = self.assessment
        if a is None:
            return (), ()
        return (tuple(u for u in a.unknowns if u.could_change_result),
                tuple(u for u in a.unknowns if not u.could_change_result))

    @property
    def pitfalls_by_activity(self) -> tuple[tuple[Pitfall, ...], tuple[Pitfall, ...]]:
        """The pitfalls that apply to this case, then those that do not."""
        pitfalls = self.assessment.pitfalls if self.assessment else ()
        return tuple(p for p in pitfalls if p.active), tuple(p for p in pitfalls if not p.active)

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


def _entered_text(value: Any) -> str:
    if isinstance(value, Mapping):
        return f"{format_number(value['value'])} {value['unit']}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(CHOICE_LABELS.get(item, item) for item in value)
    if isinstance(value, str):
        return CHOICE_LABELS.get(value, value)
    return format_number(value)


def _input_key(field_name: str) -> str:
    """The input a form field belongs to (a lab's unit belongs to its value)."""
    return field_name.removesuffix("_unit")


def _input_label(key: str) -> str | None:
    """The label of an input or reference limit; None for a form field that is neither."""
    spec = INPUTS_BY_KEY.get(key)
    return spec.label if spec else REFERENCE_LIMIT_LABELS.get(key)


def workup_from_form(*, data: Mapping[str, Any] | None, form_errors: Errors) -> ScreenResult:
    """Validate the form's cleaned data like the JSON API, then evaluate it; nothing is stored.

    No data (the empty screen) means no assessment yet. A field that cannot be read (half typed,
    implausible, not a number) keeps its message, keyed by its field so the screen shows it there,
    and the case is evaluated without it: the result stays on screen, marked as leaving it out.
    """
    if data is None:
        return ScreenResult(None, {}, empty_canonical_values(), None)
    errors = dict(form_errors)
    left_out = frozenset(_input_key(name) for name in errors)
    unit_to_check: frozenset[str] = frozenset()
    try:
        case, inputs = _case_and_inputs_from_form(data, left_out=left_out)
    except CaseInvalid as invalid:
        errors |= invalid.errors
        left_out |= frozenset(_input_key(name) for name in invalid.errors)
        unit_to_check = frozenset(invalid.errors) & unit_keys()
        try:
            case, inputs = _case_and_inputs_from_form(data, left_out=left_out)
        except CaseInvalid:  # a message not tied to one input: no result rather than a guess
            return ScreenResult(None, errors, empty_canonical_values(), None)
    assessment = workup_evaluate(case=case)
    keys = {_input_key(name) for name in errors}
    left = tuple((key, label) for key in INPUT_ORDER if key in keys and (label := _input_label(key)))
    return ScreenResult(
        assessment, errors, canonical_values(case=case),
        workup_report(case=case, assessment=assessment, locally_approved=settings.PATHWAY_LOCALLY_APPROVED), inputs,
        left_out=left, unit_to_check=unit_to_check,
    )
