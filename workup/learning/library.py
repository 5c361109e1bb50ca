"""The evidence library: everything one rule's page shows, assembled from the rule table.

What the source pathway claimed is written here in our own words (the source is an AI-generated
article pending human review); the rest (condition, thresholds, evidence note, citations, golden
cases) is read from the engine's tables so the page cannot disagree with the rules applied.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from workup.learning import golden, vignettes
from workup.pathway import thresholds as T
from workup.pathway.conditions import (
    Alternatives,
    Compare,
    Condition,
    CountOf,
    Entered,
    Is,
    Known,
    Named,
    NonEmpty,
    Requires,
    condition_parts,
)
from workup.pathway.engine import DEFAULT_LIMITS, resolve_limits
from workup.pathway.evidence import CITATIONS, EVIDENCE_NOTES
from workup.pathway.inputs import CHOICE_LABELS, INPUTS_BY_KEY, Case
from workup.pathway.result import Citation, EvidenceNote
from workup.pathway.rules import RULES, RULES_BY_ID, Rule

SOURCE_CITATION = "SOURCE-PATHWAY"

KIND_LABELS = {
    "trigger": "Biopsy trigger",
    "urgent": "Urgent finding (same-day haematology contact; leads every output)",
    "deferral": "Deferral consideration",
    "imaging": "Imaging option",
    "follow_up": "Follow-up",
    "pitfall": "Pitfall",
    "mri": "MRI signal sign (informational)",
    "warning": "Scope guard or entry check",
    "criterion": "Published criterion (cross-check beside the source; never changes the result)",
}

# What the source pathway said, paraphrased. Only rules that cite the source have an entry.
SOURCE_CLAIMS: dict[str, str] = {
    "BX-ANEMIA": "A hemoglobin under 12 g/dL is on the source's list of reasons to biopsy. It backs "
    "this with one biopsied series in which hemoglobin was lower when a neoplasm was found "
    "(p = 0.037) and later calls anaemia the most predictive laboratory finding.",
    "BX-MPROTEIN": "Any monoclonal protein found on serum or urine testing is a reason to biopsy; "
    "the source calls electrophoresis with immunofixation essential for finding one.",
    "BX-FLC": "An abnormal free light chain ratio is a reason to biopsy, and the source defines "
    "abnormal as a κ/λ ratio above 8 or below 0.125.",
    "BX-CALCIUM": "Raised serum calcium is listed (together with renal dysfunction) as a reason to "
    "biopsy, as a screen for end-organ damage. The source gives no number.",
    "BX-RENAL": "Renal dysfunction is listed (together with raised calcium) as a reason to biopsy. "
    "The source gives no number for it either.",
    "BX-IMMUNOPARESIS": "Suppressed immunoglobulins (immunoparesis) are listed as a reason to biopsy.",
    "BX-AGE-WEIGHT-LOSS": "Age over 50 with weight loss that has no explanation is listed as a "
    "reason to biopsy.",
    "BX-CANCER-HISTORY": "Any history of cancer is listed as a reason to biopsy.",
    "DF-NORMAL-LABS": "Deferral is allowed only when every laboratory value is completely normal. "
    "The source opens by urging biopsy because, it says, 42–47% of such findings prove to be "
    "hematolymphoid neoplasms.",
    "DF-LIFE-EXPECTANCY": "Deferral may be considered when advanced age or other illness limits "
    "life expectancy.",
    "DF-BENIGN-CONTEXT": "Deferral may be considered when the clinical picture strongly suggests a "
    "benign cause; the source's only example is chronic anaemia with a known cause. The other "
    "benign causes the tool accepts come from the evidence review, not from the source.",
    "IM-MRI-CONTRAST": "When malignancy, infection or inflammation is suspected, the source offers "
    "a lumbar MRI without and with intravenous contrast.",
    "IM-PET-CT": "The source offers whole-body FDG-PET/CT to help tell benign from pathological "
    "findings and to look for disease outside the marrow.",
    "IM-SKELETAL-SURVEY": "The source offers a skeletal survey when a plasma-cell disorder is suspected.",
    "IM-PRECONTRAST-T1": "The source insists that precontrast sequences are essential and that "
    "marrow should never be imaged with contrast only.",
    "FU-REPEAT-LABS": "If biopsy is skipped because the labs were completely normal, the source "
    "repeats them at 3 months, sends any new abnormality straight to biopsy and says not to wait "
    "for symptoms, because finding disease early improves outcomes.",
    "PF-MRI-ALONE": "The source warns against calling the marrow benign from its MRI appearance, "
    "because benign and malignant signal overlap a great deal.",
    "PF-ANEMIA-DELAY": "The source warns against putting off biopsy when the patient is anaemic, "
    "calling anaemia the laboratory finding that best predicts a neoplasm.",
    "PF-CLIVUS": "The source warns that clival marrow varies more than calvarial or vertebral "
    "marrow and is a less accurate reference.",
    "PF-CONTRAST-ONLY": "The source warns against a marrow MRI done with contrast only.",
    "MRI-T1-WM": "The source states that marrow hypointense to white matter on T1 is 93% sensitive "
    "and 86% specific for a pathological marrow (UNCONFIRMED: not checked against the original "
    "paper, which compared patients with healthy controls).",
    "MRI-T1-GM": "The source states that marrow hypointense to gray matter on T1 is 96% specific but "
    "only 67% sensitive (UNCONFIRMED: not checked against the original paper, which compared "
    "patients with healthy controls).",
    "MRI-PATTERN-HOMOGENEOUS": "The source notes that a diffuse homogeneous pattern can be benign "
    "hyperplasia or diffuse infiltration by a neoplasm.",
    "MRI-PATTERN-VARIEGATED": "The source notes that a variegated pattern occurs both in older "
    "people and in myeloma.",
}

# Rules the tool has that the source pathway does not, and where they come from.
NOT_IN_SOURCE: dict[str, str] = {
    # SPEC §10: the published criteria, each against the source rule it sits beside.
    "CRIT-WHO-ANEMIA": "Not in the source. The WHO anaemia cut-off depends on sex (13.0 g/dL for men, "
    "12.0 for women, 11.0 in pregnancy), where the source uses 12 g/dL for everyone: a man with "
    "12.5 g/dL is anaemic by WHO but does not reach the source's BX-ANEMIA. The figures are those of "
    "WHO 2011 (WHO/NMH/NHD/MNM/11.1), kept by the WHO 2024 guideline, which also adjusts them for "
    "smoking and altitude; the tool does not apply those adjustments.",
    "CRIT-IMWG-ANEMIA": "Not in the source. The IMWG 2014 CRAB anaemia threshold is below 10.0 g/dL "
    "or more than 2.0 g/dL under the lower limit (so below 11.0 g/dL for a man, 10.0 g/dL for a woman "
    "with the WHO limits), lower than the source's 12 g/dL: many cases that fire BX-ANEMIA do not meet "
    "it. Meeting it defines nothing by itself: a CRAB feature counts towards myeloma only with 10 % or "
    "more clonal marrow plasma cells (or a plasmacytoma) and when the clone causes it.",
    "CRIT-IMWG-CALCIUM": "Not in the source, which gives no number for calcium. IMWG 2014 asks for more "
    "than 11.0 mg/dL or more than 1.0 mg/dL over the upper limit; BX-CALCIUM fires at any value over "
    "the upper limit.",
    "CRIT-IMWG-RENAL": "Not in the source, which gives no number. IMWG 2014 asks for creatinine above "
    "2.0 mg/dL (177 µmol/L) or a clearance below 40; BX-RENAL fires above the upper limit or below an "
    "eGFR of 60. Here the eGFR stands in for the creatinine clearance.",
    "CRIT-FLC-PUBLISHED": "The source cites this breakpoint but writes it as strict (> 8, < 0.125). "
    "Dispenzieri 2008 published it inclusive (≥ 8, ≤ 0.125), and in diagnosed smouldering myeloma, not "
    "as a biopsy trigger: a ratio of exactly 8 meets the published figure but not BX-FLC.",
    "CRIT-SLIM-FLC": "Not in the source. The IMWG 2014 SLiM criterion asks for an involved/uninvolved "
    "ratio of 100 or more with the involved chain at 100 mg/L or more; it needs κ and λ themselves, "
    "not only their ratio. BX-FLC fires far earlier, above 8.",
    "CRIT-SLIM-FOCAL": "The source does not list focal lesions; the app's BX-FOCAL adds this IMWG 2014 "
    "criterion. From a lumbar MRI it can be met but never excluded, because spine-only imaging misses "
    "about half of focal lesions.",
    "CRIT-SLIM-BMPC": "Not in the source. Clonal plasma cells of 60 % or more define myeloma (IMWG "
    "2014), but only the marrow sample can show it, so it is never judged here.",
    "CRIT-MGUS-RISK": "Not in the source, which sends any monoclonal protein to biopsy (BX-MPROTEIN). "
    "IMWG 2010 places MGUS by three risk factors and advises a baseline marrow from intermediate risk "
    "up; in low-risk MGUS with normal hemoglobin, calcium and creatinine, leaving the marrow out "
    "missed myeloma in under 1 % (Sidiqi 2020).",
    "BX-FOCAL": "Not in the source. Added from the IMWG 2014 criteria, where more than one focal "
    "lesion of 5 mm or more on MRI is myeloma-defining only with ≥ 10 % clonal marrow plasma cells; "
    "alone it may be metastases. Marked as an extension wherever it shows.",
    "MRI-T1-DISC": "Not in the source. Added because the source's white- and gray-matter "
    "references are not in a lumbar field of view; the disc is the lumbar internal standard "
    "studied by Carroll 1997.",
    "MRI-T1-MUSCLE": "Not in the source. Added for the same reason as MRI-T1-DISC: paraspinal "
    "muscle is a lumbar internal standard (Carroll 1997).",
    "SCOPE-PEDIATRIC": "Not in the source. The tool's own scope guard, from the specification: "
    "the pathway is for adults.",
    "SCOPE-FOCAL": "Not in the source. The tool's own scope guard: the pathway covers diffuse change only.",
    "SCOPE-KNOWN-CAUSE": "Not in the source. The tool's own scope guard: the pathway is for change "
    "of unclear cause.",
    "WARN-B2M-HIGH": "Not in the source. An entry check from the evidence review's design "
    "heuristics (units of β2-microglobulin are often mislabelled).",
    "WARN-FLC-RATIO-EXTREME": "Not in the source. An entry check from the evidence review's design "
    "heuristics.",
    "WARN-FLC-RATIO-DISCREPANCY": "Not in the source. An entry check: the lab's ratio and κ ÷ λ "
    "should agree.",
    # SPEC 1.2: the blood count, urgent findings, pregnancy and the checks that came with them.
    "BX-CYTOPENIA": "Not in the source, which asks for a blood count with differential and completely "
    "normal results but names no cytopenia trigger. Added in pathway 1.2 after a clinical review: its "
    "depths (platelets below 100, neutrophils below 1.5 × 10⁹/L) are the cytopenia an MDS working "
    "conference made a precondition for MDS (Valent 2007), not a guideline's biopsy indication; any "
    "two lineages below their lower limits count too. Marked as an extension wherever it shows.",
    "BX-BLOOD-FILM": "Not in the source. Added in pathway 1.2: a leukoerythroblastic film, teardrop "
    "cells or circulating blasts point to an infiltrated or fibrosed marrow, or a leukaemia, though "
    "sepsis, bleeding, haemolysis and megaloblastic anaemia can give the first two. Marked as an extension.",
    "URGENT-BLASTS": "Not in the source, which is not for time-critical decisions. Pathway 1.2 makes "
    "circulating blasts an urgent finding that leads every output: same-day haematology review.",
    "URGENT-NEUTROPENIA": "Not in the source. Pathway 1.2's urgent finding for neutrophils below "
    "0.5 × 10⁹/L (white cells when no differential is entered): a common critical value, replaced by "
    "the lab's own.",
    "URGENT-THROMBOCYTOPENIA": "Not in the source. Pathway 1.2's urgent finding for platelets below "
    "20 × 10⁹/L: a common critical value, replaced by the lab's own.",
    "FU-REPEAT-COUNT": "Not in the source. Pathway 1.2 repeats the count and the film at 4 weeks when "
    "smoking or G-CSF was taken to explain a raised white count, so a cause that was assumed is checked.",
    "SCOPE-PREGNANCY": "Not in the source. The tool's own scope guard from pathway 1.2: imaging with "
    "ionising radiation and gadolinium needs radiology advice in pregnancy, and the hemoglobin lower "
    "limit is 11.0 g/dL (WHO).",
    "WARN-GCSF-OR-ESA": "Not in the source. An entry check: before 1.2 G-CSF and erythropoietin were one "
    "choice; they explain different things, so the old choice explains nothing and asks which was meant.",
    "WARN-IMMUNOPARESIS-REPORTED": "Not in the source. An entry check: a reported immunoparesis beside "
    "immunoglobulins entered as normal; the entered values decide.",
}


# A source claim is never repeated without the evidence note that answers it: each phrase of a
# claim (or of a rule's statement) names the note that must appear on the same page.
CLAIM_ANSWERS: tuple[tuple[str, str], ...] = (
    ("42–47%", "EN-YIELD"),
    ("most predictive", "EN-HB"),
    ("best predicts", "EN-HB"),
    ("early improves outcomes", "EN-FOLLOW-UP"),
    ("do not wait for symptoms", "EN-FOLLOW-UP"),
)

# Condition classes that combine others, in words; any other class with parts is shown generically.
_COMBINATORS = {
    "AnyOf": "any one of these holds:",
    "AllOf": "all of these hold:",
    "Not": "this does not hold:",
    "IfKnown": "when it is entered, this holds:",
}
_MAX_DEPTH = 6

# Facts the engine derives from inputs (not inputs themselves), by the label the engine gives them.
DERIVED_FACT_LABELS = {
    "flc_involved": "Involved free light chain",
    "flc_involved_ratio": "Involved/uninvolved FLC ratio",
    "flc_ratio_discrepancy": "FLC ratio check",
    "hb_lower_limit_known": "Hemoglobin lower limit known",
}
# Who each default limit applies to, in the order a page lists them.
_SEX_WORDS = (
    (("male", False), "men"),
    (("female", False), "women"),
    ((None, False), "sex not recorded"),
    (("unspecified", False), "unspecified"),
    (("female", True), "pregnant women"),
)
_OP_WORDS = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def fact_label(key: str) -> str:
    """What a page calls an input or a derived fact."""
    if key in INPUTS_BY_KEY:
        return INPUTS_BY_KEY[key].label
    return DERIVED_FACT_LABELS.get(key, key)


def limit_words(limit_name: str) -> str:
    """A default limit with its figures and units, per sex where it differs (read from the engine's
    default limits): "10.4 mg/dL (2.60 mmol/L)", "13.0 g/dL for men; 12.0 g/dL for women, …"."""
    by_text: dict[str, list[str]] = {}
    relative = ""
    for sex, who in _SEX_WORDS:
        limit = DEFAULT_LIMITS[sex][limit_name]
        unit = f" {limit.threshold.unit}" if limit.threshold.unit else ""
        stated = "".join(f" ({value} {other})" for other, value in limit.stated.items())
        by_text.setdefault(f"{limit.text}{unit}{stated}", []).append(who)
        if limit.value != limit.threshold.value:  # stated relative to another limit (SPEC §10)
            relative = re.sub(r" \([^)]*\)", "", limit.origin)
    if len(by_text) == 1:
        text = next(iter(by_text))
    else:
        text = "; ".join(f"{figure} for {_either(who)}" for figure, who in by_text.items())
    return f"{text} (the {relative})" if relative else text


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def compare_words(compare: Compare) -> str:
    """A comparison as a clinician reads it: the input, the operator and the limit's figures."""
    return f"{fact_label(compare.fact)} {_OP_WORDS[compare.op]} {limit_words(compare.limit)}"


