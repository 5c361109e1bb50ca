"""evaluate(case) -> Assessment: a small interpreter over the rule table (SPEC §4–6).

Hit policy is *collect*: every rule is evaluated on every case, in table order, and the
disposition is the first row of the precedence table that holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import Enum
from types import MappingProxyType

from . import thresholds as T
from .conditions import (
    Compare,
    Condition,
    Context,
    EveryAbnormalExplained,
    Fact,
    Limit,
    Named,
    Outcome,
    basis,
    condition_parts,
)
from .evidence import CITATIONS, EVIDENCE_NOTES
from .inputs import CHOICE_LABELS, INPUTS, INPUTS_BY_KEY, Case, Quantity, Sex, YesNoUnknown
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
    UrgentFinding,
    Warning,
)
from .rules import (
    ANEMIA_RULE,
    BENIGN_EXPLAINS_ALL,
    BENIGN_RULE,
    BLOCKERS,
    CONTRAST_TO_REVIEW,
    CORE_COMPLETE,
    DEFERRAL_ON_LABS,
    DISPOSITIONS,
    LAB_CHECKS,
    LIFE_EXPECTANCY_RULE,
    NAMED,
    NO_RECOMMENDATION,
    OPTIONS,
    OUTSIDE_SCOPE_OPTIONS,
    RULES,
    RULES_BY_ID,
    SOURCE_EXAMPLE_CAUSE,
    Blocker,
    LabCheck,
    Rule,
)
from .units import ANALYTES, REFERENCE_LIMIT_ANALYTE, shown_value, unit_text
from .wording import TEXT, CriterionStatus, Disposition, RuleKind, say, wording_content

PATHWAY_ID = "marrow-heterogeneity-lumbar-mri"
PATHWAY_VERSION = "1.2.0"
SOURCE_DATE = "2025-11-14"

# The disposition reads triggers, urgent findings and deferral considerations; imaging options and
# everything else are worked out after it (and so are not re-evaluated for the unknown flag).
STAGES_BEFORE_DISPOSITION = (RuleKind.TRIGGER, RuleKind.URGENT, RuleKind.DEFERRAL)
STAGES_AFTER_DISPOSITION = (
    RuleKind.IMAGING, RuleKind.FOLLOW_UP, RuleKind.PITFALL, RuleKind.MRI, RuleKind.WARNING, RuleKind.CRITERION,
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
ALWAYS_LISTED_OPTIONAL_LABS = frozenset({"urine_mprotein", "egfr", "igg", "iga", "igm", "anc", "blood_film"})
# Recorded for the referral but read by no rule: listed as unknown when missing (SPEC §6).
INFORMATIONAL_INPUTS: frozenset[str] = frozenset()
ALBUMIN_G_L_PER_G_DL = Decimal(10)
# Facts derived only to gate a criterion (never shown as a basis line).
HIDDEN_FACTS = frozenset({"hb_lower_limit_known"})
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
            # A set holding only its "not measured" value (the film not done) is missing.
            if raw and raw != {spec.missing_value}:
                entered = tuple(sorted(str(v) for v in raw))
                facts[key] = Fact(key, label, frozenset(entered), "", entered)
        elif kind in ("integer", "ratio"):
            facts[key] = Fact(key, label, Decimal(raw), "", raw)
        else:  # a choice's plain value, or a boolean
            value = raw.value if isinstance(raw, Enum) else raw
            facts[key] = Fact(key, label, value, "", value)
    _derive_flc_ratio(facts)
    _correct_calcium(facts)
    # Whether the hemoglobin lower limit is known without guessing sex (CRIT-IMWG-ANEMIA, SPEC 1.2 §10).
    known = (case.sex in (Sex.FEMALE, Sex.MALE) or case.pregnant == YesNoUnknown.YES
             or "hemoglobin_lln" in case.reference_limits)
    facts["hb_lower_limit_known"] = Fact("hb_lower_limit_known", "Hemoglobin lower limit known", known, "", known)
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
    measured = f"{_num(calcium.entered_value)} {calcium.entered_unit}"
    if unit.symbol == "mmol/L":
        # SPEC 1.2 §2.2: an SI entry is corrected in SI, Ca + 0.02 × (40 − albumin g/L), albumin
        # converted exactly to g/L, and compared with the SI figures of §3.
        albumin_g_l = albumin.value * ALBUMIN_G_L_PER_G_DL  # type: ignore[operator]
        native = calcium.native + T.CALCIUM_ALBUMIN_FACTOR_SI * (T.CALCIUM_ALBUMIN_REFERENCE_SI - albumin_g_l)  # type: ignore[operator]
        note = say("calcium_corrected_si", albumin=_num(albumin_g_l.normalize()), measured=measured)
        facts["calcium"] = calcium._replace(
            value=unit.to_canonical(native), native=native, note=note, precision=analyte.precision,
        )
        return
    correction = T.CALCIUM_ALBUMIN_FACTOR * (T.CALCIUM_ALBUMIN_REFERENCE - albumin.value)  # type: ignore[operator]
    note = say("calcium_corrected", albumin=_num(albumin.shown()), measured=measured)
    facts["calcium"] = calcium._replace(
        value=calcium.value + correction,
        native=calcium.native + unit.from_canonical(correction),
        note=note,
        precision=analyte.precision,
    )


def _default_limits(sex: str | None, pregnant: bool) -> dict[str, Limit]:
    """The limits of SPEC §3 for a sex (None: not recorded) and pregnancy; the kidney FLC range and the
    lab's own limits are applied on top by `resolve_limits`."""
    origin = say("origin_default")
    sex_key = sex or "unspecified"
    sex_origin = say("origin_sex", sex=sex) if sex else say("origin_sex_missing")
    pregnant_origin = say("origin_pregnant")

    def limit(threshold: T.Threshold, limit_origin: str = origin) -> Limit:
        return Limit(threshold, threshold.value, limit_origin, dict(threshold.stated))

    # SPEC 1.2 §3: the WHO figures, without WHO 2024's adjustments for smokers and altitude (said so).
    who_note = say("hb_adjustments_not_applied")
    hb_min = limit(T.HB_NORMAL_MIN["pregnant"], say("origin_with_note", origin=pregnant_origin, note=who_note)) \
        if pregnant else limit(T.HB_NORMAL_MIN[sex_key], say("origin_with_note", origin=sex_origin, note=who_note))
    if pregnant:
        who_hb_min = limit(T.WHO_HB_MIN["pregnant"], pregnant_origin)
    else:
        who_hb_min = limit(T.WHO_HB_MIN.get(sex_key, T.WHO_HB_MIN["female"]), sex_origin)
    limits = {
        "hb_trigger": limit(T.HB_TRIGGER),
        "hb_normal_min": hb_min,
        "hb_normal_max": limit(T.HB_NORMAL_MAX[sex_key], sex_origin),
        "wbc_lln": limit(T.WBC_NORMAL_LOW),
        "wbc_uln": limit(T.WBC_NORMAL_HIGH),
        "platelets_lln": limit(T.PLATELETS_NORMAL_LOW),
        "platelets_uln": limit(T.PLATELETS_NORMAL_HIGH),
        "anc_lln": limit(T.ANC_LLN),
        "cytopenia_platelets": limit(T.CYTOPENIA_PLATELETS),
        "cytopenia_anc": limit(T.CYTOPENIA_ANC),
        "cytopenia_anc_isolated_min": limit(T.CYTOPENIA_ANC_ISOLATED_MIN),
        "urgent_anc": limit(T.URGENT_ANC),
        "urgent_platelets": limit(T.URGENT_PLATELETS),
        "smoking_wbc_max": limit(T.SMOKING_WBC_MAX),
        "flc_trigger_high": limit(T.FLC_TRIGGER_HIGH),
        "flc_trigger_low": limit(T.FLC_TRIGGER_LOW),
        "flc_normal_low": limit(T.FLC_NORMAL_LOW),
        "flc_normal_high": limit(T.FLC_NORMAL_HIGH),
        "flc_standard_low": limit(T.FLC_NORMAL_LOW),
        "flc_standard_high": limit(T.FLC_NORMAL_HIGH),
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
        "who_hb_min": who_hb_min,
        "imwg_hb_absolute": limit(T.IMWG_HB_ABSOLUTE),
        "imwg_hb_sex_decides_below": limit(T.IMWG_HB_SEX_DECIDES_BELOW),
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


# The defaults never change, so they are built once per sex and pregnancy; a case with lab limits or
# a reduced eGFR copies them.
SEXES = (None, "female", "male", "unspecified")
DEFAULT_LIMITS = {
    (sex, pregnant): MappingProxyType(_default_limits(sex, pregnant)) for sex in SEXES for pregnant in (False, True)
}
RATIO_PRECISION = Decimal("0.01")


def _kidney_range(case: Case) -> bool:
    """An entered eGFR below EGFR_MIN puts the FLC ratio against the kidney range (never computed)."""
    return case.egfr is not None and case.egfr.value < T.EGFR_MIN.value


def resolve_limits(case: Case) -> Mapping[str, Limit]:
    """Thresholds for this case: defaults by sex and pregnancy, the kidney FLC range when an entered
    eGFR is below 60, then the lab's own limits when given. A lab limit is converted exactly, and kept
    as written for values entered in its unit (SPEC §2.5)."""
    defaults = DEFAULT_LIMITS[(case.sex.value if case.sex else None, case.pregnant == YesNoUnknown.YES)]
    kidney = _kidney_range(case)
    if not case.reference_limits and not kidney:
        return defaults
    limits = dict(defaults)
    if kidney:
        origin = say("origin_kidney")
        limits["flc_normal_low"] = Limit(T.FLC_NORMAL_RENAL_LOW, T.FLC_NORMAL_RENAL_LOW.value, origin)
        limits["flc_normal_high"] = Limit(T.FLC_NORMAL_RENAL_HIGH, T.FLC_NORMAL_RENAL_HIGH.value, origin)
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
    "hemoglobin_uln": "hb_normal_max",
    "calcium_uln": "calcium_uln",
    "creatinine_uln": "creatinine_uln",
    "albumin_lln": "albumin_lln",
    "b2m_uln": "b2m_uln",
    "igg_lln": "igg_lln",
    "iga_lln": "iga_lln",
    "igm_lln": "igm_lln",
    "wbc_lln": "wbc_lln",
    "wbc_uln": "wbc_uln",
    "platelets_lln": "platelets_lln",
    "platelets_uln": "platelets_uln",
    "anc_lln": "anc_lln",
    "urgent_anc": "urgent_anc",
    "urgent_platelets": "urgent_platelets",
}


