"""evaluate(case) -> Assessment: a small interpreter over the rule table (SPEC §4–6).

Hit policy is *collect*: every rule is evaluated on every case, in table order, and the
disposition is the first row of the precedence table that holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import operator
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import lru_cache
from types import MappingProxyType

from dateutil.relativedelta import relativedelta

from . import thresholds as T
from .conditions import Context, Fact, Limit, Verdict
from .evidence import CITATIONS, EVIDENCE_NOTES
from .inputs import CHOICE_LABELS, INPUTS, Case, Quantity
from .result import (
    Assessment,
    Conflict,
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
from .rules import CORE_COMPLETE, DISPOSITIONS, LAB_CHECKS, PLASMA_CELL_SUSPECTED, RULES, RULES_BY_ID, Rule
from .units import ANALYTES, Unit

PATHWAY_ID = "marrow-heterogeneity-lumbar-mri"
PATHWAY_VERSION = "1.0.0"
SOURCE_DATE = "2025-11-14"

STAGES_BEFORE_DISPOSITION = ("trigger", "deferral", "imaging")
STAGES_AFTER_DISPOSITION = ("follow_up", "pitfall", "mri", "warning")
FINDING_GROUPS = {
    "trigger": "triggers",
    "deferral": "deferral_considerations",
    "imaging": "imaging",
    "follow_up": "follow_up",
}
NOT_UNKNOWN_WHEN_EMPTY = frozenset({"benign_context"})  # an empty set means "none", not unknown
RULES_BY_KIND: dict[str, tuple[Rule, ...]] = {
    kind: tuple(rule for rule in RULES if rule.kind == kind) for kind in dict.fromkeys(r.kind for r in RULES)
}
TRIGGER_IDS = frozenset(rule.id for rule in RULES_BY_KIND.get("trigger", ()))
LABELS = {spec.key: spec.label for spec in INPUTS}

# What the interpreter looks up on every evaluation, worked out once from the table: each stage's
# rules beside their compiled verdicts and bases (see conditions.Condition); further down, each
# rule's citations and note and the result parts that never vary (an inactive pitfall, a warning).
STAGE_VERDICTS = {
    kind: tuple((rule, rule.condition.compiled, rule.condition.compiled_basis) for rule in rules)
    for kind, rules in RULES_BY_KIND.items()
}
DISPOSITION_VERDICTS = tuple((name, cond.compiled) for name, cond in DISPOSITIONS)
# Unknowns are listed in input order; an empty set means "none", so it is never unknown.
UNKNOWN_ORDER = tuple(spec.key for spec in INPUTS if spec.key not in NOT_UNKNOWN_WHEN_EMPTY)
# Optional labs listed as unknown even when no rule waits on them.
ALWAYS_LISTED_OPTIONAL_LABS = frozenset({"urine_mprotein", "egfr", "igg", "iga", "igm"})
# Inputs the facts are built from (the evaluation date is not a fact), with their analytes, and
# one C-level getter that reads them all off a case at once.
FACT_INPUTS = tuple(
    (spec.key, spec.kind, spec.label, ANALYTES.get(spec.key)) for spec in INPUTS if spec.kind != "date"
)
_read_fact_inputs = operator.attrgetter(*(key for key, *_ in FACT_INPUTS))


# --- Facts and limits ------------------------------------------------------------------------


def _label(key: str) -> str:
    return LABELS[key]


def build_facts(case: Case) -> dict[str, Fact]:
    """Every entered input as a fact: quantities in canonical units, categorical values as is."""
    facts: dict[str, Fact] = {}
    for (key, kind, label, analyte), raw in zip(FACT_INPUTS, _read_fact_inputs(case), strict=True):
        if raw is None:
            continue
        if kind == "quantity":
            unit = _unit(key, raw.unit)
            facts[key] = Fact(
                key, label, analyte.convert(raw.value, unit), analyte.canonical_unit, raw.value, unit.symbol
            )
        elif kind == "set":
            if raw:
                entered = tuple(sorted(str(v) for v in raw))
                facts[key] = Fact(key, label, frozenset(entered), "", entered)
        elif kind in ("integer", "ratio"):
            facts[key] = Fact(key, label, Decimal(raw), "", raw)
        else:  # a choice's plain value (`_value_`: Enum.value is a slow descriptor), or a boolean
            value = getattr(raw, "_value_", raw)
            facts[key] = Fact(key, label, value, "", value)
    _derive_flc_ratio(facts)
    _correct_calcium(facts)
    return facts


@lru_cache(maxsize=256)
def _unit(analyte_key: str, symbol: str) -> Unit:
    """An analyte's unit by symbol (aliases included): a handful of pairs, looked up on every lab."""
    return ANALYTES[analyte_key].unit(symbol)