def _leaf_words(cond: Condition) -> str:
    """A condition without parts in words; the engine's own description for any other kind."""
    if isinstance(cond, Compare):
        return compare_words(cond)
    if isinstance(cond, Is):
        if cond.values == (True,):
            return f"{fact_label(cond.fact)}: yes"
        shown = " or ".join(CHOICE_LABELS.get(str(v), str(v)) for v in cond.values)
        return f"{fact_label(cond.fact)}: {shown}"
    if isinstance(cond, Known | Entered):
        return f"{fact_label(cond.fact)} entered"
    if isinstance(cond, NonEmpty):
        return f"{fact_label(cond.fact)}: at least one chosen"
    return cond.describe()


@dataclass(frozen=True, slots=True)
class ConditionLine:
    """One line of a rule's "when it applies" list; `rule_id` links to another rule's page."""

    text: str
    children: tuple[ConditionLine, ...] = ()
    rule_id: str = ""


def condition_lines(cond: Condition, *, seen: frozenset[str] = frozenset(), depth: int = 0) -> ConditionLine:
    """The condition as a nested list in words, read from the condition objects of the rule table.

    A rule that depends on another rule firing shows that rule's own conditions beneath it, so the
    page lists every way the rule can apply. Unknown condition classes fall back to describe().
    """
    name = type(cond).__name__
    parts = tuple(condition_parts(cond))
    rule_id = getattr(cond, "rule_id", None)
    prefix = getattr(cond, "prefix", None)
    disposition = getattr(cond, "disposition", None)
    if depth >= _MAX_DEPTH:
        return ConditionLine(_leaf_words(cond))
    if isinstance(cond, Named):  # a shared condition reads as what it contains
        return condition_lines(cond.part, seen=seen, depth=depth)
    if isinstance(cond, Alternatives):
        children = tuple(condition_lines(p, seen=seen, depth=depth + 1) for p in parts)
        return ConditionLine("any one of these holds, among those that were measured:", children)
    if isinstance(cond, CountOf):
        children = tuple(condition_lines(p, seen=seen, depth=depth + 1) for p in parts)
        return ConditionLine(
            "at least one of these risk factors holds (how many sets the stratum):", children
        )
    if isinstance(cond, Requires):
        gate = condition_lines(cond.gate, seen=seen, depth=depth + 1)
        part = condition_lines(cond.part, seen=seen, depth=depth + 1)
        return ConditionLine("it can be judged only when this holds:", (gate, part))
    if name in _COMBINATORS and parts:
        if name in ("AnyOf", "AllOf"):  # (a AND (b AND c)) reads as one list: a, b, c
            parts = _flattened(name, parts)
        children = tuple(condition_lines(p, seen=seen, depth=depth + 1) for p in parts)
        if name in ("AnyOf", "AllOf") and len(children) == 1:
            return children[0]
        return ConditionLine(_COMBINATORS[name], children)
    if isinstance(rule_id, str) and rule_id in RULES_BY_ID:
        other = RULES_BY_ID[rule_id]
        text = f"{rule_id} ({other.title}) fired"
        if rule_id in seen:
            return ConditionLine(text, rule_id=rule_id)
        below = condition_lines(other.condition, seen=seen | {rule_id}, depth=depth + 1)
        return ConditionLine(text + ", which needs:", (below,), rule_id=rule_id)
    if isinstance(prefix, str):
        rules = [r for r in RULES if r.id.startswith(prefix)]
        kinds = {KIND_LABELS.get(r.kind, r.kind).lower() for r in rules}
        what = " or ".join(sorted(kinds)) or f"rule starting {prefix}"
        children = tuple(ConditionLine(f"{r.id} ({r.title})", rule_id=r.id) for r in rules)
        return ConditionLine(f"any {what} fired:", children)
    if isinstance(disposition, str):
        from workup.report import DISPOSITION_HEADLINES

        return ConditionLine(f"the result is “{DISPOSITION_HEADLINES.get(disposition, disposition)}”")
    if parts:  # a combinator this page does not know yet: its own words, then its parts
        children = tuple(condition_lines(p, seen=seen, depth=depth + 1) for p in parts)
        return ConditionLine(cond.describe(), children)
    return ConditionLine(_leaf_words(cond))


