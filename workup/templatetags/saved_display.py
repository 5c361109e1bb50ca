"""Display filters for saved cases, the queue and learning mode: plain words for internal codes."""

from django import template

from workup.saved.display import disposition_label as _disposition_label

register = template.Library()


@register.filter
def disposition_label(code: str) -> str:
    """ "PROCEED_TO_BIOPSY" → "Proceed to bone marrow biopsy"."""
    return _disposition_label(str(code))
