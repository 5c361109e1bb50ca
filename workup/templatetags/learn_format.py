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


@register.filter
def key_rule_labels(rule_ids) -> list[str]:
    """Key rule ids as the prediction form names them ("BX-ANEMIA: Hemoglobin below 12 g/dL"), in table order."""
    from workup.learning.vignettes import KEY_RULE_LABELS

    return [label for rule_id, label in KEY_RULE_LABELS.items() if rule_id in set(rule_ids)]
