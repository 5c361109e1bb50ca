"""evaluate(case) -> Assessment: a small interpreter over the rule table (SPEC §4–6).

Hit policy is *collect*: every rule is evaluated on every case, in table order, and the
disposition is the first row of the precedence table that holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from types import MappingProxyType

from dateutil.relativedelta import relativedelta

from . import thresholds as T
from .conditions import Context, Fact, Limit, Outcome, basis
from .evidence import CITATIONS, EVIDENCE_NOTES
from .inputs import CHOICE_LABELS, INPUTS, Case
from .result import (
    Assessment,
    Conflict,
    Criterion,
    Finding,
    LabLine,
    MatchedInput,
    MriItem,
    Option,
    PathwayInfo,
    Pitfall,
    Unknown,
    Warning,
)
from .rules import (
    CONTRAST_TO_REVIEW,
    CORE_COMPLETE,
    DISPOSITIONS,
    LAB_CHECKS,
    NAMED,
    OPTIONS,
    RULES,
    LabCheck,
    Rule,
)
from .units import ANALYTES, REFERENCE_LIMIT_ANALYTE, shown_value
from .wording import TEXT, CriterionStatus, Disposition, RuleKind, say, wording_content

PATHWAY_ID = "marrow-heterogeneity-lumbar-mri"
PATHWAY_VERSION = "1.1.0"
SOURCE_DATE = "2025-11-14"

STAGES_BEFORE_DISPOSITION = (RuleKind.TRIGGER, RuleKind.DEFERRAL, RuleKind.IMAGING)
STAGES_AFTER_DISPOSITION = (
    RuleKind.FOLLOW_UP, RuleKind.PITFALL, RuleKind.MRI, RuleKind.WARNING, RuleKind.CRITERION,
)  # fmt: skip
FINDING_GROUPS = {
    RuleKind.TRIGGER: "triggers",
    RuleKind.DEFERRAL: "deferral_considerations",
    RuleKind.IMAGING: "imaging",
    RuleKind.FOLLOW_UP: "follow_up",
}
NOT_UNKNOWN_WHEN_EMPTY = frozenset({"benign_context"})  # an empty set means "none", not unknown
RULES_BY_KIND: dict[RuleKind, tuple[Rule, ...]] = {
    kind: tuple(rule for rule in RULES if rule.kind is kind) for kind in RuleKind
}
TRIGGER_IDS = frozenset(rule.id for rule in RULES_BY_KIND[RuleKind.TRIGGER])
LABELS = {spec.key: spec.label for spec in INPUTS}
# Unknowns are listed in input order; an empty set means "none", so it is never unknown.
UNKNOWN_ORDER = tuple(spec.key for spec in INPUTS if spec.key not in NOT_UNKNOWN_WHEN_EMPTY)
# Optional labs listed as unknown even when no rule waits on them.
ALWAYS_LISTED_OPTIONAL_LABS = frozenset({"urine_mprotein", "egfr", "igg", "iga", "igm"})
# Recorded for the referral but read by no rule: listed as unknown when missing (SPEC §6).
INFORMATIONAL_INPUTS = frozenset({"wbc", "platelets"})
# Inputs the facts are built from (the evaluation date is not a fact).
FACT_INPUTS = tuple(spec for spec in INPUTS if spec.kind != "date")


# --- Facts and limits ------------------------------------------------------------------------


def _label(key: str) -> str:
    return LABELS[key]


def build_facts(case: Case) -> dict[str, Fact]:
    """Every entered input as a fact: quantities in canonical units (exact), categorical values as is."""
    facts: dict[str, Fact] = {}
    for spec in FACT_INPUTS:
        key, kind, label = spec.key, spec.kind, spec.label
        raw = getattr(case, key)
        if raw is None:
            continue
        if kind == "quantity":
            analyte = ANALYTES[key]
            unit = analyte.unit(raw.unit)
            converted = unit.symbol != analyte.canonical_unit
            facts[key] = Fact(
                key, label, analyte.convert(raw.value, unit), analyte.canonical_unit, raw.value, unit.symbol,
                native=raw.value, precision=analyte.precision if converted else None,
            )
        elif kind == "set":
            if raw:
                entered = tuple(sorted(str(v) for v in raw))
                facts[key] = Fact(key, label, frozenset(entered), "", entered)
        elif kind in ("integer", "ratio"):
            facts[key] = Fact(key, label, Decimal(raw), "", raw)
        else:  # a choice's plain value, or a boolean
            value = raw.value if isinstance(raw, Enum) else raw
            facts[key] = Fact(key, label, value, "", value)
    _derive_flc_ratio(facts)
    _correct_calcium(facts)
    return facts


def _derive_flc_ratio(facts: dict[str, Fact]) -> None:
    """With κ and λ both entered (each in mg/L by now), the rules use κ/λ; an entered ratio is shown
    beside it, and a difference above 10 % raises WARN-FLC-RATIO-DISCREPANCY (SPEC §2.2)."""
    kappa, lam = facts.get("flc_kappa"), facts.get("flc_lambda")
    if not (kappa and lam):
        return
    computed = kappa.value / lam.value  # type: ignore[operator]
    figures = {"kappa": _num(kappa.value), "lam": _num(lam.value)}
    entered = facts.get("flc_ratio")
    if entered is None:
        note = say("flc_ratio_computed", **figures)
    else:
        note = say("flc_ratio_computed_beside_entered", entered=_num(entered.value), **figures)
    facts["flc_ratio"] = Fact(
        "flc_ratio", _label("flc_ratio"), computed, "", None, "", note, precision=RATIO_PRECISION
    )
    # The SLiM criterion reads the involved chain (the larger) and its ratio to the other.
    involved, uninvolved, chain = (kappa, lam, "κ") if kappa.value >= lam.value else (lam, kappa, "λ")  # type: ignore[operator]
    facts["flc_involved"] = Fact(
        "flc_involved", "Involved free light chain", involved.value, "mg/L", None, "",
        say("flc_involved_note", chain=chain, **figures), precision=Decimal("0.1"),
    )
    facts["flc_involved_ratio"] = Fact(
        "flc_involved_ratio", "Involved/uninvolved FLC ratio", involved.value / uninvolved.value, "", None, "",  # type: ignore[operator]
        say("flc_involved_ratio_note", involved=_num(involved.value), uninvolved=_num(uninvolved.value)),
        precision=RATIO_PRECISION,
    )
    if entered is not None and abs(entered.value - computed) > T.FLC_RATIO_DISCREPANCY * computed:  # type: ignore[operator]
        shown = shown_value(computed, RATIO_PRECISION)
        facts["flc_ratio_discrepancy"] = Fact(
            "flc_ratio_discrepancy", "FLC ratio check", True, "", True, "",
            say("flc_ratio_discrepancy", entered=_num(entered.value), computed=_num(shown)),
        )


def _correct_calcium(facts: dict[str, Fact]) -> None:
    """Corrected Ca = Ca + 0.8 × (4.0 − albumin g/dL) whenever albumin is known (SPEC §2.2); the
    correction is carried exactly into the entered unit, for comparison with a figure stated there."""
    calcium, albumin = facts.get("calcium"), facts.get("albumin")
    if calcium is None:
        return
    if albumin is None:
        facts["calcium"] = calcium._replace(note=say("calcium_not_corrected"))
        return
    analyte = ANALYTES["calcium"]
    unit = analyte.unit(calcium.entered_unit)
    correction = T.CALCIUM_ALBUMIN_FACTOR * (T.CALCIUM_ALBUMIN_REFERENCE - albumin.value)  # type: ignore[operator]
    note = say(
        "calcium_corrected",
        albumin=_num(albumin.shown()),
        measured=f"{_num(calcium.entered_value)} {calcium.entered_unit}",
    )
    facts["calcium"] = calcium._replace(
        value=calcium.value + correction,
        native=calcium.native + unit.from_canonical(correction),
        note=note,
        precision=analyte.precision,
    )


def _default_limits(sex: str | None) -> dict[str, Limit]:
    """The limits of SPEC §3 for a sex (None: not entered, so the "unspecified" defaults)."""
    origin = say("origin_default")
    sex_key = sex or "unspecified"
    sex_origin = say("origin_sex", sex=sex) if sex else say("origin_sex_missing")

    def limit(threshold: T.Threshold, limit_origin: str = origin) -> Limit:
        return Limit(threshold, threshold.value, limit_origin, dict(threshold.stated))

    limits = {
        "hb_trigger": limit(T.HB_TRIGGER),
        "hb_normal_min": limit(T.HB_NORMAL_MIN[sex_key], sex_origin),
        "flc_trigger_high": limit(T.FLC_TRIGGER_HIGH),
        "flc_trigger_low": limit(T.FLC_TRIGGER_LOW),
        "flc_normal_low": limit(T.FLC_NORMAL_LOW),
        "flc_normal_high": limit(T.FLC_NORMAL_HIGH),
        "calcium_uln": limit(T.CALCIUM_ULN),
        "calcium_crab": limit(T.CALCIUM_CRAB),
        "creatinine_uln": limit(T.CREATININE_ULN[sex_key], sex_origin),
        "creatinine_crab": limit(T.CREATININE_CRAB),
        "egfr_min": limit(T.EGFR_MIN),
        "albumin_lln": limit(T.ALBUMIN_LLN),
        "b2m_uln": limit(T.B2M_ULN),
        **{f"{ig}_lln": limit(T.IG_LLN[ig]) for ig in ("igg", "iga", "igm")},
        "age_trigger": limit(T.AGE_TRIGGER),
        "adult_age": limit(T.ADULT_AGE),
        "b2m_warn": limit(T.B2M_WARN),
        "flc_ratio_warn_low": limit(T.FLC_RATIO_WARN_LOW),
        "flc_ratio_warn_high": limit(T.FLC_RATIO_WARN_HIGH),
        # Published criteria (SPEC §10).
        "who_hb_min": limit(T.WHO_HB_MIN.get(sex_key, T.WHO_HB_MIN["female"]), sex_origin),
        "imwg_hb_absolute": limit(T.IMWG_HB_ABSOLUTE),
        "egfr_crab": limit(T.EGFR_CRAB),
        "flc_published_high": limit(T.FLC_PUBLISHED_HIGH),
        "flc_published_low": limit(T.FLC_PUBLISHED_LOW),
        "slim_flc_ratio": limit(T.SLIM_FLC_RATIO),
        "slim_flc_involved": limit(T.SLIM_FLC_INVOLVED),
        "mgus_mprotein": limit(T.MGUS_MPROTEIN),
    }
    _derive_relative_limits(limits)
    return limits


def _derive_relative_limits(limits: dict[str, Limit]) -> None:
    """The limits stated relative to another one in force (a default or the lab's own)."""
    limits["calcium_crab_relative"] = _above(limits["calcium_uln"])
    lln, step = limits["hb_normal_min"], T.IMWG_HB_BELOW_LLN
    limits["imwg_hb_below_lln"] = Limit(
        step, lln.value - step.value,
        say("origin_below_lower", origin=lln.origin, step=f"{step.value} {step.unit}"),
    )


def _above(uln: Limit) -> Limit:
    """IMWG's "more than 1 mg/dL (0.25 mmol/L) above the upper limit", from the limit in force."""
    step = T.CALCIUM_CRAB_ABOVE_ULN
    step_stated = dict(step.stated)
    return Limit(
        step, uln.value + step.value, say("origin_relative", origin=uln.origin, step=f"{step.value} {step.unit}"),
        {unit: value + step_stated[unit] for unit, value in uln.stated.items() if unit in step_stated},
    )


# The defaults never change, so they are built once per sex; a case with lab limits copies them.
DEFAULT_LIMITS = {sex: MappingProxyType(_default_limits(sex)) for sex in (None, "female", "male", "unspecified")}
RATIO_PRECISION = Decimal("0.01")


def resolve_limits(case: Case) -> Mapping[str, Limit]:
    """Thresholds for this case: defaults by sex, replaced by the lab's own limits when given. A lab
    limit is converted exactly, and kept as written for values entered in its unit (SPEC §2.5)."""
    defaults = DEFAULT_LIMITS[case.sex.value if case.sex else None]
    if not case.reference_limits:
        return defaults
    limits = dict(defaults)
    for key, quantity in case.reference_limits.items():
        name = OVERRIDDEN_LIMIT[key]
        analyte = ANALYTES[REFERENCE_LIMIT_ANALYTE[key]]
        unit = analyte.unit(quantity.unit)
        stated = {} if unit.symbol == analyte.canonical_unit else {unit.symbol: quantity.value}
        value = analyte.convert(quantity.value, unit)
        limits[name] = Limit(limits[name].threshold, value, say("origin_lab"), stated, _num(value))
    _derive_relative_limits(limits)
    return MappingProxyType(limits)


# Which limit each lab reference-limit override replaces (hemoglobin_lln never the HB_TRIGGER).
OVERRIDDEN_LIMIT = {
    "hemoglobin_lln": "hb_normal_min",
    "calcium_uln": "calcium_uln",
    "creatinine_uln": "creatinine_uln",
    "albumin_lln": "albumin_lln",
    "b2m_uln": "b2m_uln",
    "igg_lln": "igg_lln",
    "iga_lln": "iga_lln",
    "igm_lln": "igm_lln",
}


# --- The interpreter ---------------------------------------------------------------------------


def evaluate(case: Case, *, today: dt.date | None = None) -> Assessment:
    """Evaluate every rule on the case and derive the one disposition (SPEC §5.2)."""
    evaluation_date = case.evaluation_date or today or dt.date.today()
    ctx = Context(facts=build_facts(case), limits=resolve_limits(case))
    outcomes: dict[str, Outcome] = {}
    _run_named("", ctx)
    for stage in STAGES_BEFORE_DISPOSITION:
        _run_stage(stage, ctx, outcomes)
        _run_named(stage, ctx)
    ctx.disposition = next(name for name, condition in DISPOSITIONS if condition.holds(ctx))
    for stage in STAGES_AFTER_DISPOSITION:
        _run_stage(stage, ctx, outcomes)

    findings: dict[str, list[Finding]] = {group: [] for group in FINDING_GROUPS.values()}
    mri, warnings = [], []
    for rule in RULES:  # the rules that fired, in table order
        if not outcomes[rule.id].state:
            continue
        matched = basis(outcomes[rule.id].matched)
        if rule.kind in FINDING_GROUPS:
            findings[FINDING_GROUPS[rule.kind]].append(_finding(rule, matched, ctx, evaluation_date))
        elif rule.kind is RuleKind.MRI:
            mri.append(_mri_item(rule, matched, ctx))
        elif rule.kind is RuleKind.WARNING:
            warnings.append(_warning(rule, ctx))
    pitfalls = tuple(_pitfall(rule, outcomes[rule.id]) for rule in RULES_BY_KIND[RuleKind.PITFALL])
    labs = _lab_checklist(ctx)
    parts = ResultParts(
        disposition=ctx.disposition,
        triggers=tuple(findings["triggers"]),
        deferrals=tuple(findings["deferral_considerations"]),
        imaging=tuple(findings["imaging"]),
        follow_up=tuple(findings["follow_up"]),
        labs=labs,
        suspicion=ctx.facts.get("suspected_malignancy", _ABSENT).value is True,
        contrast_to_review=CONTRAST_TO_REVIEW.holds(ctx),
    )
    conflicts = _conflicts(parts)
    criteria = tuple(_criterion(rule, outcomes[rule.id], ctx) for rule in RULES_BY_KIND[RuleKind.CRITERION])
    return Assessment(
        disposition=ctx.disposition,
        summary=_summary(parts),
        options=_options(parts, conflicts),
        triggers=parts.triggers,
        deferral_considerations=parts.deferrals,
        imaging=parts.imaging,
        follow_up=parts.follow_up,
        conflicts=conflicts,
        pitfalls=pitfalls,
        mri=tuple(mri),
        labs=labs,
        unknowns=_unknowns(ctx, outcomes, labs),
        warnings=tuple(warnings),
        pathway=PATHWAY_INFO,
        evaluation_date=evaluation_date,
        criteria=criteria,
        criteria_summary=criteria_summary(parts.triggers, criteria),
    )


_ABSENT = Fact("", "", None)


@dataclass(frozen=True, slots=True)
class ResultParts:
    """What the summary, the options and the conflicts are written from."""

    disposition: Disposition
    triggers: tuple[Finding, ...]
    deferrals: tuple[Finding, ...]
    imaging: tuple[Finding, ...]
    follow_up: tuple[Finding, ...]
    labs: tuple[LabLine, ...]
    suspicion: bool
    contrast_to_review: bool
    missing_core: tuple[LabLine, ...] = ()
    abnormal: str = ""  # the abnormal labs beside the triggers, as the sentences quote them

    def __post_init__(self) -> None:
        labs = self.labs
        missing = tuple(line for line in labs if line.core and line.status in ("missing", "not_done"))
        abnormal = "; ".join(lab_text(x) for x in abnormal_beside(self.triggers, labs))
        object.__setattr__(self, "missing_core", missing)
        object.__setattr__(self, "abnormal", abnormal)


def _run_named(after: str, ctx: Context) -> None:
    """Work out the named conditions that come after this stage (see rules.NAMED)."""
    for named in NAMED:
        if named.after == after:
            ctx.named[named.name] = named.part.evaluate(ctx)


def _run_stage(stage: RuleKind, ctx: Context, outcomes: dict[str, Outcome]) -> None:
    """Record each rule's outcome (state, basis, missing inputs); note the rules that fired."""
    for rule in RULES_BY_KIND[stage]:
        outcome = outcomes[rule.id] = rule.condition.evaluate(ctx)
        if outcome.state is True:
            ctx.fired.add(rule.id)


# --- Building the parts of the result ---------------------------------------------------------


def _follow_up_due(evaluation_date: dt.date) -> dt.date:
    """The follow-up date: the interval of the source pathway after the evaluation date."""
    return evaluation_date + relativedelta(months=T.FOLLOW_UP_INTERVAL_MONTHS)


def _finding(rule: Rule, matched, ctx: Context, evaluation_date: dt.date) -> Finding:
    labels = rule.labels + tuple(text for text, cond in rule.conditional_labels if cond.holds(ctx))
    due = _follow_up_due(evaluation_date) if rule.kind is RuleKind.FOLLOW_UP else None
    return Finding(
        id=rule.id, kind=rule.kind.value, title=rule.title, statement=rule.statement, matched=matched,
        citations=CITATIONS_OF[rule.id], evidence_note=NOTE_OF[rule.id], labels=labels, due_date=due,
    )


_STATUS = {True: CriterionStatus.MET, False: CriterionStatus.NOT_MET, None: CriterionStatus.NOT_EVALUABLE}


def _criterion(rule: Rule, outcome: Outcome, ctx: Context) -> Criterion:
    """A published criterion with every comparison it made (SPEC §10): met, not met or not
    evaluable, the inputs not measured, and for MGUS risk the stratum the known factors prove."""
    status = _STATUS[outcome.state]
    seen, checked = set(), []
    for leaf in rule.condition.leaves():
        match = leaf.checked(ctx)
        if match is not None and (match[0].key, id(match[2])) not in seen:
            seen.add((match[0].key, id(match[2])))
            checked.append(match)
    value = None
    if rule.strata and status is not CriterionStatus.NOT_EVALUABLE:
        value = rule.strata[rule.condition.part.count(ctx)]  # type: ignore[attr-defined]
    return Criterion(
        id=rule.id, title=rule.title, status=status, value=value, statement=rule.statement,
        basis=basis(tuple(checked)), missing=tuple(sorted(k for k in outcome.missing if k in LABELS)),
        reason=rule.not_evaluable_reason if status is CriterionStatus.NOT_EVALUABLE else "",
        citations=CITATIONS_OF[rule.id], evidence_note=NOTE_OF[rule.id], related_rules=rule.related_rules,
    )


def criteria_summary(triggers: tuple[Finding, ...], criteria: tuple[Criterion, ...]) -> tuple[str, str, str]:
    """The cross-check in three lines: the source's triggers a met criterion supports, those resting
    on the source alone, and the criteria met where no related source trigger fired."""
    met = [c for c in criteria if c.status == CriterionStatus.MET]
    fired = [t.id for t in triggers]
    supporters = {t: [c.id for c in met if t in c.related_rules] for t in fired}
    supported = [f"{t} ({', '.join(ids)})" for t, ids in supporters.items() if ids]
    alone = [t for t, ids in supporters.items() if not ids]
    beyond = [f"{c.id} ({c.title})" for c in met if not set(c.related_rules) & set(fired)]
    lines = (("criteria_supported", "; ".join(supported)), ("criteria_source_alone", ", ".join(alone)),
             ("criteria_beyond_source", "; ".join(beyond)))
    return tuple(say(key, items=items) if items else say(f"{key}_none") for key, items in lines)  # type: ignore[return-value]


def _pitfall(rule: Rule, outcome: Outcome) -> Pitfall:
    if not outcome.state:
        return INACTIVE_PITFALLS[rule.id]
    return Pitfall(rule.id, rule.title, rule.statement, True, rule.active_reason, basis(outcome.matched))


def _mri_item(rule: Rule, matched, ctx: Context) -> MriItem:
    """An MRI sign with its figures; a cranial criterion without a brain reference site is "not
    applicable", and one read at the clivus has low reliability (SPEC §4.6)."""
    applicability, reliability = rule.applicability, "standard"
    if rule.not_applicable_when is not None and rule.not_applicable_when.holds(ctx):
        applicability, reliability = f"{applicability} {say('mri_no_brain_reference')}", "not_applicable"
    elif rule.low_reliability_when is not None and rule.low_reliability_when.holds(ctx):
        applicability, reliability = f"{applicability} {say('mri_clivus')}", "low"
    return MriItem(
        id=rule.id, title=rule.title, figures=rule.figures, applicability=applicability,
        reliability=reliability, citations=CITATIONS_OF[rule.id], evidence_note=NOTE_OF[rule.id], matched=matched,
    )


def _warning(rule: Rule, ctx: Context) -> Warning:
    """A scope guard or entry check; the FLC ratio check names both ratios."""
    keys = sorted(rule.condition.inputs())
    field = keys[0] if keys else None
    if field == "flc_ratio_discrepancy":
        return Warning(rule.id, ctx.facts["flc_ratio_discrepancy"].note, "flc_ratio")
    return Warning(rule.id, rule.statement, field)


def _describe_limits(names: Iterable[str], resolved: Mapping[str, Limit], entered_unit: str) -> tuple[str, str]:
    """The reference shown beside a lab: in the canonical unit, with the figure for the entered unit
    beside it when one is stated (that is the figure the value was compared with)."""
    limits = [resolved[name] for name in names]
    if not limits:
        return "", ""
    unit = limits[-1].threshold.unit
    text = "–".join(limit.text for limit in limits)
    text = f"{text} {unit}" if unit else text
    stated = [limit.stated.get(entered_unit) for limit in limits]
    if entered_unit and all(value is not None for value in stated):
        text = say("reference_stated", canonical=text, stated="–".join(_num(v) for v in stated) + f" {entered_unit}")
    return text, limits[-1].origin


def _missing_line(check: LabCheck, limits: Mapping[str, Limit]) -> LabLine:
    reference, origin = _describe_limits(check.limits, limits, "")
    return LabLine(check.key, _label(check.key), check.core, "missing", reference=reference, reference_origin=origin)


def _lab_checklist(ctx: Context) -> tuple[LabLine, ...]:
    """The lab checklist: every lab with its status, canonical value and the limit applied."""
    lines = []
    missing_lines = MISSING_LINES.get(id(ctx.limits))
    references = DEFAULT_REFERENCES.get(id(ctx.limits))
    for check in LAB_CHECKS:
        key, label = check.key, _label(check.key)
        fact = ctx.facts.get(key)
        if fact is None:
            lines.append(missing_lines[key] if missing_lines else _missing_line(check, ctx.limits))
            continue
        if references is not None and fact.entered_unit not in STATED_UNITS:
            reference, origin = references[key]
        else:
            reference, origin = _describe_limits(check.limits, ctx.limits, fact.entered_unit)
        if fact.value == "not_done":
            status = "not_done"
        elif check.normal is None:
            status = "informational"
        else:
            status = "normal" if check.normal.holds(ctx) else "abnormal"
        shown = fact.shown(*(ctx.limits[name].value for name in check.limits))
        lines.append(
            LabLine(
                key, label, check.core, status, fact.entered_value, fact.entered_unit, shown, fact.unit,
                reference, origin, fact.note,
            )
        )
    return tuple(lines)


def _unknowns(ctx: Context, outcomes: dict[str, Outcome], labs: tuple[LabLine, ...]) -> tuple[Unknown, ...]:
    """Every missing input that could change a rule or the disposition, in input order (SPEC §6)."""
    could_change: dict[str, list[str]] = {}
    notes: dict[str, str] = {}
    for rule in RULES:
        outcome = outcomes[rule.id]
        # The cross-check never changes the result, so what it lacks is not listed as unknown.
        if outcome.state is None and rule.kind is not RuleKind.CRITERION:
            for key in sorted(outcome.missing):
                could_change.setdefault(key, []).append(rule.id)
    disposition_open = not CORE_COMPLETE.holds(ctx) and not ctx.fired & TRIGGER_IDS
    for line in labs:
        if line.status not in ("missing", "not_done"):
            continue
        if line.core:
            could_change.setdefault(line.key, [])
            if disposition_open:
                could_change[line.key].append("disposition")
            notes[line.key] = say("unknown_core")
        elif line.key in INFORMATIONAL_INPUTS:
            could_change.setdefault(line.key, [])
            notes[line.key] = say("unknown_informational")
        elif line.key in could_change or line.key in ALWAYS_LISTED_OPTIONAL_LABS:
            could_change.setdefault(line.key, [])
            notes[line.key] = say("unknown_optional")
    if "sex" not in ctx.facts:
        could_change["sex"] = ["HB_NORMAL_MIN", "CREATININE_ULN"]
        notes["sex"] = say("unknown_sex")
    # Walking the input order skips derived facts (flc_ratio_discrepancy).
    return tuple(
        Unknown(key, LABELS[key], tuple(could_change[key]), notes.get(key, ""))
        for key in UNKNOWN_ORDER
        if key in could_change
    )


def _conflicts(parts: ResultParts) -> tuple[Conflict, ...]:
    """Each biopsy trigger beside each deferral consideration that also applies; and the clinician's
    suspicion of malignancy beside any deferral consideration (SPEC §6)."""
    conflicts = []
    if parts.disposition is Disposition.PROCEED_TO_BIOPSY:
        anemia = any(t.id == "BX-ANEMIA" for t in parts.triggers)
        caution = say("conflict_anemia") if anemia else ""
        conflicts += [
            Conflict(
                t.id, d.id,
                say("conflict_trigger", trigger=_titled(t), deferral=_titled(d)) + caution,
                anemia, "trigger",
            )
            for t in parts.triggers
            for d in parts.deferrals
        ]
    if parts.suspicion:
        conflicts += [
            Conflict("suspected_malignancy", d.id, say("conflict_suspicion", deferral=_titled(d)), False,
                     "clinical_suspicion")
            for d in parts.deferrals
        ]
    return tuple(conflicts)


def _titled(finding: Finding) -> str:
    return f"{finding.id} ({finding.title.lower()})"


def _num(value: object) -> str:
    """Numbers as entered; long computed ones (more than six digits) to four significant figures."""
    text = str(value)
    if len(text) > 7 and isinstance(value, Decimal) and len(value.as_tuple().digits) > 6:
        return f"{value:.4g}"
    return text


def match_text(match: MatchedInput) -> str:
    """One matched input as a reader would quote it: "Hemoglobin: 7.44 mmol/L = 11.99 g/dL"."""
    if match.entered_value is None:  # computed (the FLC ratio from κ and λ)
        value = _num(match.canonical_value)
    elif isinstance(match.entered_value, bool):
        value = CHOICE_LABELS["yes" if match.entered_value else "no"].lower()
    elif isinstance(match.entered_value, tuple):
        value = ", ".join(CHOICE_LABELS.get(v, v) for v in match.entered_value)
    elif isinstance(match.entered_value, str):
        value = CHOICE_LABELS.get(match.entered_value, match.entered_value).lower()
    else:
        value = f"{_num(match.entered_value)} {match.entered_unit}".strip()
        if match.canonical_unit and match.canonical_value != match.entered_value:
            value += f" = {_num(match.canonical_value)} {match.canonical_unit}"
    return say("value", label=match.label, value=value)


def finding_text(finding: Finding) -> str:
    """A finding with the values that made it hold: "Hemoglobin below 12 g/dL (Hemoglobin: 11.2 g/dL)"."""
    # A yes/no flag restates the title ("Limited life expectancy: yes"), so only values are quoted.
    values = "; ".join(match_text(m) for m in finding.matched if not isinstance(m.entered_value, bool))
    return f"{finding.title} ({values})" if values else finding.title


def lab_text(line: LabLine) -> str:
    """A checklist line as a reader would quote it, with its reference."""
    if isinstance(line.canonical_value, str):
        value = CHOICE_LABELS.get(line.canonical_value, line.canonical_value).lower()
        return say("value", label=line.label, value=value)
    value = f"{_num(line.canonical_value)} {line.canonical_unit}".strip()
    return say("value_reference", label=line.label, value=value, reference=line.reference)


def abnormal_beside(parts_triggers: tuple[Finding, ...], labs: tuple[LabLine, ...]) -> tuple[LabLine, ...]:
    """The abnormal labs that are not themselves part of a trigger's basis."""
    triggered = {m.key for f in parts_triggers for m in f.matched}
    return tuple(line for line in labs if line.status == "abnormal" and line.key not in triggered)


def _summary(parts: ResultParts) -> str:
    abnormal = parts.abnormal
    missing = ", ".join(line.label for line in parts.missing_core)
    if parts.disposition is Disposition.PROCEED_TO_BIOPSY:
        return say("summary_proceed", triggers="; ".join(finding_text(t) for t in parts.triggers))
    if parts.disposition is Disposition.COMPLETE_WORKUP:
        return say("summary_complete", missing=missing)
    if parts.disposition is Disposition.DEFERRAL_REASONABLE:
        reasons = "; ".join(finding_text(d) for d in parts.deferrals)
        if parts.follow_up:
            return say("summary_defer_follow_up", reasons=reasons, due=parts.follow_up[0].due_date.isoformat())
        if abnormal:
            return say("summary_defer_abnormal", reasons=reasons, abnormal=abnormal)
        return say("summary_defer", reasons=reasons)
    return say("summary_consider", abnormal=abnormal)


def _options(parts: ResultParts, conflicts: tuple[Conflict, ...]) -> tuple[Option, ...]:
    """The recommendation as a ranked list of options (rules.OPTIONS), with the rules behind each."""
    groups = {
        "triggers": parts.triggers, "deferrals": parts.deferrals,
        "follow_up": parts.follow_up, "imaging": parts.imaging,
    }
    when = {
        "always": True,
        "missing_core": bool(parts.missing_core),
        "conflicts": any(c.kind == "trigger" for c in conflicts),
        "suspicion": any(c.kind == "clinical_suspicion" for c in conflicts),
        "follow_up": bool(parts.follow_up),
        "imaging": bool(parts.imaging),
        "contrast_review": parts.contrast_to_review,
    }
    values = {
        "triggers": "; ".join(finding_text(t) for t in parts.triggers),
        "missing": ", ".join(line.label for line in parts.missing_core),
        "reasons": "; ".join(f.title for f in parts.deferrals),
        "due": parts.follow_up[0].due_date.isoformat() if parts.follow_up else "",
        "abnormal": parts.abnormal,
        "titles": ", ".join(f.title for f in parts.imaging),
    }
    rows = [row for row in OPTIONS if row.disposition in (parts.disposition, None) and when[row.when]]
    return tuple(
        Option(rank, row.action, TEXT[row.text].format(**values), tuple(f.id for f in groups.get(row.rules, ())))
        for rank, row in enumerate(rows, 1)
    )


# --- Pathway identity ----------------------------------------------------------------------------


def rule_table() -> list[dict[str, object]]:
    """The rule table as data: what GET /api/v1/pathway serves and what the hash covers."""
    return [
        {
            "id": rule.id,
            "kind": rule.kind.value,
            "outcome": rule.outcome,
            "title": rule.title,
            "statement": rule.statement,
            "condition": rule.condition.describe(),
            "inputs": sorted(rule.condition.inputs()),
            "rule_refs": sorted(rule.condition.rule_refs()),
            "citations": list(rule.citations),
            "evidence_note": rule.evidence_note,
            "labels": list(rule.labels),
            "conditional_labels": [
                {"label": text, "condition": cond.describe()} for text, cond in rule.conditional_labels
            ],
            "figures": rule.figures,
            "applicability": rule.applicability,
            "active_reason": rule.active_reason,
            "low_reliability_when": rule.low_reliability_when and rule.low_reliability_when.describe(),
            "not_applicable_when": rule.not_applicable_when and rule.not_applicable_when.describe(),
            "related_rules": list(rule.related_rules),
            "not_evaluable_reason": rule.not_evaluable_reason,
            "strata": list(rule.strata),
        }
        for rule in RULES
    ]


def pathway_content() -> dict[str, object]:
    """Everything that decides or words a result (SPEC §6): rules, precedence, options, named
    conditions, lab checks, thresholds and how limits are wired to them, inputs, units, evidence
    and every sentence template."""
    return {
        "rules": rule_table(),
        "dispositions": [{"disposition": d.value, "when": c.describe()} for d, c in DISPOSITIONS],
        "options": [
            {"disposition": row.disposition and row.disposition.value, "action": row.action, "text": row.text,
             "when": row.when, "rules": row.rules}
            for row in OPTIONS
        ],
        "named_conditions": [{"name": n.name, "after": n.after, "when": n.part.describe()} for n in NAMED],
        "lab_checks": [
            {"key": c.key, "core": c.core, "normal": c.normal and c.normal.describe(), "limits": list(c.limits)}
            for c in LAB_CHECKS
        ],
        "thresholds": [
            {"name": t.name, "value": str(t.value), "unit": t.unit, "source": t.source,
             "stated": [[unit, str(value)] for unit, value in t.stated]}
            for t in T.ALL_THRESHOLDS
        ],
        "limits": {
            name: {"threshold": limit.threshold.name, "origin": limit.origin}
            for sex, limits in DEFAULT_LIMITS.items()
            for name, limit in limits.items()
            if sex is None
        },
        "limit_overrides": dict(OVERRIDDEN_LIMIT),
        "constants": {
            "follow_up_interval_months": T.FOLLOW_UP_INTERVAL_MONTHS,
            "calcium_albumin_factor": str(T.CALCIUM_ALBUMIN_FACTOR),
            "calcium_albumin_reference": str(T.CALCIUM_ALBUMIN_REFERENCE),
            "flc_ratio_discrepancy": str(T.FLC_RATIO_DISCREPANCY),
            "ratio_precision": str(RATIO_PRECISION),
        },
        "inputs": [
            {"key": i.key, "label": i.label, "group": i.group, "kind": i.kind, "help": i.help,
             "choices": list(i.choice_values)}
            for i in INPUTS
        ],
        "choice_labels": dict(CHOICE_LABELS),
        "unknowns": {
            "optional_always_listed": sorted(ALWAYS_LISTED_OPTIONAL_LABS),
            "informational": sorted(INFORMATIONAL_INPUTS),
        },
        "units": {
            a.key: [[u.symbol, str(u.multiplier), str(u.divisor)] for u in a.units]
            + [["precision", str(a.precision)]]
            for a in ANALYTES.values()
        },
        "evidence_notes": {n.id: n.text for n in EVIDENCE_NOTES.values()},
        "citations": {c.id: c.text for c in CITATIONS.values()},
        "wording": wording_content(),
    }


def _content_hash() -> str:
    canonical = json.dumps(pathway_content(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


PATHWAY_INFO = PathwayInfo(PATHWAY_ID, PATHWAY_VERSION, SOURCE_DATE, _content_hash())

CITATIONS_OF = {rule.id: tuple(CITATIONS[c] for c in rule.citations) for rule in RULES}
NOTE_OF = {rule.id: EVIDENCE_NOTES[rule.evidence_note] if rule.evidence_note else None for rule in RULES}
# Result parts that do not depend on the case: a pitfall that is not raised, and each checklist line
# of a missing lab under the default limits of each sex (keyed by those limits' identity).
INACTIVE_PITFALLS = {
    rule.id: Pitfall(rule.id, rule.title, rule.statement, False, say("pitfall_inactive"), ())
    for rule in RULES_BY_KIND[RuleKind.PITFALL]
}
DEFAULT_REFERENCES = {
    id(limits): {check.key: _describe_limits(check.limits, limits, "") for check in LAB_CHECKS}
    for limits in DEFAULT_LIMITS.values()
}
STATED_UNITS = frozenset(unit for t in T.ALL_THRESHOLDS for unit, _ in t.stated)
MISSING_LINES = {
    id(limits): {check.key: _missing_line(check, limits) for check in LAB_CHECKS} for limits in DEFAULT_LIMITS.values()
}