def _derive_flc_ratio(facts: dict[str, Fact]) -> None:
    """Use the lab's ratio when entered; otherwise compute κ/λ; flag a disagreement."""
    kappa, lam = facts.get("flc_kappa"), facts.get("flc_lambda")
    if not (kappa and lam):
        return
    computed = kappa.value / lam.value  # type: ignore[operator]
    basis = f"κ {kappa.value} mg/L ÷ λ {lam.value} mg/L"
    entered = facts.get("flc_ratio")
    if entered is None:
        facts["flc_ratio"] = Fact(
            "flc_ratio", _label("flc_ratio"), computed, "", None, "", f"computed from {basis}"
        )
        return
    if abs(entered.value - computed) > T.FLC_RATIO_DISCREPANCY * computed:  # type: ignore[operator]
        facts["flc_ratio_discrepancy"] = Fact(
            "flc_ratio_discrepancy", "FLC ratio check", True, "", True, "",
            f"entered {entered.value}; {basis} = {computed:.3g}",
        )


def _correct_calcium(facts: dict[str, Fact]) -> None:
    """Corrected Ca = Ca + 0.8 × (4.0 − albumin g/dL) whenever albumin is known (SPEC §2.2)."""
    calcium, albumin = facts.get("calcium"), facts.get("albumin")
    if calcium is None:
        return
    if albumin is None:
        note = "measured total calcium (no albumin entered, so not corrected)"
        facts["calcium"] = calcium._replace(note=note)
        return
    measured = calcium.value
    corrected = measured + T.CALCIUM_ALBUMIN_FACTOR * (T.CALCIUM_ALBUMIN_REFERENCE - albumin.value)  # type: ignore[operator]
    note = (
        f"corrected for albumin {albumin.value} g/dL (measured {measured} mg/dL); "
        "a paraprotein can distort total calcium"
    )
    facts["calcium"] = calcium._replace(value=corrected, note=note)


def resolve_limits(case: Case) -> Mapping[str, Limit]:
    """Thresholds for this case: defaults by sex, replaced by the lab's own limits when given."""
    return _limits_for(case.sex, _overrides_key(case))


def _overrides_key(case: Case) -> tuple[tuple[str, str, Quantity], ...]:
    return tuple(sorted((key, str(q.value), q) for key, q in case.reference_limits.items()))


