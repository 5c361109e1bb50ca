"""Worked teaching cases (vignettes.json): predict, then compare with the engine, and keep score.

A prediction is a disposition and the set of key rules: the biopsy triggers and deferral
considerations that fire plus the pitfalls that are active. Each earns one point when exactly
right. The score is a plain dict (vignette id → [disposition right, key rules right]) so the view
can keep it in a signed cookie without touching the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from workup.pathway.result import Assessment
from workup.pathway.rules import DISPOSITION_ORDER, RULES

VIGNETTES_PATH = Path(__file__).with_name("vignettes.json")
KEY_RULE_KINDS = ("trigger", "deferral", "pitfall")
KEY_RULE_CHOICES: tuple[tuple[str, str], ...] = tuple(
    (rule.id, rule.title) for rule in RULES if rule.kind in KEY_RULE_KINDS
)
# How a key rule is named where it is chosen and where the answer names it: the same words in both.
KEY_RULE_LABELS: dict[str, str] = {rule_id: f"{rule_id}: {title}" for rule_id, title in KEY_RULE_CHOICES}


@dataclass(frozen=True, slots=True)
class Vignette:
    id: str
    title: str
    narrative: tuple[str, ...]
    input: dict
    disposition: str
    key_rules: frozenset[str]
    teaching_points: tuple[str, ...]
    criteria: dict  # published criterion id → the status the case expects (SPEC §10)


@dataclass(frozen=True, slots=True)
class Feedback:
    """How a prediction compares with the engine's answer."""

    disposition_right: bool
    rules_right: bool
    missed: tuple[str, ...]
    extra: tuple[str, ...]

    @property
    def points(self) -> int:
        return int(self.disposition_right) + int(self.rules_right)


@cache
def vignettes() -> tuple[Vignette, ...]:
    data = json.loads(VIGNETTES_PATH.read_text(encoding="utf-8"))["vignettes"]
    return tuple(
        Vignette(
            id=v["id"],
            title=v["title"],
            narrative=tuple(v["narrative"]),
            input=v["input"],
            disposition=v["expected"]["disposition"],
            key_rules=frozenset(v["expected"]["key_rules"]),
            teaching_points=tuple(v["teaching_points"]),
            criteria=v["expected"].get("criteria", {}),
        )
        for v in data
    )


def vignette(vignette_id: str) -> Vignette | None:
    return next((v for v in vignettes() if v.id == vignette_id), None)


def next_vignette(vignette_id: str) -> Vignette | None:
    ids = [v.id for v in vignettes()]
    position = ids.index(vignette_id) + 1
    return vignettes()[position] if position < len(ids) else None


def key_rules(assessment: Assessment) -> frozenset[str]:
    """The key rules of an assessment: fired triggers and deferrals, and active pitfalls."""
    kinds = {rule.id: rule.kind for rule in RULES}
    fired = {rule_id for rule_id in assessment.fired_ids if kinds[rule_id] in KEY_RULE_KINDS}
    return frozenset(fired | assessment.active_pitfall_ids)


def prediction_feedback(*, assessment: Assessment, disposition: str, rules: frozenset[str]) -> Feedback:
    """Compare a prediction with what the engine decided (never with the JSON's own answer)."""
    answer = key_rules(assessment)
    order = [rule_id for rule_id, _ in KEY_RULE_CHOICES]
    return Feedback(
        disposition_right=disposition == assessment.disposition,
        rules_right=rules == answer,
        missed=tuple(sorted(answer - rules, key=order.index)),
        extra=tuple(sorted(rules - answer, key=order.index)),
    )


# --- The running score ------------------------------------------------------------------------


def score_clean(raw: object) -> dict[str, list[bool]]:
    """Keep only well-formed entries for known vignettes (the cookie is signed, but may be old)."""
    known = {v.id for v in vignettes()}
    if not isinstance(raw, dict):
        return {}
    return {
        key: [bool(value[0]), bool(value[1])]
        for key, value in raw.items()
        if key in known and isinstance(value, list) and len(value) == 2
    }


def score_record(score: dict[str, list[bool]], vignette_id: str, feedback: Feedback) -> dict[str, list[bool]]:
    """The score after this attempt; the latest attempt at a vignette replaces the earlier one."""
    return {**score, vignette_id: [feedback.disposition_right, feedback.rules_right]}


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    attempted: int
    points: int
    possible: int
    total_vignettes: int


def score_summary(score: dict[str, list[bool]]) -> ScoreSummary:
    points = sum(int(a) + int(b) for a, b in score.values())
    return ScoreSummary(len(score), points, 2 * len(score), len(vignettes()))


DISPOSITION_CHOICES: tuple[str, ...] = DISPOSITION_ORDER
