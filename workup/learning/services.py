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
from workup.learning.vignettes import Feedback, Vignette, prediction_feedback, score_record
from workup.pathway.parsing import case_from_json
from workup.pathway.result import Assessment
from workup.services import workup_evaluate


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
    return case_map_for(assessment=workup_evaluate(case=case_from_json(data=data)))


def case_map_for(*, assessment: Assessment) -> CaseMap:
    """The map lit for an assessment the caller already has (the workup screen's live map)."""
    lit = assessment_rule_ids(assessment)
    return CaseMap(
        pathway_map_svg(fired=lit, disposition=assessment.disposition),
        pathway_map_outline(fired=lit, disposition=assessment.disposition),
        assessment,
    )


@dataclass(frozen=True, slots=True)
class Attempt:
    """A revealed worked case: the engine's answer, the feedback, the lit map and the new score."""

    vignette: Vignette
    assessment: Assessment
    feedback: Feedback
    case_map: CaseMap
    score: dict[str, list[bool]]


def vignette_attempt(
    *, vignette: Vignette, disposition: str, rules: frozenset[str], score: dict[str, list[bool]]
) -> Attempt:
    """Evaluate the vignette with the engine, compare the prediction and update the score."""
    # Teaching cases happen today: a follow-up due date is never already in the past.
    case_map = case_map_build(data={k: v for k, v in vignette.input.items() if k != "evaluation_date"})
    assert case_map.assessment is not None
    feedback = prediction_feedback(assessment=case_map.assessment, disposition=disposition, rules=rules)
    return Attempt(
        vignette, case_map.assessment, feedback, case_map, score_record(score, vignette.id, feedback)
    )