# Few distinct (sex, lab limits) pairs and every evaluation needs one. The key carries each value as
# written, because 0.5 == 0.50 yet the reference text shows the lab's own digits.
@lru_cache(maxsize=256)
def _limits_for(sex_choice, overrides: tuple[tuple[str, str, Quantity], ...]) -> Mapping[str, Limit]:
    reference_limits = {key: quantity for key, _, quantity in overrides}
    sex = sex_choice.value if sex_choice else "unspecified"
    sex_origin = f"default for {sex}" if sex_choice else "default (sex not given)"

    def fixed(threshold: T.Threshold) -> Limit:
        return Limit(threshold, threshold.value, "default")

    def overridable(key: str, threshold: T.Threshold, origin: str = "default") -> Limit:
        override = reference_limits.get(key)
        if override is None:
            return Limit(threshold, threshold.value, origin)
        analyte = ANALYTES[_OVERRIDE_ANALYTE[key]]
        return Limit(threshold, analyte.canonical(override.value, override.unit), "lab reference limit")

    calcium_uln = overridable("calcium_uln", T.CALCIUM_ULN)
    return MappingProxyType({
        "hb_trigger": fixed(T.HB_TRIGGER),
        "hb_normal_min": overridable("hemoglobin_lln", T.HB_NORMAL_MIN[sex], sex_origin),
        "flc_trigger_high": fixed(T.FLC_TRIGGER_HIGH),
        "flc_trigger_low": fixed(T.FLC_TRIGGER_LOW),
        "flc_normal_low": fixed(T.FLC_NORMAL_LOW),
        "flc_normal_high": fixed(T.FLC_NORMAL_HIGH),
        "calcium_uln": calcium_uln,
        "calcium_crab": fixed(T.CALCIUM_CRAB),
        "calcium_crab_relative": Limit(
            T.CALCIUM_CRAB_ABOVE_ULN, calcium_uln.value + T.CALCIUM_CRAB_ABOVE_ULN.value,
            f"upper limit ({calcium_uln.origin}) + 1.0",
        ),
        "creatinine_uln": overridable("creatinine_uln", T.CREATININE_ULN[sex], sex_origin),
        "creatinine_crab": fixed(T.CREATININE_CRAB),
        "egfr_min": fixed(T.EGFR_MIN),
        "albumin_lln": overridable("albumin_lln", T.ALBUMIN_LLN),
        "b2m_uln": overridable("b2m_uln", T.B2M_ULN),
        **{f"{ig}_lln": overridable(f"{ig}_lln", T.IG_LLN[ig]) for ig in ("igg", "iga", "igm")},
        "age_trigger": fixed(T.AGE_TRIGGER),
        "adult_age": fixed(T.ADULT_AGE),
        "b2m_warn": fixed(T.B2M_WARN),
        "flc_ratio_warn_low": fixed(T.FLC_RATIO_WARN_LOW),
        "flc_ratio_warn_high": fixed(T.FLC_RATIO_WARN_HIGH),
    })


@lru_cache(maxsize=256)
def _lab_plan(sex_choice, overrides: tuple[tuple[str, str, Quantity], ...]) -> tuple[tuple, ...]:
    """Per checklist line, what depends on the limits alone: its reference text and origin, and the
    whole line as shown when the lab is missing (the commonest status)."""
    limits = _limits_for(sex_choice, overrides)
    plan = []
    for check in LAB_CHECKS:
        reference, origin = _describe_limits(check.limits, limits)
        label = _label(check.key)
        missing = LabLine(check.key, label, check.core, "missing", reference=reference, reference_origin=origin)
        normal = check.normal.compiled if check.normal else None
        plan.append((check.key, label, check.core, normal, reference, origin, missing))
    return tuple(plan)


_OVERRIDE_ANALYTE = {
    "hemoglobin_lln": "hemoglobin",
    "calcium_uln": "calcium",
    "creatinine_uln": "creatinine",
    "albumin_lln": "albumin",
    "b2m_uln": "beta2_microglobulin",
    "igg_lln": "igg",
    "iga_lln": "iga",
    "igm_lln": "igm",
}


# --- The interpreter ---------------------------------------------------------------------------