def _flattened(name: str, parts: tuple[Condition, ...]) -> tuple[Condition, ...]:
    flat: list[Condition] = []
    for part in parts:
        while isinstance(part, Named):  # a shared condition is read in place
            part = part.part
        flat.extend(
            _flattened(name, tuple(condition_parts(part))) if type(part).__name__ == name else (part,)
        )
    return tuple(flat)


@dataclass(frozen=True, slots=True)
class CitationLink:
    id: str
    text: str
    links: tuple[tuple[str, str], ...]  # (label, url)


@dataclass(frozen=True, slots=True)
class ThresholdRow:
    name: str
    value: str
    unit: str
    source: str
    used_as: str


@dataclass(frozen=True, slots=True)
class GoldenRef:
    name: str
    description: str
    disposition: str


@dataclass(frozen=True, slots=True)
class WorkedRef:
    """A worked case that turns on the rule: as a key rule, or as a criterion it expects."""

    id: str
    title: str
    role: str


@dataclass(frozen=True, slots=True)
class LabelLine:
    text: str
    when: str


@dataclass(frozen=True, slots=True)
class RuleEntry:
    """One page of the evidence library."""

    rule: Rule
    kind_label: str
    condition: str
    applies_when: ConditionLine
    reads: tuple[str, ...]
    source_claim: str
    in_source: bool
    evidence_note: EvidenceNote | None
    answering_notes: tuple[EvidenceNote, ...]  # notes that answer a claim repeated on the page
    citations: tuple[CitationLink, ...]
    thresholds: tuple[ThresholdRow, ...]
    golden_cases: tuple[GoldenRef, ...]
    golden_heading: str  # what the listed golden cases show about the rule
    golden_none: str  # what the page says when no golden case is listed
    worked_cases: tuple[WorkedRef, ...]
    conditional_labels: tuple[LabelLine, ...]


