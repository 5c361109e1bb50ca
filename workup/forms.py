"""The workup form: fields built from the engine's input table. Validation and units only.

No clinical decision is made here. Numbers arrive as text and are checked by the same parser as
the JSON API (services.case_from_form), so the screen and the API refuse a value with the same words.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from workup.pathway.inputs import CHOICE_LABELS, INPUTS, REFERENCE_LIMIT_KEYS, InputSpec
from workup.pathway.units import ANALYTES, REFERENCE_LIMIT_ANALYTE

UNIT_SYSTEMS = (("conventional", "Conventional (g/dL, mg/dL)"), ("si", "SI (g/L, mmol/L, µmol/L)"))
DEFAULT_UNIT_SYSTEM = "conventional"

# The SI default unit of each analyte; every other analyte's default is its canonical unit.
SI_UNITS = {
    "hemoglobin": "g/L",
    "calcium": "mmol/L",
    "albumin": "g/L",
    "creatinine": "µmol/L",
    "igg": "g/L",
    "iga": "g/L",
    "igm": "g/L",
}

# Booleans keep "unknown" as a first-class answer: the engine treats None as unknown.
BOOLEAN_CHOICES = (("unknown", "Unknown"), ("yes", "Yes"), ("no", "No"))

STEPS = (
    ("mri", "MRI findings"),
    ("labs", "Labs"),
    ("context", "Clinical context"),
)

REFERENCE_LIMIT_LABELS = {
    "hemoglobin_lln": "Hemoglobin lower limit",
    "calcium_uln": "Calcium upper limit",
    "creatinine_uln": "Creatinine upper limit",
    "albumin_lln": "Albumin lower limit",
    "b2m_uln": "β2-microglobulin upper limit",
    "igg_lln": "IgG lower limit",
    "iga_lln": "IgA lower limit",
    "igm_lln": "IgM lower limit",
}


def default_unit(analyte_key: str, unit_system: str) -> str:
    """The unit a lab field starts in for the chosen unit system."""
    if unit_system == "si" and analyte_key in SI_UNITS:
        return SI_UNITS[analyte_key]
    return ANALYTES[analyte_key].canonical_unit


def _choices(spec: InputSpec) -> list[tuple[str, str]]:
    return [(value, CHOICE_LABELS[value]) for value in spec.choice_values]


def _number_widget(step: str = "any") -> forms.NumberInput:
    return forms.NumberInput(
        attrs={"step": step, "inputmode": "decimal", "autocomplete": "off", "class": "form-control"}
    )


def _unit_field(analyte_key: str, label: str) -> forms.ChoiceField:
    """A unit select that also tells the page its default in each unit system."""
    symbols = ANALYTES[analyte_key].unit_symbols
    defaults = {f"data-unit-{system}": default_unit(analyte_key, system) for system, _ in UNIT_SYSTEMS}
    return forms.ChoiceField(
        label=f"{label} unit", required=False, choices=[(s, s) for s in symbols],
        widget=forms.Select(attrs={"class": "form-select unit-select", **defaults}),
    )


def _field(spec: InputSpec) -> forms.Field:
    """One form field per input kind; every field is optional because unknown is normal."""
    common = {"label": spec.label, "required": False, "help_text": spec.help}
    if spec.kind == "choice":
        return forms.ChoiceField(choices=[("", "Not entered"), *_choices(spec)], **common)
    if spec.kind == "boolean":
        return forms.ChoiceField(
            choices=BOOLEAN_CHOICES, initial="unknown",
            widget=forms.RadioSelect(attrs={"class": "yes-no-unknown"}), **common,
        )
    if spec.kind == "set":
        return forms.MultipleChoiceField(
            choices=_choices(spec), widget=forms.CheckboxSelectMultiple, **common
        )
    if spec.kind == "date":
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    step = "1" if spec.kind == "integer" else "any"
    return forms.CharField(widget=_number_widget(step), **common)


@dataclass(frozen=True)
class FieldGroup:
    """What the template lays out as one row: an input, and for a lab its unit select."""

    key: str
    field: forms.BoundField
    unit: forms.BoundField | None = None


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    number: int
    groups: list[FieldGroup]
    previous: tuple[str, str] | None
    next: tuple[str, str] | None


class WorkupForm(forms.Form):
    """Every pathway input, keyed as in the spec; lab values are a number plus a `<key>_unit`."""

    unit_system = forms.ChoiceField(
        label="Default units", choices=UNIT_SYSTEMS, required=False,
        widget=forms.RadioSelect, help_text="Sets the unit each empty lab field starts in; remembered.",
    )
    show_map = forms.BooleanField(
        label="Show the pathway map", required=False,
        help_text="Draws the pathway with this case's path lit, below the recommendation.",
    )

    def __init__(self, *args, unit_system: str = DEFAULT_UNIT_SYSTEM, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_system = unit_system
        self.fields["unit_system"].initial = unit_system
        for spec in INPUTS:
            self.fields[spec.key] = _field(spec)
            if spec.kind == "quantity":
                unit = _unit_field(spec.key, spec.label)
                unit.initial = default_unit(spec.key, unit_system)
                self.fields[f"{spec.key}_unit"] = unit
        for key in REFERENCE_LIMIT_KEYS:
            analyte = REFERENCE_LIMIT_ANALYTE[key]
            self.fields[key] = forms.CharField(
                label=REFERENCE_LIMIT_LABELS[key], required=False, widget=_number_widget()
            )
            unit = _unit_field(analyte, REFERENCE_LIMIT_LABELS[key])
            unit.initial = default_unit(analyte, unit_system)
            self.fields[f"{key}_unit"] = unit
        for name, field in self.fields.items():
            key = name.removesuffix("_unit")
            described_by = f"feedback-{key} canonical-{key}" if f"{key}_unit" in self.fields else f"feedback-{key}"
            field.widget.attrs.setdefault("aria-describedby", described_by)

    def _group(self, key: str) -> FieldGroup:
        unit = self[f"{key}_unit"] if f"{key}_unit" in self.fields else None
        return FieldGroup(key=key, field=self[key], unit=unit)

    def steps(self) -> list[Step]:
        """The three steps in clinical reasoning order, each with its field groups and neighbours."""
        return [
            Step(
                key=key, title=title, number=number,
                groups=[self._group(spec.key) for spec in INPUTS if spec.group == key],
                previous=STEPS[number - 2] if number > 1 else None,
                next=STEPS[number] if number < len(STEPS) else None,
            )
            for number, (key, title) in enumerate(STEPS, 1)
        ]

    def reference_limits(self) -> list[FieldGroup]:
        return [self._group(key) for key in REFERENCE_LIMIT_KEYS]


def with_default_units(data, unit_system: str):
    """A copy of posted data in which every empty lab value takes the unit system's default unit.

    Changing the unit preference therefore changes the units of fields not yet filled in, with or
    without JavaScript; a unit beside a value the person typed is never changed.
    """
    data = data.copy()
    analytes = {spec.key: spec.key for spec in INPUTS if spec.kind == "quantity"}
    analytes.update(REFERENCE_LIMIT_ANALYTE)
    for key, analyte in analytes.items():
        if not data.get(key, "").strip():
            data[f"{key}_unit"] = default_unit(analyte, unit_system)
    return data


def _posted_units(data, remembered_units: str) -> tuple[Any, str]:
    """The data to validate and its unit system; choosing another system moves empty lab fields to it."""
    chosen = data.get("unit_system") if data is not None else None
    if chosen in dict(UNIT_SYSTEMS) and chosen != remembered_units:
        return with_default_units(data, chosen), chosen
    return data, remembered_units


def workup_form(data, *, remembered_units: str) -> WorkupForm:
    """The form for a request (the full page draws it, bound to what was posted)."""
    data, unit_system = _posted_units(data, remembered_units)
    return WorkupForm(data, unit_system=unit_system)


@dataclass(frozen=True, slots=True)
class CheckedFields:
    """What a bound WorkupForm would hold after validation: cleaned values, messages, unit system."""

    cleaned_data: dict[str, Any]
    errors: dict[str, list[str]]
    unit_system: str


@functools.cache
def _prototype_fields(unit_system: str) -> Mapping[str, forms.Field]:
    """One unbound form's fields per unit system, built once per process and only ever read."""
    return WorkupForm(unit_system=unit_system).fields


@functools.cache
def feedback_keys() -> frozenset[str]:
    """Every field with a message box beside it: one per input; a unit shares its value's box."""
    return frozenset(name for name in _prototype_fields(DEFAULT_UNIT_SYSTEM) if not name.endswith("_unit"))


def workup_fields_check(data: Mapping[str, Any], *, remembered_units: str) -> CheckedFields:
    """Validate posted data with the form's own fields, as Form.full_clean does, without a form.

    The panel fragment answers every keystroke and never draws the form, so it skips copying 40
    fields per request (Django deep-copies a form's fields on every instantiation, ~1.2 ms here).
    Each value goes through the same field's `widget.value_from_datadict` and `clean`; a test holds
    the result equal to a bound WorkupForm's `cleaned_data` and `errors`.
    """
    data, unit_system = _posted_units(data, remembered_units)
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, field in _prototype_fields(unit_system).items():
        try:
            cleaned[name] = field.clean(field.widget.value_from_datadict(data, {}, name))
        except ValidationError as error:
            errors[name] = error.messages
    return CheckedFields(cleaned, errors, unit_system)
