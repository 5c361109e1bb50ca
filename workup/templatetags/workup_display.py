"""Display helpers for the workup screen: formatting only, never a comparison."""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from workup.pathway.inputs import CHOICE_LABELS
from workup.report import format_number

register = template.Library()

PANEL_TEMPLATE = "workup/workup.html"
PANEL_PART_CACHE_SIZE = 4096  # entries of a few hundred bytes each: a bounded ~2 MB per worker


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


@register.filter
def panel_part(item: Hashable, name: str) -> SafeString:
    """The panel's partial `name` drawn for one result item (a finding, a pitfall, a lab line…).

    The items are the engine's frozen result values, and a part's partial uses nothing but its
    `item` (no request, user, CSRF token or language), so equal items always draw the same HTML and
    the drawing is kept: from one keystroke to the next most of the panel is unchanged, and the
    fragment answers every keystroke. Numbers are drawn through `num`, which writes equal values
    alike, so items that compare equal cannot draw differently.
    """
    return _rendered_part(name, item)


@register.filter
def panel_parts(items: Iterable[Hashable], name: str) -> SafeString:
    """Every item of a result list drawn with the partial `name`, as `panel_part` draws one."""
    return mark_safe("".join([_rendered_part(name, item) for item in items]))  # noqa: S308 - parts are escaped


@functools.lru_cache(maxsize=PANEL_PART_CACHE_SIZE)
def _rendered_part(name: str, item: Hashable) -> SafeString:
    return mark_safe(get_template(f"{PANEL_TEMPLATE}#{name}").render({"item": item}))  # noqa: S308 - autoescaped