def citation_links(citation: Citation) -> CitationLink:
    """A citation with a DOI link and a PubMed link where the identifiers are known."""
    links = []
    if citation.doi:
        links.append((f"doi:{citation.doi}", f"https://doi.org/{citation.doi}"))
    if citation.pmid:
        links.append((f"PubMed {citation.pmid}", f"https://pubmed.ncbi.nlm.nih.gov/{citation.pmid}/"))
    if citation.url:
        links.append(("web page", citation.url))
    return CitationLink(citation.id, citation.text, tuple(links))


def _compares(cond: Condition) -> Iterator[Compare]:
    if isinstance(cond, Compare):
        yield cond
    for part in condition_parts(cond):
        yield from _compares(part)


def _threshold_rows(rule: Rule) -> tuple[ThresholdRow, ...]:
    """Every named limit the rule (or one of its labels) compares against, with all variants."""
    defaults = resolve_limits(Case())
    conditions = [rule.condition, *(cond for _, cond in rule.conditional_labels)]
    rows: dict[tuple[str, str], ThresholdRow] = {}
    for cond in conditions:
        for compare in _compares(cond):
            limit = defaults[compare.limit]
            used_as = compare_words(compare)
            variants = [t for t in T.ALL_THRESHOLDS if t.name == limit.threshold.name] or [limit.threshold]
            if compare.limit == "calcium_crab_relative":  # computed: ULN + 1.0 mg/dL
                variants = [limit.threshold]
            for t in variants:
                rows.setdefault(
                    (t.name, t.source), ThresholdRow(t.name, str(t.value), t.unit, t.source, used_as)
                )
    return tuple(rows.values())


