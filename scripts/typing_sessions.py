"""The golden cases as a clinician enters them: field by field, step by step, in the screen's order.

Shared by the keystroke-to-panel benchmark (a real browser types them) and the capacity benchmark
(virtual clinicians replay the same keystrokes as HTTP requests).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent.parent / "workup" / "pathway" / "golden.json"
STEP_ORDER = ("mri", "labs", "context")


@dataclass(frozen=True)
class Field:
    """One field as entered: its step, form key, widget kind, value (a list for a set) and unit."""

    step: str
    key: str
    kind: str
    value: str | list[str]
    unit: str | None = None


def golden_cases() -> list[dict]:
    return json.loads(GOLDEN.read_text())["cases"]


def representative(cases: list[dict], count: int) -> list[dict]:
    """`count` cases spread over the golden set, the first of each disposition always among them."""
    firsts = {}
    for case in cases:
        firsts.setdefault(case["expected"]["disposition"], case)
    chosen = list(firsts.values())
    stride = max(1, len(cases) // max(1, count - len(chosen)))
    chosen += [case for case in cases[::stride] if case not in chosen]
    return chosen[:max(count, len(firsts))]


def fields_of(case: dict) -> list[Field]:
    """The fields of a case in the order the screen asks for them."""
    from workup.forms import BRAIN_KEYS
    from workup.pathway.inputs import INPUTS_BY_KEY, REFERENCE_LIMIT_KEYS
    from workup.services import form_data_from_case

    data = form_data_from_case(inputs=case["input"])
    fields = []
    for key, value in data.items():
        if key.endswith("_unit") and key[:-5] in data or key == "brain_imaging":
            continue
        if key in BRAIN_KEYS and not any(f.key == "brain_imaging" for f in fields):
            # The brain reference fields appear once "brain imaging available" is ticked.
            fields.append(Field(step="mri", key="brain_imaging", kind="checkbox", value=data["brain_imaging"]))
        step = "labs" if key in REFERENCE_LIMIT_KEYS else INPUTS_BY_KEY[key].group
        kind = "quantity" if f"{key}_unit" in data else INPUTS_BY_KEY[key].kind if key in INPUTS_BY_KEY else "quantity"
        fields.append(Field(step=step, key=key, kind=kind, value=value, unit=data.get(f"{key}_unit")))
    return sorted(fields, key=lambda f: STEP_ORDER.index(f.step))


def form_pairs(fields: list[Field]) -> list[tuple[str, str]]:
    """The form post for the fields entered so far (what the page sends with each update)."""
    pairs = []
    for field in fields:
        if field.unit is not None:
            pairs.append((f"{field.key}_unit", field.unit))
        values = field.value if isinstance(field.value, list) else [field.value]
        pairs += [(field.key, item) for item in values]
    return pairs


def typed(field: Field) -> bool:
    """Typed key by key (numbers and text) rather than chosen with one click or a date picker."""
    return field.kind in ("quantity", "integer", "ratio")
