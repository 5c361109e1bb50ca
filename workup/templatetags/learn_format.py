"""Display filters for learning mode; the arithmetic itself lives in workup/learning/diagnostics.py."""

from django import template

from workup.learning import diagnostics

register = template.Library()


@register.filter
def as_percent(value):
    """A probability (Fraction) as a percentage; "undefined" when there is none."""
    return diagnostics.percent(value)


@register.filter
def as_interval(bounds):
    """A (low, high) 95% interval as "91.2–100.0%"."""
    low, high = bounds
    return f"{low * 100:.1f}–{high * 100:.1f}%"
