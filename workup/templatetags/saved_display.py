"""Display filters for saved cases, the queue and learning mode: plain words for internal codes."""

from django import template

from workup.report import headline_of_result, lead_of
from workup.saved.display import disposition_label as _disposition_label

register = template.Library()


@register.filter
def disposition_label(code: str) -> str:
    """ "PROCEED_TO_BIOPSY" → "Proceed to bone marrow biopsy"."""
    return _disposition_label(str(code))


@register.filter
def result_headline(result: dict) -> str:
    """A stored result's headline: the disposition, or what a scope guard says instead (SPEC 1.2 §1)."""
    return headline_of_result(result)


@register.filter
def result_lead(result: dict) -> list[str]:
    """A stored result's lead lines: urgent findings, then the scope guards' first lines, less any the
    headline already says ("Outside this pathway …")."""
    headline = result_headline(result)
    return [line for line in lead_of(result) if not headline.startswith(line.rstrip(".:"))]


@register.filter
def result_summary(result: dict) -> str:
    """A stored result's summary without its lead lines, which the page shows above the headline."""
    summary, lead = result.get("summary", ""), " ".join(lead_of(result))
    return summary[len(lead):].strip() if lead and summary.startswith(lead) else summary