def _golden_refs(rule: Rule) -> tuple[GoldenRef, ...]:
    """The golden cases in which the rule holds; for a published criterion, those that meet it."""
    cases = golden.cases_meeting(rule.id) if rule.kind == "criterion" else golden.cases_exercising(rule.id)
    return tuple(GoldenRef(c["name"], c["description"], c["expected"]["disposition"]) for c in cases)


def _golden_none(rule: Rule) -> str:
    if rule.kind == "criterion":
        pinned = len(golden.cases_pinning(rule.id))
        return f"No golden case meets it; {pinned} golden cases pin its status as not met or not evaluable."
    if rule.kind == "warning":
        return (
            "No golden case makes this rule hold. It is an entry check exercised by the engine's unit tests."
        )
    return "No golden case makes this rule hold."


def _worked_refs(rule_id: str) -> tuple[WorkedRef, ...]:
    refs = []
    for v in vignettes.vignettes():
        if rule_id in v.key_rules:
            refs.append(WorkedRef(v.id, v.title, "a key rule of the case"))
        elif rule_id in v.criteria:
            refs.append(WorkedRef(v.id, v.title, f"expected {v.criteria[rule_id].replace('_', ' ')}"))
    return tuple(refs)


def inline_words(cond: Condition) -> str:
    """A condition on one line, in words with its figures (for a label's "when")."""
    while isinstance(cond, Named):
        cond = cond.part
    name = type(cond).__name__
    if name in ("AnyOf", "Alternatives"):
        return " or ".join(inline_words(p) for p in condition_parts(cond))
    if name == "AllOf":
        return " and ".join(inline_words(p) for p in condition_parts(cond))
    return _leaf_words(cond)