# --- The interpreter ---------------------------------------------------------------------------


def _decide(case: Case) -> tuple[Context, dict[str, Outcome]]:
    """Evaluate every rule that comes before the disposition, and the disposition (SPEC §5.2)."""
    ctx = Context(facts=build_facts(case), limits=resolve_limits(case))
    outcomes: dict[str, Outcome] = {}
    _run_named("", ctx)
    for stage in STAGES_BEFORE_DISPOSITION:
        _run_stage(stage, ctx, outcomes)
        _run_named(stage, ctx)
    ctx.disposition = next(name for name, condition in DISPOSITIONS if condition.holds(ctx))
    return ctx, outcomes


def evaluate(case: Case, *, today: dt.date | None = None) -> Assessment:
    """Evaluate every rule on the case and derive the one disposition (SPEC §5.2)."""
    evaluation_date = case.evaluation_date or today or dt.date.today()
    ctx, outcomes = _decide(case)
    for stage in STAGES_AFTER_DISPOSITION:
        _run_stage(stage, ctx, outcomes)

    findings: dict[str, list[Finding]] = {group: [] for group in FINDING_GROUPS.values()}
    mri, warnings, urgent = [], [], []
    for rule in RULES:  # the rules that fired, in table order
        if not outcomes[rule.id].state:
            continue
        matched = basis(outcomes[rule.id].matched)
        if rule.kind in FINDING_GROUPS:
            findings[FINDING_GROUPS[rule.kind]].append(_finding(rule, matched, ctx, evaluation_date))
        elif rule.kind is RuleKind.URGENT:
            urgent.append(_urgent(rule, matched))
        elif rule.kind is RuleKind.MRI:
            mri.append(_mri_item(rule, matched, ctx))
        elif rule.kind is RuleKind.WARNING:
            warnings.append(_warning(rule, ctx))
    pitfalls = tuple(_pitfall(rule, outcomes[rule.id]) for rule in RULES_BY_KIND[RuleKind.PITFALL])
    labs = _lab_checklist(ctx)
    explained = BENIGN_EXPLAINS_ALL.explained_by(ctx)
    parts = ResultParts(
        disposition=ctx.disposition,
        triggers=tuple(findings["triggers"]),
        deferrals=tuple(findings["deferral_considerations"]),
        imaging=tuple(findings["imaging"]),
        follow_up=tuple(findings["follow_up"]),
        labs=labs,
        suspicion=ctx.facts.get("suspected_malignancy", _ABSENT).value is True,
        contrast_to_review=CONTRAST_TO_REVIEW.holds(ctx),
        urgent=tuple(urgent),
        causes=tuple(ctx.facts.get("benign_context", _ABSENT).value or ()),
        explained=explained,
        blockers=tuple(b for b in BLOCKERS if b.condition.holds(ctx)),
        no_recommendation=NO_RECOMMENDATION.holds(ctx),
        life_expectancy_only=ctx.disposition is Disposition.DEFERRAL_REASONABLE and not DEFERRAL_ON_LABS.holds(ctx),
    )
    conflicts = _conflicts(parts)
    criteria = tuple(_criterion(rule, outcomes[rule.id], ctx) for rule in RULES_BY_KIND[RuleKind.CRITERION])
    lead = tuple(u.text for u in urgent) + tuple(
        RULES_BY_ID[w.id].lead for w in warnings if RULES_BY_ID[w.id].lead
    )
    return Assessment(
        disposition=ctx.disposition,
        summary=" ".join((*lead, _summary(parts))),
        options=_options(parts, conflicts, ctx),
        triggers=parts.triggers,
        deferral_considerations=parts.deferrals,
        imaging=parts.imaging,
        follow_up=parts.follow_up,
        conflicts=conflicts,
        pitfalls=pitfalls,
        mri=tuple(mri),
        labs=labs,
        unknowns=_unknowns(case, ctx, outcomes, labs),
        warnings=tuple(warnings),
        pathway=PATHWAY_INFO,
        evaluation_date=evaluation_date,
        criteria=criteria,
        criteria_summary=criteria_summary(parts.triggers, criteria),
        urgent=parts.urgent,
        lead=lead,
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
    urgent: tuple[UrgentFinding, ...] = ()
    causes: tuple[str, ...] = ()  # the benign causes entered
    explained: Mapping[str, tuple[str, ...]] = MappingProxyType({})  # abnormal lab → causes explaining it
    blockers: tuple[Blocker, ...] = ()  # what keeps a deferral off the table (SPEC 1.2 §5.2 (b))
    no_recommendation: bool = False  # under 18 (SPEC 1.2 §1)
    life_expectancy_only: bool = False  # deferral rests on limited life expectancy, not on the labs
    missing_core: tuple[LabLine, ...] = ()
    abnormal: str = ""  # the abnormal labs beside the triggers, as the sentences quote them

    def __post_init__(self) -> None:
        labs = self.labs
        missing = tuple(line for line in labs if line.core and line.status in ("missing", "not_done"))
        abnormal = "; ".join(lab_text(x) for x in abnormal_beside(self.triggers, labs))
        object.__setattr__(self, "missing_core", missing)
        object.__setattr__(self, "abnormal", abnormal)

    def unexplained_by(self, cause: str) -> tuple[LabLine, ...]:
        """The abnormal labs (beside the triggers' own values too) that this cause does not explain."""
        return tuple(line for line in self.labs if line.status == "abnormal" and cause not in self.explained.get(line.key, ()))


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


def _finding(rule: Rule, matched, ctx: Context, evaluation_date: dt.date) -> Finding:
    labels = rule.labels + tuple(text for text, cond in rule.conditional_labels if cond.holds(ctx))
    due = evaluation_date + rule.due_after if rule.due_after else None
    return Finding(
        id=rule.id, kind=rule.kind.value, title=rule.title, statement=rule.statement, matched=matched,
        citations=CITATIONS_OF[rule.id], evidence_note=NOTE_OF[rule.id], labels=labels, due_date=due,
    )


def _urgent(rule: Rule, matched: tuple[MatchedInput, ...]) -> UrgentFinding:
    """An urgent finding as every output leads with it: "Urgent: <finding> (<values>); same-day …"."""
    values = "; ".join(match_text(m, bare=True) for m in matched if m.entered_unit)  # numbers only
    finding = f"{rule.title} ({values})" if values else rule.title
    return UrgentFinding(rule.id, rule.title, say("urgent_line", finding=finding), matched)


_STATUS = {True: CriterionStatus.MET, False: CriterionStatus.NOT_MET, None: CriterionStatus.NOT_EVALUABLE}


def _criterion(rule: Rule, outcome: Outcome, ctx: Context) -> Criterion:
    """A published criterion with every comparison it made (SPEC §10): met, not met or not
    evaluable, the inputs not measured, and for MGUS risk the stratum the known factors prove."""
    status = _STATUS[outcome.state]
    seen, checked, held = set(), [], []
    for leaf in rule.condition.leaves():
        match = leaf.checked(ctx)
        if match is not None and match[0].key in HIDDEN_FACTS:
            continue  # a gate worked out from other inputs, not a value a person entered
        if match is not None and (match[0].key, id(match[2])) not in seen:
            seen.add((match[0].key, id(match[2])))
            checked.append(match)
            held.append(leaf.evaluate(ctx).state is True)
    value = None
    reading = ""
    if rule.strata and status is not CriterionStatus.NOT_EVALUABLE:
        count = rule.condition.part.count(ctx)  # type: ignore[attr-defined]
        value = rule.strata[count]
        if rule.strata_risks:
            partial = bool(outcome.missing)  # some factor unknown: the stratum is a floor
            competing, ignoring = rule.strata_risks[count]
            reading = say("stratum_at_least" if partial else "stratum", stratum=value, risk=competing,
                          risk_ignoring_death=ignoring)
    return Criterion(
        id=rule.id, title=rule.title, status=status, value=value, statement=rule.statement,
        basis=tuple(replace(m, held=h) for m, h in zip(basis(tuple(checked)), held, strict=True)), missing=tuple(sorted(k for k in outcome.missing if k in LABELS)),
        reason=rule.not_evaluable_reason if status is CriterionStatus.NOT_EVALUABLE else "",
        citations=CITATIONS_OF[rule.id], evidence_note=NOTE_OF[rule.id], related_rules=rule.related_rules,
        reading=reading,
    )


def criteria_summary(triggers: tuple[Finding, ...], criteria: tuple[Criterion, ...]) -> tuple[str, ...]:
    """The cross-check in plain names (SPEC 1.2 §10), only the lines that say something: the source's
    triggers whose values also meet a published threshold, those with none behind them, and the
    published thresholds met where no related source trigger fired."""
    met = [c for c in criteria if c.status == CriterionStatus.MET]
    fired = [t for t in triggers]
    supporters = {t.id: [c.title for c in met if t.id in c.related_rules] for t in fired}
    supported = [f"{_lower_first(t.title)} ({', '.join(supporters[t.id])})" for t in fired if supporters[t.id]]
    alone = [_lower_first(t.title) for t in fired if not supporters[t.id]]
    fired_ids = {t.id for t in fired}
    beyond = [
        f"{'; '.join({m.key: match_text(m, bare=True) for m in c.basis if m.comparison}.values()) or c.title} "
        f"({c.title})"
        for c in met if not set(c.related_rules) & fired_ids
    ]
    lines = (("criteria_supported", "; ".join(supported)), ("criteria_source_alone", ", ".join(alone)),
             ("criteria_beyond_source", "; ".join(beyond)))
    return tuple(CriteriaLine(say(key, items=items), key) for key, items in lines if items)


class CriteriaLine(str):
    """A line of the cross-check summary that knows which of the three it is (`kind`: the wording key),
    so a presenter can mark it without reading its words."""

    kind: str

    def __new__(cls, text: str, kind: str) -> CriteriaLine:
        line = super().__new__(cls, text)
        line.kind = kind
        return line


def _lower_first(text: str) -> str:
    """A title run into a sentence ("Hemoglobin below 12 g/dL" → "hemoglobin below 12 g/dL"); an
    abbreviation stays as it is ("FLC …", "IMWG …")."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


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
    return text, limits[0].origin  # a range: the lower limit's origin (it carries the WHO note for Hb)


def _missing_line(check: LabCheck, limits: Mapping[str, Limit]) -> LabLine:
    reference, origin = _describe_limits(check.limits, limits, "")
    return LabLine(check.key, _label(check.key), check.core, "missing", reference=reference, reference_origin=origin)


def _lab_checklist(ctx: Context) -> tuple[LabLine, ...]:
    """The lab checklist: every lab with its status, canonical value and the limit applied; an
    abnormal number says which limit it is beyond (below the lower, above the upper)."""
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
        direction, limit_text = "", ""
        if fact.value == "not_done":
            status = "not_done"
        elif check.normal is None:
            status = "informational"
        elif check.normal.holds(ctx):
            status = "normal"
        else:
            status = "abnormal"
            direction, limit_text = _beyond(check, ctx, fact.entered_unit)
        shown = fact.shown(*(ctx.limits[name].value for name in check.limits))
        lines.append(
            LabLine(
                key, label, check.core, status, fact.entered_value, fact.entered_unit, shown, fact.unit,
                reference, origin, fact.note, direction, limit_text,
            )
        )
    return tuple(lines)


def _beyond(check: LabCheck, ctx: Context, entered_unit: str) -> tuple[str, str]:
    """Which limit an abnormal number is beyond ("low" or "high") and that limit as the report words
    it, in the unit the value was compared in; ("", "") for a categorical result."""
    below = check.below()
    if below is not None and below.holds(ctx):
        name, direction = check.low, "low"
    elif check.high:
        name, direction = check.high, "high"
    else:
        return "", ""
    limit = ctx.limits[name]
    stated = limit.stated.get(entered_unit)
    if stated is not None:
        return direction, f"{_num(stated)} {unit_text(entered_unit)}"
    return direction, f"{limit.text} {unit_text(limit.threshold.unit)}".strip()


def _unknowns(
    case: Case, ctx: Context, outcomes: dict[str, Outcome], labs: tuple[LabLine, ...]
) -> tuple[Unknown, ...]:
    """Every missing input that could change a rule or the disposition, in input order (SPEC §6), each
    with the engine's flag: whether some value of it gives another disposition."""
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
        elif line.key in could_change or line.key in ALWAYS_LISTED_OPTIONAL_LABS:
            could_change.setdefault(line.key, [])
            notes[line.key] = say("unknown_optional")
    if "sex" not in ctx.facts:
        could_change["sex"] = ["HB_NORMAL_MIN", "HB_NORMAL_MAX", "CREATININE_ULN"]
        notes["sex"] = say("unknown_sex")
    if "pregnant" not in ctx.facts and _pregnancy_possible(case):
        could_change["pregnant"] = ["HB_NORMAL_MIN", "SCOPE-PREGNANCY"]
        notes["pregnant"] = say("unknown_pregnant")
    else:  # asked about only for a woman, or a person of unrecorded sex, of 18–50 (SPEC 1.2 §6)
        could_change.pop("pregnant", None)
    # Walking the input order skips derived facts (flc_ratio_discrepancy).
    return tuple(
        Unknown(key, LABELS[key], tuple(could_change[key]), notes.get(key, ""),
                could_change_result(case, key, ctx.disposition))
        for key in UNKNOWN_ORDER
        if key in could_change
    )


def _pregnancy_possible(case: Case) -> bool:
    """A woman, or a person whose sex is not recorded, aged 18–50 (or of unknown age): SPEC 1.2 §6."""
    if case.sex == Sex.MALE:
        return False
    return case.age is None or T.ADULT_AGE.value <= case.age <= T.PREGNANCY_AGE_MAX.value


def could_change_result(case: Case, key: str, disposition: str) -> bool:
    """Whether setting the missing input `key` to some value gives another disposition (SPEC 1.2 §6):
    each of its categorical values, or a value on and either side of each threshold that a deciding
    rule compares it with, and the ends of its plausible range."""
    if key not in DECIDING_INPUTS:
        return False  # no rule the disposition depends on reads it, directly or through a limit
    limits = resolve_limits(case)
    for value in _candidates(case, key, limits):
        changes = value if isinstance(value, dict) else {key: value}
        if _decide(replace(case, **changes))[0].disposition != disposition:
            return True
    return False


# The lumbar T1 signs are read together (a deferral blocker needs both): a missing one is tried with
# its missing partner set alike, so that neither looks as if it could not change the result.
SIGNAL_PAIRS = {"t1_vs_disc": "t1_vs_muscle", "t1_vs_muscle": "t1_vs_disc"}
# A step either side of a threshold: values are compared exactly, so any step above zero is "beyond".
_STEP = Decimal("0.001")
# What a choice or a set holds when the input was in fact not measured ("not done", "unknown").
_MISSING_CHOICES = frozenset({"not_done", "unknown"})


def _candidates(case: Case, key: str, limits: Mapping[str, Limit]) -> tuple[object, ...]:
    """The values of one missing input that the flag tries (see could_change_result)."""
    spec = INPUTS_BY_KEY[key]
    if spec.kind == "boolean":
        return (True, False)
    if spec.kind == "choice":
        values = tuple(spec.choices(v) for v in spec.choice_values if v not in _MISSING_CHOICES)  # type: ignore[misc]
        partner = SIGNAL_PAIRS.get(key)
        if partner and getattr(case, partner) is None:  # a sign read only together with its partner
            return tuple({key: v, partner: v} for v in values)
        return values
    if spec.kind == "set":
        return tuple(frozenset({spec.choices(v)}) for v in spec.choice_values if v not in _MISSING_CHOICES)  # type: ignore[misc]
    if spec.kind == "date":
        return ()
    if key in ("flc_kappa", "flc_lambda"):
        return _chain_candidates(case, key, limits)
    numbers = _numbers_around(DECIDING_LIMITS.get(key, ()), limits)
    if spec.kind == "integer":  # whole years: the limit and the year either side of it
        limits_at = {int(limits[name].value) for name in DECIDING_LIMITS.get(key, ())}
        return tuple(sorted({n + d for n in limits_at for d in (-1, 0, 1) if 0 <= n + d <= 120}))
    if spec.kind == "ratio":
        return tuple(n for n in numbers + (Decimal("0.001"), Decimal(1000)) if n > 0)
    analyte = ANALYTES[key]
    ends = (analyte.bounds.low + _STEP, analyte.bounds.high)
    return tuple(Quantity(n, analyte.canonical_unit) for n in numbers + ends if n > 0)


def _numbers_around(names: Iterable[str], limits: Mapping[str, Limit]) -> tuple[Decimal, ...]:
    """A value just below and just above each limit: for any comparison with a limit, the limit itself
    falls on the same side as one of them, so it needs no trial of its own."""
    return tuple(sorted({limits[name].value + d for name in names for d in (-_STEP, _STEP)}))


def _chain_candidates(case: Case, key: str, limits: Mapping[str, Limit]) -> tuple[dict[str, Quantity], ...]:
    """κ or λ: each value that puts the κ/λ ratio on and either side of its thresholds, with the other
    chain as entered (or 10 mg/L when it is missing too, so that the pair forms a ratio)."""
    other_key = "flc_lambda" if key == "flc_kappa" else "flc_kappa"
    other = getattr(case, other_key)
    other_mg_l = ANALYTES[other_key].canonical(other.value, other.unit) if other else Decimal(10)
    out = []
    for ratio in _numbers_around(DECIDING_LIMITS.get("flc_ratio", ()), limits) + (Decimal("0.001"), Decimal(1000)):
        if ratio <= 0:
            continue
        value = other_mg_l * ratio if key == "flc_kappa" else other_mg_l / ratio
        pair = {key: Quantity(value, "mg/L")}
        if other is None:
            pair[other_key] = Quantity(other_mg_l, "mg/L")
        out.append(pair)
    return tuple(out)


def _conflicts(parts: ResultParts) -> tuple[Conflict, ...]:
    """What pulls against the disposition, each with its resolution (SPEC 1.2 §5.2, §6): the findings
    that block a deferral first; then a trigger beside limited life expectancy (or beside the source's
    own example, chronic anaemia of known cause); benign causes that do not explain a value; and the
    clinician's suspicion of malignancy beside any deferral consideration."""
    conflicts: list[Conflict] = []
    deferral_ids = {d.id for d in parts.deferrals}
    life = LIFE_EXPECTANCY_RULE in deferral_ids
    suspicion_conflicts = parts.suspicion and bool(parts.deferrals)
    if parts.disposition is not Disposition.PROCEED_TO_BIOPSY:
        for blocker in parts.blockers:
            if blocker.key == "suspected_malignancy" and suspicion_conflicts:
                continue  # said once, by the clinical-suspicion conflict below
            text = say(blocker.text)
            if parts.disposition is Disposition.DEFERRAL_REASONABLE:
                text += say("conflict_blocker_life_expectancy")
            conflicts.append(Conflict(blocker.key, "", text, False, "blocking"))
    if parts.disposition is Disposition.PROCEED_TO_BIOPSY:
        anemia = any(t.id == ANEMIA_RULE for t in parts.triggers)
        caution = say("conflict_anemia") if anemia else ""
        if life and parts.urgent:
            conflicts.append(Conflict("urgent", LIFE_EXPECTANCY_RULE, say("conflict_urgent_life_expectancy"),
                                      False, "urgent"))
        elif life:
            life_finding = next(d for d in parts.deferrals if d.id == LIFE_EXPECTANCY_RULE)
            conflicts += [
                Conflict(t.id, LIFE_EXPECTANCY_RULE,
                         say("conflict_trigger", trigger=_titled(t), deferral=_titled(life_finding)) + caution,
                         anemia, "trigger")
                for t in parts.triggers
            ]
        if anemia and SOURCE_EXAMPLE_CAUSE in parts.causes:
            trigger = next(t for t in parts.triggers if t.id == ANEMIA_RULE)
            conflicts.append(Conflict(
                ANEMIA_RULE, BENIGN_RULE,
                say("conflict_trigger", trigger=_titled(trigger), deferral=_cause_names((SOURCE_EXAMPLE_CAUSE,)))
                + caution, True, "trigger",
            ))
        others = tuple(c for c in parts.causes if c != SOURCE_EXAMPLE_CAUSE or not anemia)
        unexplained = [t for t in parts.triggers if not (t.id == ANEMIA_RULE and SOURCE_EXAMPLE_CAUSE in parts.causes)]
        if others and unexplained:
            conflicts.append(Conflict(
                "benign_context", BENIGN_RULE,
                say("conflict_cause_not_trigger", causes=_cause_names(others),
                    values="; ".join(finding_text(t) for t in unexplained)),
                False, "benign_unexplained",
            ))
    else:
        values = tuple(line for line in parts.labs if line.status == "abnormal" and not parts.explained.get(line.key))
        if parts.causes and values:
            conflicts.append(Conflict(
                "benign_context", BENIGN_RULE,
                say("conflict_cause_unexplained", causes=_cause_names(parts.causes),
                    values="; ".join(lab_text(line) for line in values)),
                False, "benign_unexplained",
            ))
    if parts.disposition is Disposition.COMPLETE_WORKUP and life:
        conflicts.append(Conflict("core_labs", LIFE_EXPECTANCY_RULE, say("conflict_incomplete_life_expectancy"),
                                  False, "life_expectancy"))
    if parts.suspicion:
        conflicts += [
            Conflict("suspected_malignancy", d.id, say("conflict_suspicion", deferral=_titled(d)), False,
                     "clinical_suspicion")
            for d in parts.deferrals
        ]
    return tuple(conflicts)


def _cause_names(causes: Iterable[str]) -> str:
    return ", ".join(CHOICE_LABELS[c].lower() for c in causes)


def _titled(finding: Finding) -> str:
    return f"{finding.id} ({finding.title.lower()})"


def _num(value: object) -> str:
    """Numbers as entered; long computed ones (more than six digits) to four significant figures."""
    text = str(value)
    if len(text) > 7 and isinstance(value, Decimal) and len(value.as_tuple().digits) > 6:
        return f"{value:.4g}"
    return text


def match_text(match: MatchedInput, *, bare: bool = False) -> str:
    """One matched input as a reader would quote it: "Hemoglobin: 7.44 mmol/L = 11.99 g/dL" (bare:
    "Hemoglobin 7.44 mmol/L = 11.99 g/dL", as a sentence runs it in)."""
    if match.entered_value is None:  # computed (the FLC ratio from κ and λ, the involved chain)
        value = f"{_num(match.canonical_value)} {unit_text(match.canonical_unit)}".strip()
    elif isinstance(match.entered_value, bool):
        value = CHOICE_LABELS["yes" if match.entered_value else "no"].lower()
    elif isinstance(match.entered_value, tuple):
        value = ", ".join(CHOICE_LABELS.get(v, v).lower() for v in match.entered_value)
    elif isinstance(match.entered_value, str):
        value = CHOICE_LABELS.get(match.entered_value, match.entered_value).lower()
    else:
        value = f"{_num(match.entered_value)} {unit_text(match.entered_unit)}".strip()
        if match.canonical_unit and match.canonical_value != match.entered_value:
            canonical = f"{_num(match.canonical_value)} {unit_text(match.canonical_unit)}"
            # Same unit, another figure: a correction (calcium for albumin), said as such.
            key = "value_corrected" if match.canonical_unit == match.entered_unit else "value_converted"
            value = say(key, value=value, canonical=canonical)
    return say("value_bare" if bare else "value", label=match.label, value=value)


def basis_line(match: MatchedInput) -> str:
    """A matched input as "Why?" shows it, the one rendering every presenter uses: the value as entered
    (and converted or corrected), the comparison with its limit and where the limit came from, the note."""
    line = match_text(match)
    if match.comparison and match.threshold_value is not None:
        limit = f"{_num(match.threshold_value)} {unit_text(match.threshold_unit or '')}".strip()
        line += say("basis_comparison", comparison=match.comparison, limit=limit, name=match.threshold,
                    origin=match.threshold_origin)
    if match.held is not None and match.comparison:
        line += say("basis_held" if match.held else "basis_not_held")
    if match.note:
        line += say("basis_note", note=match.note)
    return line


def finding_text(finding: Finding) -> str:
    """A finding with the values that made it hold: "Hemoglobin below 12 g/dL (Hemoglobin: 11.2 g/dL)"."""
    # A yes/no flag restates the title ("Limited life expectancy: yes"), so only values are quoted.
    seen: dict[str, str] = {}  # each value once, however many comparisons it took part in
    for m in finding.matched:
        if not isinstance(m.entered_value, bool):
            seen.setdefault(m.key, match_text(m))
    values = "; ".join(seen.values())
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
    """The one-line summary after the lead lines (SPEC 1.2 §1, §5.2)."""
    if parts.no_recommendation:
        return say("summary_outside_scope")
    abnormal = parts.abnormal
    missing = ", ".join(line.label for line in parts.missing_core)
    if parts.disposition is Disposition.PROCEED_TO_BIOPSY:
        return say("summary_proceed", triggers="; ".join(finding_text(t) for t in parts.triggers))
    if parts.disposition is Disposition.COMPLETE_WORKUP:
        return say("summary_complete", missing=missing)
    if parts.disposition is Disposition.DEFERRAL_REASONABLE:
        if parts.life_expectancy_only:
            if abnormal:
                return say("summary_defer_life_abnormal", abnormal=abnormal)
            return say("summary_defer_life")
        reasons = "; ".join(finding_text(d) for d in parts.deferrals)
        explained = _explained_text(parts)
        if explained:
            reasons = f"{reasons}; {explained}"
        return say("summary_defer_follow_up", reasons=reasons, due=parts.follow_up[0].due_date.isoformat())
    return say("summary_consider", reasons=_not_deferrable(parts))


def _explained_text(parts: ResultParts) -> str:
    """The abnormal values a benign cause explains, as "White cells: 12.5 × 10⁹/L put down to heavy smoking"."""
    items = [
        say("explained_value", value=lab_text(line), causes=_cause_names(parts.explained[line.key]))
        for line in parts.labs if line.status == "abnormal" and parts.explained.get(line.key)
    ]
    return "; ".join(items)


def _not_deferrable(parts: ResultParts) -> str:
    """Why a case with no trigger is not deferred: the abnormal values, then what blocks a deferral."""
    items = [parts.abnormal] if parts.abnormal else []
    items += [say(f"{b.text}_short") for b in parts.blockers]
    return "; ".join(items) or say("not_deferrable_default")


def _options(parts: ResultParts, conflicts: tuple[Conflict, ...], ctx: Context) -> tuple[Option, ...]:
    """The recommendation as a ranked list of options (rules.OPTIONS), with the rules behind each;
    under 18 only the outside-scope options (SPEC 1.2 §1)."""
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
        "abnormal": _not_deferrable(parts),
        "titles": ", ".join(f.title for f in parts.imaging),
    }
    table = OUTSIDE_SCOPE_OPTIONS if parts.no_recommendation else OPTIONS
    rows = [
        row for row in table
        if row.disposition in (parts.disposition, None)
        and (when[row.when] if isinstance(row.when, str) else row.when.holds(ctx))
    ]
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
            "strata_risks": [list(r) for r in rule.strata_risks],
            "lead": rule.lead,
            "report": rule.report,
            "due_after": str(rule.due_after) if rule.due_after else None,
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
             "when": row.when if isinstance(row.when, str) else row.when.describe(), "rules": row.rules}
            for row in OPTIONS + OUTSIDE_SCOPE_OPTIONS
        ],
        "no_recommendation_when": NO_RECOMMENDATION.describe(),
        "deferral_blockers": [{"key": b.key, "when": b.condition.describe(), "text": b.text} for b in BLOCKERS],
        "benign_explanations": BENIGN_EXPLAINS_ALL.describe(),
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
            for (sex, pregnant), limits in DEFAULT_LIMITS.items()
            for name, limit in limits.items()
            if sex is None and not pregnant
        },
        "limit_overrides": dict(OVERRIDDEN_LIMIT),
        "constants": {
            "follow_up_interval_months": T.FOLLOW_UP_INTERVAL_MONTHS,
            "calcium_albumin_factor": str(T.CALCIUM_ALBUMIN_FACTOR),
            "calcium_albumin_reference": str(T.CALCIUM_ALBUMIN_REFERENCE),
            "calcium_albumin_factor_si": str(T.CALCIUM_ALBUMIN_FACTOR_SI),
            "calcium_albumin_reference_si": str(T.CALCIUM_ALBUMIN_REFERENCE_SI),
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


def _compared_limits(condition: object) -> Iterable[tuple[str, str]]:
    """Every (input, limit) pair a condition compares, however deep (named conditions, explanations)."""
    if isinstance(condition, Compare):
        yield condition.fact, condition.limit
    elif isinstance(condition, Named):
        yield from _compared_limits(condition.part)
    elif isinstance(condition, EveryAbnormalExplained):
        for _, check in condition.checks:
            yield from _compared_limits(check)
        for row in condition.explanations:
            yield from _compared_limits(row.when)
    elif isinstance(condition, Condition):
        for part in condition_parts(condition):
            yield from _compared_limits(part)


def _deciding_limits() -> dict[str, tuple[str, ...]]:
    """For each input, the limits that the rules deciding the disposition compare it with."""
    conditions = [rule.condition for rule in RULES if rule.kind in STAGES_BEFORE_DISPOSITION]
    conditions += [named for named in NAMED] + [condition for _, condition in DISPOSITIONS]
    pairs: dict[str, set[str]] = {}
    for condition in conditions:
        for fact, limit in _compared_limits(condition):
            pairs.setdefault(fact, set()).add(limit)
    return {fact: tuple(sorted(limits)) for fact, limits in pairs.items()}


DECIDING_LIMITS = _deciding_limits()


def _deciding_inputs() -> frozenset[str]:
    """The inputs the disposition can depend on: those read by a trigger, an urgent finding, a deferral
    consideration or the precedence table (through the named conditions they use), those that choose a
    limit (sex, pregnancy), and κ and λ, from which the FLC ratio is computed."""
    kinds = (RuleKind.TRIGGER, RuleKind.URGENT, RuleKind.DEFERRAL)
    read = frozenset().union(
        *(rule.condition.inputs() for rule in RULES if rule.kind in kinds),
        *(condition.inputs() for _, condition in DISPOSITIONS),
    )
    chains = {"flc_kappa", "flc_lambda"} if "flc_ratio" in read else set()
    return read | {"sex", "pregnant"} | chains


DECIDING_INPUTS = _deciding_inputs()
