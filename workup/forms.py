"""The workup form: fields built from the engine's input table. Validation and units only.

No clinical decision is made here. Numbers arrive as text and are read by one strict parser
(`number_from_text`): digits with at most one decimal mark, a point or a comma, and nothing else.
A character is never dropped or reinterpreted: anything else is refused in the field with a message,
so the number shown is always the number evaluated. The page, its panel fragment and "Sign in to
save" all validate through this form.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from workup.pathway import validation
from workup.pathway.inputs import CHOICE_LABELS, INPUTS, REFERENCE_LIMIT_KEYS, InputSpec
from workup.pathway.units import ANALYTES, REFERENCE_LIMIT_ANALYTE

UNIT_SYSTEMS = (("conventional", "Conventional (g/dL, mg/dL)"), ("si", "SI (g/L, mmol/L, µmol/L)"))
DEFAULT_UNIT_SYSTEM = "conventional"

# The SI default unit of each analyte; every other analyte's default is its canonical unit.
SI_UNITS = {
    "hemoglobin": "g/L",
    "calcium": "mmol/L",
    "albumin": "g/L",
    "mprotein_concentration": "g/L",
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
    "hemoglobin_uln": "Hemoglobin upper limit",
    "calcium_uln": "Calcium upper limit",
    "creatinine_uln": "Creatinine upper limit",
    "albumin_lln": "Albumin lower limit",
    "b2m_uln": "β2-microglobulin upper limit",
    "igg_lln": "IgG lower limit",
    "iga_lln": "IgA lower limit",
    "igm_lln": "IgM lower limit",
    "wbc_lln": "White cells lower limit",
    "wbc_uln": "White cells upper limit",
    "platelets_lln": "Platelets lower limit",
    "platelets_uln": "Platelets upper limit",
    "anc_lln": "Neutrophils (ANC) lower limit",
    "urgent_anc": "Neutrophils critical value (urgent below)",
    "urgent_platelets": "Platelets critical value (urgent below)",
}


# SPEP, IFE and urine M-protein as radio groups: in a menu their "Not entered", "Not detected" and
# "Not done" all start with N, and a slip of one key turned a complete case incomplete.
RADIO_CHOICE_KEYS = frozenset({"spep", "ife", "urine_mprotein"})
# Brain references matter only with brain imaging; on a lumbar case they stay out of the way.
BRAIN_KEYS = ("t1_vs_white_matter", "t1_vs_gray_matter", "brain_reference_site")
# The two context answers most often confused, told apart where they are chosen.
HELP_TEXTS = {
    "history_of_cancer": (
        "Any cancer, past or present. Choose Yes for a known cancer even when it is not known to "
        "be the cause of this marrow change."
    ),
    "known_etiology": (
        "Yes only when the cause of this marrow change is already established (then the pathway "
        "does not apply). A known cancer without a known marrow cause is “History of cancer”, not this."
    ),
}


def default_unit(analyte_key: str, unit_system: str) -> str:
    """The unit a lab field starts in for the chosen unit system."""
    if unit_system == "si" and analyte_key in SI_UNITS:
        return SI_UNITS[analyte_key]
    return ANALYTES[analyte_key].canonical_unit


def _choices(spec: InputSpec) -> list[tuple[str, str]]:
    return [(value, CHOICE_LABELS[value]) for value in spec.choice_values]


# Digits with at most one decimal mark (point or comma) and an optional sign: what a lab report
# shows. No spaces, thousands separators, exponents or letters: each of those has been read as a
# different number somewhere ("1,2" as 12, "1o.9" as 1.9), so each is refused instead.
NUMBER_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)")
# The longest number a person types for any input here ("0.000123", "12345.678"); a longer entry is
# refused before it is read, so an absurd one never reaches unit arithmetic or the page at length.
MAX_NUMBER_CHARACTERS = 16
SHOWN_CHARACTERS = 12


def shown_entry(text: str) -> str:
    """The entry as a message quotes it: in full when short, else its start and its length."""
    if len(text) <= SHOWN_CHARACTERS:
        return f"“{text}”"
    return f"“{text[:SHOWN_CHARACTERS]}…” ({len(text)} characters)"


def number_from_text(text: str) -> Decimal:
    """The number a person typed, read exactly; ValidationError (with what to type) otherwise.

    A comma is read as the decimal mark, like a point. Surrounding spaces are ignored.
    """
    entry = text.strip()
    if len(entry) > MAX_NUMBER_CHARACTERS:
        raise ValidationError(
            f"{shown_entry(entry)} is too long for a value here; type at most {MAX_NUMBER_CHARACTERS} characters.",
            code="too_long",
        )
    if not NUMBER_TEXT.fullmatch(entry):
        raise ValidationError(
            f"{shown_entry(entry)} is not a number as written. Type digits with at most one decimal mark "
            "(10.9 or 10,9): no spaces, thousands separators, letters or exponents.",
            code="not_a_number",
        )
    number = Decimal(entry.replace(",", "."))
    if not validation.is_computable(number):
        raise ValidationError(f"{shown_entry(entry)} is out of range for any value here.", code="out_of_range")
    return number


class NumberTextField(forms.CharField):
    """A number typed as text (so the browser never rewrites it), cleaned to a Decimal or None."""

    def __init__(self, *, whole: bool = False, **kwargs):
        attrs = {"inputmode": "numeric" if whole else "decimal", "autocomplete": "off",
                 "spellcheck": "false", "class": "form-control number-input"}
        super().__init__(widget=forms.TextInput(attrs=attrs), **kwargs)

    def to_python(self, value: Any) -> Decimal | None:
        text = super().to_python(value)
        return number_from_text(text) if text else None


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
    common = {"label": spec.label, "required": False, "help_text": HELP_TEXTS.get(spec.key, spec.help)}
    if spec.key in RADIO_CHOICE_KEYS:
        return forms.ChoiceField(
            choices=[("", "Not entered"), *_choices(spec)], widget=forms.RadioSelect, **common
        )
    if spec.kind == "choice":
        return forms.ChoiceField(choices=[("", "Not entered"), *_choices(spec)], **common)
    if spec.kind == "boolean":
        return forms.ChoiceField(
            choices=BOOLEAN_CHOICES, initial="unknown",
            widget=forms.RadioSelect, **common,
        )
    if spec.kind == "set":
        return forms.MultipleChoiceField(
            choices=_choices(spec), widget=forms.CheckboxSelectMultiple, **common
        )
    if spec.kind == "date":
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    return NumberTextField(whole=spec.kind == "integer", **common)


@dataclass(frozen=True)
class FieldGroup:
    """What the template lays out as one row: an input, and for a lab its unit select."""

    key: str
    field: forms.BoundField
    unit: forms.BoundField | None = None
    brain: bool = False  # shown only when "Brain imaging available" is ticked


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
    brain_imaging = forms.BooleanField(
        label="Brain imaging available", required=False,
        help_text="Shows the comparisons of cranial marrow with brain; leave it off for a lumbar study alone.",
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
            self.fields[key] = NumberTextField(label=REFERENCE_LIMIT_LABELS[key], required=False)
            unit = _unit_field(analyte, REFERENCE_LIMIT_LABELS[key])
            unit.initial = default_unit(analyte, unit_system)
            self.fields[f"{key}_unit"] = unit
        for name, field in self.fields.items():
            key = name.removesuffix("_unit")
            described_by = f"feedback-{key} canonical-{key}" if f"{key}_unit" in self.fields else f"feedback-{key}"
            field.widget.attrs.setdefault("aria-describedby", described_by)

    def clean(self) -> dict[str, Any]:
        """Brain references count only while "Brain imaging available" is ticked: hidden fields
        are never evaluated, so what is shown is what is evaluated."""
        cleaned = super().clean()
        if not cleaned.get("brain_imaging"):
            for key in BRAIN_KEYS:
                if key in cleaned:
                    cleaned[key] = ""
        return cleaned

    def _group(self, key: str) -> FieldGroup:
        unit = self[f"{key}_unit"] if f"{key}_unit" in self.fields else None
        return FieldGroup(key=key, field=self[key], unit=unit, brain=key in BRAIN_KEYS)

    def _step_groups(self, step: str) -> list[FieldGroup]:
        groups = [self._group(spec.key) for spec in INPUTS if spec.group == step]
        if step == "mri":
            first_brain = next(i for i, group in enumerate(groups) if group.brain)
            groups.insert(first_brain, FieldGroup(key="brain_imaging", field=self["brain_imaging"]))
        return groups

    def steps(self) -> list[Step]:
        """The three steps in clinical reasoning order, each with its field groups and neighbours."""
        return [
            Step(
                key=key, title=title, number=number,
                groups=self._step_groups(key),
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


@functools.cache
def feedback_keys() -> frozenset[str]:
    """Every field with a message box beside it: one per input; a unit shares its value's box."""
    return frozenset(name for name in WorkupForm().fields if not name.endswith("_unit"))


@functools.cache
def unit_keys() -> frozenset[str]:
    """Every field typed as a number with a unit menu beside it (a lab value or a reference limit)."""
    return frozenset(name.removesuffix("_unit") for name in WorkupForm().fields if name.endswith("_unit"))