def evaluate(case: Case, *, today: dt.date | None = None) -> Assessment:
    """Evaluate every rule on the case and derive the one disposition (SPEC §5.2)."""
    evaluation_date = case.evaluation_date or today or dt.date.today()
    facts = build_facts(case)
    overrides = _overrides_key(case)
    ctx = Context(facts=facts, limits=_limits_for(case.sex, overrides))
    verdicts: dict[str, Verdict] = {}
    matched: dict[str, tuple[MatchedInput, ...]] = {}
    for stage in STAGES_BEFORE_DISPOSITION:
        _run_stage(stage, ctx, verdicts, matched)
    ctx.disposition = next(name for name, verdict in DISPOSITION_VERDICTS if verdict(ctx) is True)
    for stage in STAGES_AFTER_DISPOSITION:
        _run_stage(stage, ctx, verdicts, matched)

    findings: dict[str, list[Finding]] = {group: [] for group in FINDING_GROUPS.values()}
    mri, warnings = [], []
    # Only the rules that fired, each kind in table order (a stage runs its kind in table order).
    for rule_id, basis in matched.items():
        rule = RULES_BY_ID[rule_id]
        if rule.kind in FINDING_GROUPS:
            findings[FINDING_GROUPS[rule.kind]].append(_finding(rule, basis, ctx, evaluation_date))
        elif rule.kind == "mri":
            mri.append(_mri_item(rule, basis, ctx))
        elif rule.kind == "warning":
            warnings.append(WARNINGS[rule_id])
    pitfalls = tuple(_pitfall(rule, matched.get(rule.id)) for rule in RULES_BY_KIND.get("pitfall", ()))

    triggers = tuple(findings["triggers"])
    deferrals = tuple(findings["deferral_considerations"])
    follow_up = tuple(findings["follow_up"])
    labs = _lab_checklist(ctx, _lab_plan(case.sex, overrides))
    missing_core = tuple(line for line in labs if line.core and line.status in ("missing", "not_done"))
    conflicts = _conflicts(ctx.disposition, triggers, deferrals)
    return Assessment(
        disposition=ctx.disposition,
        summary=_summary(ctx.disposition, triggers, deferrals, follow_up, missing_core, labs),
        options=_options(ctx.disposition, triggers, deferrals, findings["imaging"], follow_up,
                         missing_core, labs, conflicts),
        triggers=triggers,
        deferral_considerations=deferrals,
        imaging=tuple(findings["imaging"]),
        follow_up=follow_up,
        conflicts=conflicts,
        pitfalls=pitfalls,
        mri=tuple(mri),
        labs=labs,
        unknowns=_unknowns(ctx, verdicts, labs),
        warnings=tuple(warnings),
        pathway=PATHWAY_INFO,
        evaluation_date=evaluation_date,
        plasma_cell_disorder_suspected=_plasma_cell_suspected(ctx),
    )


def _run_stage(stage: str, ctx: Context, verdicts: dict, matched: dict) -> None:
    """Record each rule's verdict (true, false, or its missing inputs), and the inputs matched by
    each rule that fired."""
    for rule, verdict, basis in STAGE_VERDICTS.get(stage, ()):
        state = verdicts[rule.id] = verdict(ctx)
        if state is True:
            matched[rule.id] = basis(ctx)
            ctx.fired.add(rule.id)


def _plasma_cell_suspected(ctx: Context) -> bool:
    return bool(PLASMA_CELL_SUSPECTED.test(ctx))


# --- Building the parts of the result ---------------------------------------------------------


def _citations(rule: Rule):
    return tuple(CITATIONS[c] for c in rule.citations)


def _note(rule: Rule):
    return EVIDENCE_NOTES[rule.evidence_note] if rule.evidence_note else None


@lru_cache(maxsize=64)
def _follow_up_due(evaluation_date: dt.date) -> dt.date:
    """The follow-up date; relativedelta is slow and most requests share today's date."""
    return evaluation_date + relativedelta(months=T.FOLLOW_UP_INTERVAL_MONTHS)


