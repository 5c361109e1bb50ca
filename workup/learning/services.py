"""Services of learning mode: keyword-only, Django-free; views call exactly one of these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workup.learning.pathway_map import (
    OutlineSection,
    assessment_rule_ids,
    pathway_map_outline,
    pathway_map_svg,
)
from workup.pathway.result import Assessment
from workup.services import case_from_json, workup_evaluate


@dataclass(frozen=True, slots=True)
class CaseMap:
    """The map for one case (or for none): the SVG, its text alternative and the assessment."""

    svg: str
    outline: tuple[OutlineSection, ...]
    assessment: Assessment | None = None


def case_map_build(*, data: Any = None) -> CaseMap:
    """Evaluate a case in the API's JSON format and light its path; None gives the plain map.

    Raises services.CaseInvalid when the JSON is not a valid case.
    """
    if data is None:
        return CaseMap(pathway_map_svg(), pathway_map_outline())
    assessment = workup_evaluate(case=case_from_json(data=data))
    lit = assessment_rule_ids(assessment)
    return CaseMap(
        pathway_map_svg(fired=lit, disposition=assessment.disposition),
        pathway_map_outline(fired=lit, disposition=assessment.disposition),
        assessment,
    )