@cache
def rule_entry(rule_id: str) -> RuleEntry | None:
    """The library page of one rule, or None for an unknown id."""
    rule = RULES_BY_ID.get(rule_id)
    if rule is None:
        return None
    in_source = SOURCE_CITATION in rule.citations
    claim = SOURCE_CLAIMS[rule.id] if in_source else NOT_IN_SOURCE[rule.id]
    reads = tuple(
        INPUTS_BY_KEY[key].label if key in INPUTS_BY_KEY else key for key in sorted(rule.condition.inputs())
    )
    own_note = EVIDENCE_NOTES.get(rule.evidence_note or "")
    return RuleEntry(
        rule=rule,
        kind_label=KIND_LABELS[rule.kind],
        condition=rule.condition.describe(),
        applies_when=condition_lines(rule.condition, seen=frozenset({rule.id})),
        reads=reads,
        source_claim=claim,
        in_source=in_source,
        evidence_note=own_note,
        answering_notes=answering_notes(f"{claim} {rule.statement}", own=own_note),
        citations=tuple(citation_links(CITATIONS[c]) for c in rule.citations),
        thresholds=_threshold_rows(rule),
        golden_cases=_golden_refs(rule),
        golden_heading=(
            "Golden test cases that meet it"
            if rule.kind == "criterion"
            else "Golden test cases that exercise it"
        ),
        golden_none=_golden_none(rule),
        worked_cases=_worked_refs(rule.id),
        conditional_labels=tuple(LabelLine(text, inline_words(c)) for text, c in rule.conditional_labels),
    )


def answering_notes(text: str, *, own: EvidenceNote | None = None) -> tuple[EvidenceNote, ...]:
    """The evidence notes that answer a source claim repeated in `text`, other than the rule's own."""
    ids = dict.fromkeys(note_id for phrase, note_id in CLAIM_ANSWERS if phrase.lower() in text.lower())
    return tuple(EVIDENCE_NOTES[i] for i in ids if i in EVIDENCE_NOTES and (own is None or own.id != i))


def rule_index() -> tuple[tuple[str, tuple[Rule, ...]], ...]:
    """Every rule, grouped by kind in table order."""
    return tuple((label, tuple(r for r in RULES if r.kind == kind)) for kind, label in KIND_LABELS.items())