def _finding(rule: Rule, matched, ctx: Context, evaluation_date: dt.date) -> Finding:
    labels = rule.labels
    if rule.conditional_labels:
        labels += tuple(text for text, cond in rule.conditional_labels if cond.test(ctx))
    due = _follow_up_due(evaluation_date) if rule.kind == "follow_up" else None
    return Finding(
        id=rule.id, kind=rule.kind, title=rule.title, statement=rule.statement, matched=matched,
        citations=CITATIONS_OF[rule.id], evidence_note=NOTE_OF[rule.id], labels=labels, due_date=due,
    )


def _pitfall(rule: Rule, matched: tuple[MatchedInput, ...] | None) -> Pitfall:
    if matched is None:
        return INACTIVE_PITFALLS[rule.id]
    return Pitfall(rule.id, rule.title, rule.statement, True, rule.active_reason, matched)


def _mri_item(rule: Rule, matched, ctx: Context) -> MriItem:
    low = rule.low_reliability_when is not None and bool(rule.low_reliability_when.test(ctx))
    applicability = rule.applicability
    if low:
        applicability += " Low reliability here: the comparison was made at the clivus (PF-CLIVUS)."
    return MriItem(
        id=rule.id, title=rule.title, figures=rule.figures, applicability=applicability,
        reliability="low" if low else "standard", citations=CITATIONS_OF[rule.id],
        evidence_note=NOTE_OF[rule.id], matched=matched,
    )


def _warning_field(rule: Rule) -> str | None:
    keys = sorted(rule.condition.inputs())
    if not keys:
        return None
    return "flc_ratio" if keys[0] == "flc_ratio_discrepancy" else keys[0]


def _describe_limits(names: Iterable[str], resolved: Mapping[str, Limit]) -> tuple[str, str]:
    limits = [resolved[name] for name in names]
    if not limits:
        return "", ""
    if len(limits) == 2:
        low, high = limits
        text = f"{_num(low.value)}–{_num(high.value)} {high.threshold.unit}".strip()
    else:
        (limit,) = limits
        text = f"{_num(limit.value)} {limit.threshold.unit}".strip()
    return text, limits[-1].origin


def _lab_checklist(ctx: Context, plan: tuple[tuple, ...]) -> tuple[LabLine, ...]:
    """The lab checklist: every lab with its status, canonical value and the limit applied."""
    lines = []
    facts = ctx.facts
    for key, label, core, normal, reference, origin, missing_line in plan:
        fact = facts.get(key)
        if fact is None:
            lines.append(missing_line)
            continue
        if isinstance(fact.value, str) and fact.value == "not_done":  # Decimal == str is slow
            status = "not_done"
        elif normal is None:
            status = "informational"
        else:
            status = "normal" if normal(ctx) is True else "abnormal"
        lines.append(
            LabLine(
                key, label, core, status, fact.entered_value, fact.entered_unit, fact.value, fact.unit,
                reference, origin, fact.note,
            )
        )
    return tuple(lines)


def _unknowns(ctx: Context, verdicts: dict[str, Verdict], labs: tuple[LabLine, ...]) -> tuple[Unknown, ...]:
    """Every missing input that could change a rule or the disposition, in input order."""
    could_change: dict[str, list[str]] = {}
    for rule in RULES:
        verdict = verdicts[rule.id]
        if verdict.__class__ is not bool:  # unknown: the verdict is its missing inputs
            for key in verdict:
                could_change.setdefault(key, []).append(rule.id)
    disposition_open = not CORE_COMPLETE.test(ctx) and not ctx.fired & TRIGGER_IDS
    notes: dict[str, str] = {}
    for line in labs:
        if line.status not in ("missing", "not_done"):
            continue
        if line.core:
            could_change.setdefault(line.key, [])
            if disposition_open:
                could_change[line.key].append("disposition")
            notes[line.key] = "core lab: needed for a complete panel"
        elif line.key in could_change or line.key in ALWAYS_LISTED_OPTIONAL_LABS:
            could_change.setdefault(line.key, [])
            notes[line.key] = "optional: does not block a complete panel"
    # Each rule adds itself once per key (missing inputs are a set), so the lists hold no repeats;
    # walking the input order skips derived facts (flc_ratio_discrepancy) and sorts in one go.
    return tuple(
        _unknown(key, tuple(could_change[key]), notes.get(key, "")) for key in UNKNOWN_ORDER if key in could_change
    )


