"""Display helpers for the workup screen: formatting only, never a comparison."""

from __future__ import annotations

from django import template

from workup.pathway.inputs import CHOICE_LABELS
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
def get_item(mapping: dict, key: str) -> object:
    return mapping.get(key, "")
