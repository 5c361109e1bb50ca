"""Display helpers for the workup screen: formatting only, never a comparison."""

from __future__ import annotations

from django import template

from workup.pathway.engine import basis_line as _basis_line
from workup.pathway.inputs import CHOICE_LABELS, INPUTS_BY_KEY
from workup.pathway.result import MatchedInput
from workup.pathway.wording import say
from workup.report import format_number

register = template.Library()


@register.filter
def num(value: object) -> str:
    """A number without exponent or excess digits; other values unchanged."""
    return format_number(value)


@register.filter
def choice_label(value: object) -> str:
    """The engine's label for an enum value ("not_detected" → "Not detected")."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list | tuple):
        return ", ".join(CHOICE_LABELS.get(str(v), str(v)) for v in value)
    return CHOICE_LABELS.get(str(value), str(value))


@register.filter
def basis_line(match: object) -> str:
    """A matched input as "Why?" shows it (engine.basis_line: one rendering everywhere); a stored
    result's matched input (a dict) is read the same way."""
    if isinstance(match, dict):
        match = MatchedInput(**match)
    return _basis_line(match)


@register.filter
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key, "")


@register.filter
def criterion_status(status: str) -> str:
    """A published criterion's status in the pathway's own words ("not_evaluable" → "cannot be judged…")."""
    return say(f"criteria_status_{status}")


@register.filter
def input_labels(keys: tuple[str, ...]) -> str:
    """Input keys as their form labels, for the inputs a criterion is missing."""
    return ", ".join(INPUTS_BY_KEY[key].label if key in INPUTS_BY_KEY else key for key in keys)