@lru_cache(maxsize=2048)
def _unknown(key: str, could_change: tuple[str, ...], note: str) -> Unknown:
    """One unknown. It holds only names (an input, rule ids, a note), never an entered value, so the
    same combinations recur across cases; sharing the frozen object saves building ~20 a case."""
    return Unknown(key, LABELS[key], could_change, note)


def _conflicts(disposition: str, triggers, deferrals) -> tuple[Conflict, ...]:
    """Each biopsy trigger paired with each deferral consideration that also applies."""
    if disposition != "PROCEED_TO_BIOPSY":
        return ()
    anemia = any(t.id == "BX-ANEMIA" for t in triggers)
    return tuple(
        Conflict(
            biopsy_rule=t.id,
            deferral_rule=d.id,
            policy=(
                f"Biopsy is indicated by {t.id} ({t.title.lower()}); deferral could be considered "
                f"because of {d.id} ({d.title.lower()}). The trigger decides the disposition; "
                "whether to defer is a clinical judgement for the treating team."
                + (" The source warns against delaying biopsy when anaemia is present." if anemia else "")
            ),
            anemia_caution=anemia,
        )
        for t in triggers
        for d in deferrals
    )


def _num(value: object) -> str:
    """Numbers as entered; long computed ones (a κ/λ ratio) to three significant figures."""
    if isinstance(value, Decimal) and len(value.as_tuple().digits) > 6:
        return f"{value:.3g}"
    return str(value)


def _ids(findings) -> str:
    return ", ".join(f.id for f in findings)


def _abnormal_lines(labs) -> list[LabLine]:
    return [line for line in labs if line.status == "abnormal"]


def _describe_line(line: LabLine) -> str:
    value = f"{_num(line.canonical_value)} {line.canonical_unit}".strip()
    if isinstance(line.canonical_value, str):
        value = CHOICE_LABELS.get(line.canonical_value, line.canonical_value).lower()
    return f"{line.label} {value} (reference {line.reference or 'not detected'})"


def _summary(disposition, triggers, deferrals, follow_up, missing_core, labs) -> str:
    if disposition == "PROCEED_TO_BIOPSY":
        n = len(triggers)
        return f"Proceed to bone marrow biopsy: {n} trigger{'s' if n > 1 else ''} met ({_ids(triggers)})."
    if disposition == "COMPLETE_WORKUP":
        names = ", ".join(line.label for line in missing_core)
        return f"No biopsy trigger so far, but the core labs are incomplete: order {names} now."
    if disposition == "DEFERRAL_REASONABLE":
        text = f"Biopsy may reasonably be deferred ({_ids(deferrals)})"
        if follow_up:
            text += f"; repeat the lab panel by {follow_up[0].due_date.isoformat()}"
        return text + "."
    return (
        "No trigger met, but the labs are not completely normal: strongly consider biopsy"
        f" ({'; '.join(_describe_line(x) for x in _abnormal_lines(labs))})."
    )


