"""The Assessment and its parts (SPEC §6), serialisable to plain JSON types.

The Assessment and the pathway identity are frozen. The parts it holds by the dozen (matched
inputs, lab lines, unknowns, findings, options) are plain slots dataclasses, because a frozen
dataclass sets every field through object.__setattr__ and the engine builds many per case. Nothing
changes a part after evaluate() returns it, so they hash by value (unsafe_hash) as before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import orjson

from .wording import CriterionStatus


@dataclass(slots=True, unsafe_hash=True)
class MatchedInput:
    """Exactly what a rule matched: the entry, its canonical value and the limit it crossed."""

    key: str
    label: str
    entered_value: object
    entered_unit: str
    canonical_value: object
    canonical_unit: str
    note: str = ""
    comparison: str | None = None
    threshold: str | None = None
    threshold_value: Decimal | None = None
    threshold_unit: str | None = None
    threshold_origin: str | None = None
    # In a published criterion's basis: whether this comparison held (the alternative that was met).
    held: bool | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    id: str
    text: str
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class EvidenceNote:
    id: str
    text: str
    citations: tuple[Citation, ...] = ()


@dataclass(slots=True, unsafe_hash=True)
class Finding:
    """A rule that fired: trigger, deferral consideration, imaging option or follow-up."""

    id: str
    kind: str
    title: str
    statement: str
    matched: tuple[MatchedInput, ...]
    citations: tuple[Citation, ...]
    evidence_note: EvidenceNote | None
    labels: tuple[str, ...] = ()
    due_date: dt.date | None = None


@dataclass(slots=True, unsafe_hash=True)
class Pitfall:
    id: str
    title: str
    statement: str
    active: bool
    reason: str
    matched: tuple[MatchedInput, ...] = ()


@dataclass(slots=True, unsafe_hash=True)
class MriItem:
    id: str
    title: str
    figures: str
    applicability: str
    reliability: str  # "standard" | "low" | "not_applicable"
    citations: tuple[Citation, ...]
    evidence_note: EvidenceNote | None
    matched: tuple[MatchedInput, ...]


@dataclass(slots=True, unsafe_hash=True)
class Conflict:
    """A biopsy trigger and a deferral consideration that pull in opposite directions."""

    biopsy_rule: str
    deferral_rule: str
    policy: str
    anemia_caution: bool
    kind: str = "trigger"  # "trigger" | "clinical_suspicion" (biopsy_rule is then the input key)


@dataclass(slots=True, unsafe_hash=True)
class Option:
    rank: int
    action: str
    text: str
    rule_ids: tuple[str, ...] = ()


@dataclass(slots=True, unsafe_hash=True)
class LabLine:
    """One line of the core-lab checklist."""

    key: str
    label: str
    core: bool
    status: str  # "normal" | "abnormal" | "missing" | "not_done" | "informational"
    entered_value: object = None
    entered_unit: str = ""
    canonical_value: object = None
    canonical_unit: str = ""
    reference: str = ""
    reference_origin: str = ""
    note: str = ""
    # For an abnormal number, which limit it is beyond: "low" or "high" (empty otherwise).
    direction: str = ""
    # The limit it is beyond, as the report words it ("13.0 g/dL").
    limit: str = ""


@dataclass(slots=True, unsafe_hash=True)
class Criterion:
    """A published criterion evaluated on the case (SPEC §10); it never changes the disposition.

    `basis` lists every comparison it made, held or not; `missing` names the inputs (alternatives)
    not measured, whatever the status; `reason` says why it could not be judged.
    """

    id: str
    title: str
    status: CriterionStatus
    value: str | None
    statement: str
    basis: tuple[MatchedInput, ...]
    missing: tuple[str, ...]
    reason: str
    citations: tuple[Citation, ...]
    evidence_note: EvidenceNote | None
    related_rules: tuple[str, ...]
    # The stratum in words with its risk (MGUS: "at least low-intermediate: 20-year risk ≥ 10 % …").
    reading: str = ""


@dataclass(slots=True, unsafe_hash=True)
class Unknown:
    """A missing input. `could_change` names the rules (or "disposition") left open without it;
    `could_change_result` is the engine's one answer to "could it change the disposition?" (SPEC 1.2
    §6): every presenter reads it and none works it out again."""

    key: str
    label: str
    could_change: tuple[str, ...]
    note: str
    could_change_result: bool = False


@dataclass(slots=True, unsafe_hash=True)
class UrgentFinding:
    """A finding that needs same-day haematology contact (SPEC 1.2 §1); it leads every output."""

    id: str
    title: str
    text: str  # "Urgent: <finding>; same-day haematology contact"
    matched: tuple[MatchedInput, ...]


@dataclass(slots=True, unsafe_hash=True)
class Warning:
    id: str
    message: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class PathwayInfo:
    id: str
    version: str
    source_date: str
    hash: str


@dataclass(frozen=True, slots=True)
class Assessment:
    disposition: str
    summary: str
    options: tuple[Option, ...]
    triggers: tuple[Finding, ...]
    deferral_considerations: tuple[Finding, ...]
    imaging: tuple[Finding, ...]
    follow_up: tuple[Finding, ...]
    conflicts: tuple[Conflict, ...]
    pitfalls: tuple[Pitfall, ...]
    mri: tuple[MriItem, ...]
    labs: tuple[LabLine, ...]
    unknowns: tuple[Unknown, ...]
    warnings: tuple[Warning, ...]
    pathway: PathwayInfo
    evaluation_date: dt.date
    criteria: tuple[Criterion, ...] = ()
    # The three summary lines of the cross-check: supported / source alone / beyond the source.
    criteria_summary: tuple[str, ...] = ()
    urgent: tuple[UrgentFinding, ...] = ()
    # The lines that lead every output (SPEC 1.2 §1): urgent findings, then the scope guards in order.
    lead: tuple[str, ...] = ()

    @property
    def fired_ids(self) -> frozenset[str]:
        groups = (self.triggers, self.deferral_considerations, self.imaging, self.follow_up)
        return frozenset(f.id for group in groups for f in group)

    @property
    def active_pitfall_ids(self) -> frozenset[str]:
        return frozenset(p.id for p in self.pitfalls if p.active)

    def to_json(self) -> bytes:
        """The JSON API's result, exactly the keys of SPEC §6, as compact UTF-8 JSON."""
        return orjson.dumps({name: getattr(self, name) for name in RESULT_KEYS}, default=_json_default)

    def to_dict(self) -> dict[str, Any]:
        """`to_json()` read back: the same result as plain JSON types (what a saved case stores)."""
        return orjson.loads(self.to_json())


RESULT_KEYS = (
    "disposition", "summary", "options", "triggers", "deferral_considerations", "imaging", "follow_up",
    "conflicts", "pitfalls", "mri", "labs", "unknowns", "warnings", "pathway", "criteria", "urgent",
)  # fmt: skip


def _number(value: Decimal) -> int | float:
    """A Decimal as JSON: an integer when whole (and exactly representable), otherwise a float."""
    return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else float(value)


def _json_default(value: Any) -> Any:
    """What orjson does not encode by itself. It writes dataclasses as objects (fields in order),
    enums as their values and dates as ISO strings; Decimals become numbers and sets sorted lists."""
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, frozenset | set):
        return sorted(value)
    raise TypeError(f"not serialisable: {type(value).__name__}")


def to_jsonable(value: Any) -> Any:
    """Any result part as plain JSON types, by the same encoding as `Assessment.to_json`."""
    return orjson.loads(orjson.dumps(value, default=_json_default))