def _options(disposition, triggers, deferrals, imaging, follow_up, missing_core, labs, conflicts):
    """The recommendation as a ranked list of options with the rules behind each."""
    opts: list[tuple[str, str, tuple[str, ...]]] = []
    missing_names = ", ".join(line.label for line in missing_core)
    imaging_ids = tuple(f.id for f in imaging)
    if disposition == "PROCEED_TO_BIOPSY":
        opts.append(("biopsy", "Bone marrow biopsy (aspirate and trephine).", tuple(f.id for f in triggers)))
        if missing_core:
            opts.append(("complete_labs", f"Complete the core labs alongside: {missing_names}.", ()))
        if conflicts:
            opts.append((
                "weigh_deferral",
                "Weigh the deferral considerations with the team; the trigger still stands.",
                tuple(f.id for f in deferrals),
            ))
    elif disposition == "COMPLETE_WORKUP":
        opts.append(("complete_labs", f"Order the missing core labs now: {missing_names}.", ()))
        opts.append((
            "consider_biopsy",
            "Strongly consider biopsy: no trigger has been found yet, but the panel is not complete.",
            (),
        ))
    elif disposition == "DEFERRAL_REASONABLE":
        opts.append(("defer", "Defer biopsy, with surveillance.", tuple(f.id for f in deferrals)))
        if follow_up:
            opts.append((
                "repeat_labs",
                f"Repeat the lab panel by {follow_up[0].due_date.isoformat()}; biopsy at once if any "
                "value turns abnormal, without waiting for symptoms.",
                tuple(f.id for f in follow_up),
            ))
        opts.append(("biopsy_if_concern", "Biopsy remains reasonable if clinical concern persists.", ()))
    else:
        abnormal = "; ".join(_describe_line(x) for x in _abnormal_lines(labs))
        opts.append(("consider_biopsy", f"Strongly consider bone marrow biopsy. Abnormal: {abnormal}.", ()))
        opts.append(("discuss", "Discuss with hematology before deciding to defer.", ()))
    if imaging_ids:
        opts.append(("imaging", "Imaging options: " + ", ".join(f.title for f in imaging) + ".", imaging_ids))
    return tuple(Option(rank, action, text, ids) for rank, (action, text, ids) in enumerate(opts, 1))


# --- Pathway identity ----------------------------------------------------------------------------


def rule_table() -> list[dict[str, object]]:
    """The rule table as data: what GET /api/v1/pathway serves and what the hash covers."""
    return [
        {
            "id": rule.id,
            "kind": rule.kind,
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
        }
        for rule in RULES
    ]


def pathway_content() -> dict[str, object]:
    """Everything that decides a result: rules, precedence, thresholds, evidence, units."""
    return {
        "rules": rule_table(),
        "dispositions": [{"disposition": d, "when": c.describe()} for d, c in DISPOSITIONS],
        "thresholds": [
            {"name": t.name, "value": str(t.value), "unit": t.unit, "source": t.source}
            for t in T.ALL_THRESHOLDS
        ],
        "constants": {
            "follow_up_interval_months": T.FOLLOW_UP_INTERVAL_MONTHS,
            "calcium_albumin_factor": str(T.CALCIUM_ALBUMIN_FACTOR),
            "calcium_albumin_reference": str(T.CALCIUM_ALBUMIN_REFERENCE),
            "flc_ratio_discrepancy": str(T.FLC_RATIO_DISCREPANCY),
        },
        "units": {
            a.key: [[u.symbol, str(u.multiplier), str(u.divisor)] for u in a.units]
            + [["precision", str(a.precision)]]
            for a in ANALYTES.values()
        },
        "evidence_notes": {n.id: n.text for n in EVIDENCE_NOTES.values()},
        "citations": {c.id: c.text for c in CITATIONS.values()},
    }


def _content_hash() -> str:
    canonical = json.dumps(pathway_content(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


PATHWAY_INFO = PathwayInfo(PATHWAY_ID, PATHWAY_VERSION, SOURCE_DATE, _content_hash())

CITATIONS_OF = {rule.id: _citations(rule) for rule in RULES}
NOTE_OF = {rule.id: _note(rule) for rule in RULES}
INACTIVE_PITFALLS = {
    rule.id: Pitfall(rule.id, rule.title, rule.statement, False, "Not raised by this case's inputs.", ())
    for rule in RULES_BY_KIND.get("pitfall", ())
}
WARNINGS = {rule.id: Warning(rule.id, rule.statement, _warning_field(rule)) for rule in RULES_BY_KIND.get("warning", ())}
