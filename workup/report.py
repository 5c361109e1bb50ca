"""Report text (SPEC 1.2 §6.1): the impression a radiologist pastes and signs, the provenance line shown
under it (never copied with it), and the hematology referral summary.

The impression is prose in the radiologist's voice: no rule id, hash, code or internal value. Every
sentence is a template of the pathway content (wording.TEXT, covered by the rule-content hash); the
values come from the result, each once, with its unit as entered.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from workup.pathway.engine import RULES_BY_ID, match_text
from workup.pathway.inputs import CHOICE_LABELS, INPUTS, Case, Quantity
from workup.pathway.result import Assessment, Finding, LabLine, MatchedInput
from workup.pathway.units import unit_text
from workup.pathway.wording import HEADLINES, REPORT_TEXT, Disposition, say


def format_number(value: object) -> str:
    """A number as a laboratory would print it: no exponent; a value with up to four decimals as it
    is (the engine already rounded it no further than its thresholds allow), a longer one to four
    significant decimals."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        return str(value)
    number = Decimal(str(value))
    if number.is_zero():
        number = number.copy_abs()  # a lab prints 0, never -0; equal values must print alike
    if number != number.to_integral_value() and number.as_tuple().exponent < -4:
        number = Decimal(f"{number:.4g}") if abs(number) < 1 else number.quantize(Decimal("0.01")).normalize()
    return f"{number.normalize():f}"


def as_entered(value: object) -> str:
    """A number as the person typed it (trailing zeros kept: "15.0", "12.0"), never in exponent form."""
    if isinstance(value, Decimal) and value.is_finite():
        return f"{value:f}"
    return format_number(value)


DISPOSITION_HEADLINES = HEADLINES
NOT_FOR_URGENT_USE = say("not_for_urgent_use")


def headline(assessment: Assessment) -> str:
    """The headline every presenter shows (see headline_of)."""
    return headline_of(
        assessment.disposition, {w.id for w in assessment.warnings},
        deferral_ids={d.id for d in assessment.deferral_considerations},
        abnormal=any(line.status == "abnormal" for line in assessment.labs),
    )


def headline_of(disposition: str, warning_ids: set[str], *, deferral_ids: set[str] | None = None,
                abnormal: bool = False) -> str:
    """The disposition in words, or what a scope guard says instead (SPEC 1.2 §1: under 18 no
    recommendation; a known cause "for reference only"); a deferral on limited life expectancy alone
    beside abnormal results says so (§5.2 (a)). A stored result is read the same way."""
    words = HEADLINES.get(disposition, disposition)
    if disposition == Disposition.DEFERRAL_REASONABLE and deferral_ids == {"DF-LIFE-EXPECTANCY"} and abnormal:
        words = rsay("headline_life_expectancy_abnormal")
    if "SCOPE-PEDIATRIC" in warning_ids:
        return rsay("headline_pediatric")
    if "SCOPE-KNOWN-CAUSE" in warning_ids:
        return rsay("headline_known_cause", headline=words.lower())
    return words


def headline_of_result(result: dict) -> str:
    """A stored result's headline (Assessment.to_dict()), read as `headline` reads an assessment."""
    return headline_of(
        result.get("disposition", ""), {w["id"] for w in result.get("warnings", ())},
        deferral_ids={d["id"] for d in result.get("deferral_considerations", ())},
        abnormal=any(line.get("status") == "abnormal" for line in result.get("labs", ())),
    )


def lead_of(result: dict) -> list[str]:
    """The lead lines of a stored result (Assessment.to_dict()): its urgent findings, then the first
    line of each scope guard it raised, in the rule table's order (SPEC 1.2 §1)."""
    lines = [u["text"] for u in result.get("urgent", ())]
    return lines + [RULES_BY_ID[w["id"]].lead for w in result.get("warnings", ())
                    if w["id"] in RULES_BY_ID and RULES_BY_ID[w["id"]].lead]


def rsay(key: str, /, **values: object) -> str:
    """The report sentence `key` (wording.REPORT_TEXT), with its fields filled in."""
    return REPORT_TEXT[key].format(**values) if values else REPORT_TEXT[key]


@dataclass(frozen=True, slots=True)
class Report:
    impression: str  # what "Copy impression" copies: prose only
    referral: str
    provenance: str = ""  # shown under the impression, never copied with it
    mri_recorded: bool = True  # False: "Copy impression" is disabled until the MRI signs are entered


def workup_report(*, case: Case, assessment: Assessment, locally_approved: bool = False) -> Report:
    """The impression, its provenance line and the referral summary for one evaluated case."""
    sentences = impression_sentences(assessment, case=case, locally_approved=locally_approved)
    provenance = provenance_line(assessment)
    lines = [rsay("referral_title"), "", *sentences, "", rsay("referral_inputs")]
    lines += [f"  {label}: {value}" for label, value in entered_inputs(case=case)] or [
        f"  {rsay('referral_none_entered')}"
    ]
    unknowns = [u.label for u in assessment.unknowns if u.could_change_result]
    if unknowns:
        lines += ["", rsay("referral_unknowns", items=", ".join(unknowns))]
    if not mri_recorded(case):
        lines += ["", rsay("referral_mri_not_recorded")]
    lines += [
        "", rsay("referral_evaluated", date=assessment.evaluation_date.isoformat()), NOT_FOR_URGENT_USE,
        rsay("referral_provenance", provenance=provenance, hash=assessment.pathway.hash,
             rules=", ".join(sorted(assessment.fired_ids | assessment.active_pitfall_ids)) or rsay("no_rules")),
    ]
    return Report(" ".join(sentences), "\n".join(lines), provenance, mri_recorded(case))


MRI_KEYS = tuple(spec.key for spec in INPUTS if spec.group == "mri")


def mri_recorded(case: Case) -> bool:
    """Whether any MRI sign was entered (a radiologist cannot sign "signs not recorded")."""
    return any(getattr(case, key) not in (None, "not_assessed") for key in MRI_KEYS)


def impression_sentences(assessment: Assessment, *, case: Case, locally_approved: bool = False) -> list[str]:
    """SPEC 1.2 §6.1, in order: urgent findings; the scope guard; the finding with its MRI signs; the
    disposition with its reasons and values; every other abnormal value with its limit; the core labs
    still to do, the imaging offered and the follow-up."""
    warning_ids = {w.id for w in assessment.warnings}
    pediatric = "SCOPE-PEDIATRIC" in warning_ids
    known_cause = "SCOPE-KNOWN-CAUSE" in warning_ids
    sentences = list(assessment.lead)
    sentences.append(_finding_sentence(case, known_cause=known_cause))
    if pediatric:
        sentences.append(rsay("pediatric_note"))
        sentences += _abnormal_sentences(assessment, quoted=set())
        return sentences
    quoted: set[str] = set()
    sentences.append(_disposition_sentence(assessment, quoted))
    sentences += _abnormal_sentences(assessment, quoted)
    sentences += _to_do_sentences(assessment)
    if locally_approved:
        sentences.append(rsay("locally_approved"))
    return sentences


# --- The finding -----------------------------------------------------------------------------------

_SIGNAL = {"hypointense": "hypointense", "isointense": "isointense", "hyperintense": "hyperintense"}


def _finding_sentence(case: Case, *, known_cause: bool) -> str:
    """"Diffuse heterogeneous marrow signal on lumbar MRI[ of unclear cause]; T1 marrow … ; … pattern."."""
    opening = rsay("finding_known_cause") if known_cause else rsay("finding")
    signs = _mri_signs(case)
    if not signs:
        return rsay("finding_signs_not_recorded", finding=opening)
    return rsay("finding_with_signs", finding=opening, signs="; ".join(signs))


def _mri_signs(case: Case) -> list[str]:
    signs = []
    disc, muscle = case.t1_vs_disc, case.t1_vs_muscle
    disc = disc if disc in _SIGNAL else None
    muscle = muscle if muscle in _SIGNAL else None
    if disc and disc == muscle:
        signs.append(rsay("sign_t1_disc_and_muscle", signal=_SIGNAL[disc]))
    else:
        if disc:
            signs.append(rsay("sign_t1_disc", signal=_SIGNAL[disc]))
        if muscle:
            signs.append(rsay("sign_t1_muscle", signal=_SIGNAL[muscle]))
    site = case.brain_reference_site if case.brain_reference_site in ("calvarium", "clivus") else None
    for key, word in (("t1_vs_white_matter", "white matter"), ("t1_vs_gray_matter", "gray matter")):
        value = getattr(case, key)
        if value in _SIGNAL:
            where = rsay(f"sign_site_{site}") if site else ""
            signs.append(rsay("sign_t1_brain", signal=_SIGNAL[value], reference=word, where=where))
    if case.pattern in ("diffuse_homogeneous", "variegated"):
        signs.append(rsay(f"sign_pattern_{case.pattern}"))
    if case.focal_lesions is not None:
        signs.append(rsay(f"sign_focal_{case.focal_lesions}"))
    if case.precontrast_t1 == "no":
        signs.append(rsay("sign_no_precontrast"))
    if case.contrast_given == "yes":
        signs.append(rsay("sign_contrast_given"))
    return signs


# --- Values as a report words them -------------------------------------------------------------------

_COMPARISON_WORDS = {"<": "below", "≤": "at or below", ">": "above", "≥": "at or above"}


def _value_text(match: MatchedInput) -> str:
    """A matched input run into a sentence: "hemoglobin 10.9 g/dL (below 12.0 g/dL)"; a detected
    test or a coded finding in words."""
    key = match.key
    if key in REPORT_TEXT_DETECTED and match.entered_value == "detected":
        return rsay(REPORT_TEXT_DETECTED[key])
    if isinstance(match.entered_value, tuple):  # the blood film's coded findings, the benign causes
        items = ", ".join(CHOICE_LABELS.get(v, v).lower() for v in match.entered_value)
        return rsay("value_coded", label=_lower(match.label), items=items)
    if isinstance(match.entered_value, bool | str):
        return _lower(match_text(match, bare=True))
    value = _quantity_text(match)
    if match.comparison and match.threshold_value is not None:
        limit = f"{as_entered(match.threshold_value)} {unit_text(match.threshold_unit or '')}".strip()
        return rsay("value_compared", value=value, comparison=_COMPARISON_WORDS[match.comparison], limit=limit)
    return value


def _quantity_text(match: MatchedInput) -> str:
    label = _lower(match.label)
    if match.entered_value is None:  # computed: the FLC ratio from κ and λ
        return f"{label} {format_number(match.canonical_value)}"
    text = f"{label} {as_entered(match.entered_value)} {unit_text(match.entered_unit)}".strip()
    if match.canonical_unit and match.canonical_unit != match.entered_unit and match.canonical_value != match.entered_value:
        text += f" ({format_number(match.canonical_value)} {unit_text(match.canonical_unit)})"
    return text


def _lower(label: str) -> str:
    """A label run into a sentence: lower case unless it starts with an abbreviation (FLC, IgG, eGFR)."""
    first = label.split(" ")[0]
    keep = any(ch.isupper() for ch in first[1:]) or first[:1].islower()
    return label if keep else label[:1].lower() + label[1:]


REPORT_TEXT_DETECTED = {
    "spep": "detected_spep",
    "ife": "detected_ife",
    "urine_mprotein": "detected_urine",
}


def _finding_values(finding: Finding, quoted: set[str]) -> str:
    """The values that made a trigger hold, each value once in the whole impression."""
    parts = []
    detected = [m.key for m in finding.matched if m.key in ("spep", "ife") and m.entered_value == "detected"]
    if len(detected) == 2:  # one protein seen by both serum tests
        quoted.update(detected)
        parts.append(rsay("detected_spep_ife"))
    for match in finding.matched:
        if match.key in quoted or isinstance(match.entered_value, bool):
            continue
        quoted.add(match.key)
        parts.append(_value_text(match))
    if not parts:
        return _lower(RULES_BY_ID[finding.id].title)
    return _SEP.join(parts)


_SEP = "\x1f"  # between the values of one trigger, joined with the others' by _and


def _lab_value_text(line: LabLine) -> str:
    """An abnormal lab beside its limit: "β2-microglobulin 2.5 mg/L (above the upper limit of 2.4 mg/L)"."""
    if line.key in REPORT_TEXT_DETECTED and line.canonical_value == "detected":
        return rsay(REPORT_TEXT_DETECTED[line.key])
    if isinstance(line.entered_value, tuple):
        items = ", ".join(CHOICE_LABELS.get(v, v).lower() for v in line.entered_value)
        return rsay("value_coded", label=_lower(line.label), items=items)
    label = _lower(line.label)
    if line.entered_value is None:
        value = f"{label} {format_number(line.canonical_value)}"
    else:
        value = f"{label} {as_entered(line.entered_value)} {unit_text(line.entered_unit)}".strip()
    if line.direction:
        limit = line.limit
        if line.reference_origin.startswith(say("origin_sex_missing")):
            limit = rsay("limit_sex_not_recorded", limit=limit)
        return rsay(f"value_{line.direction}", value=value, limit=limit)
    return value


# --- The disposition ---------------------------------------------------------------------------------


def _disposition_sentence(assessment: Assessment, quoted: set[str]) -> str:
    disposition = assessment.disposition
    due = assessment.follow_up[0].due_date.isoformat() if assessment.follow_up else ""
    if disposition == Disposition.PROCEED_TO_BIOPSY:
        reasons = [_finding_values(t, quoted) for t in assessment.triggers]
        return rsay("proceed", reasons=_and([r for reason in reasons for r in reason.split(_SEP)]))
    if disposition == Disposition.COMPLETE_WORKUP:
        return rsay("complete_workup")
    if disposition == Disposition.DEFERRAL_REASONABLE:
        deferral_ids = {d.id for d in assessment.deferral_considerations}
        abnormal = [line for line in assessment.labs if line.status == "abnormal"]
        if "DF-NORMAL-LABS" in deferral_ids:
            return rsay("defer_normal_labs", due=_sooner_follow_up(assessment).due_date.isoformat())
        if abnormal and "DF-BENIGN-CONTEXT" in deferral_ids and _explained_by_benign(assessment):
            quoted |= {line.key for line in abnormal}
            count_due = _sooner_follow_up(assessment).due_date
            causes = next(m for d in assessment.deferral_considerations if d.id == "DF-BENIGN-CONTEXT"
                          for m in d.matched)
            return rsay(
                "defer_benign", values=_and([_lab_value_text(line) for line in abnormal]),
                causes=", ".join(CHOICE_LABELS[c].lower() for c in causes.entered_value),
                due=(count_due.isoformat() if count_due else due),
            )
        quoted |= {line.key for line in abnormal}
        if abnormal:
            return rsay("defer_life_expectancy", values=_and([_lab_value_text(line) for line in abnormal]))
        return rsay("defer_life_expectancy_normal")
    blockers = [c for c in assessment.conflicts if c.kind == "blocking"]
    suspicion = any(c.kind == "clinical_suspicion" for c in assessment.conflicts)
    reasons = [rsay(f"blocked_{c.biopsy_rule}") for c in blockers]
    if suspicion:
        reasons.append(rsay("blocked_suspected_malignancy"))
    if any(line.status == "abnormal" for line in assessment.labs):
        reasons.append(rsay("blocked_abnormal"))
    return rsay("consider", reasons=_and(reasons) or rsay("blocked_abnormal"))


def _explained_by_benign(assessment: Assessment) -> bool:
    """The deferral rests on a benign cause explaining the abnormal values (no unexplained-value conflict)."""
    return not any(c.kind == "benign_unexplained" for c in assessment.conflicts)


def _abnormal_sentences(assessment: Assessment, quoted: set[str]) -> list[str]:
    """Every abnormal value not already quoted, each with the word for its limit."""
    values = [
        _lab_value_text(line) for line in assessment.labs
        if line.status == "abnormal" and line.key not in quoted
    ]
    return [rsay("other_abnormal", items="; ".join(values))] if values else []


def _to_do_sentences(assessment: Assessment) -> list[str]:
    """The core labs still to do, the imaging offered in the evidence's terms, the follow-up."""
    sentences = []
    missing = [line.label for line in assessment.labs if line.core and line.status in ("missing", "not_done")]
    if missing:
        sentences.append(rsay("missing_labs", items=_and([_lower(label) for label in missing])))
    pregnant = "SCOPE-PREGNANCY" in {w.id for w in assessment.warnings}
    for item in assessment.imaging:
        rule = RULES_BY_ID[item.id]
        reason = _imaging_reason(item, assessment)
        sentence = rsay("imaging", name=rule.report[:1].upper() + rule.report[1:], reason=reason)
        if pregnant and item.labels:
            sentence = sentence[:-1] + rsay("imaging_pregnant")
        sentences.append(sentence)
    if any(o.action == "review_contrast" for o in assessment.options):
        sentences.append(rsay("review_contrast"))
    if assessment.disposition == Disposition.DEFERRAL_REASONABLE and assessment.follow_up:
        in_sentence = None if _life_expectancy_only(assessment) else _sooner_follow_up(assessment)
        for item in assessment.follow_up:
            if item is in_sentence:
                continue  # its date is in the deferral sentence
            key = "follow_up_if_useful" if _life_expectancy_only(assessment) else "follow_up"
            sentences.append(rsay(key, title=_lower(item.title), due=item.due_date.isoformat()))
    return sentences


def _sooner_follow_up(assessment: Assessment) -> Finding:
    """The follow-up that comes first (the deferral sentence gives its date)."""
    return min(assessment.follow_up, key=lambda item: item.due_date)


def _life_expectancy_only(assessment: Assessment) -> bool:
    return {d.id for d in assessment.deferral_considerations} == {"DF-LIFE-EXPECTANCY"}


def _imaging_reason(item: Finding, assessment: Assessment) -> str:
    """Why an imaging option is offered, in the report's words (SPEC 1.2 §6.1)."""
    triggers = {t.id for t in assessment.triggers}
    inputs = {m.key for f in (*assessment.triggers, *assessment.deferral_considerations) for m in f.matched}
    if item.id == "IM-PRECONTRAST-T1":
        return rsay("reason_precontrast")
    plasma = item.id == "IM-SKELETAL-SURVEY" or (
        item.id == "IM-PET-CT" and any(i.id == "IM-SKELETAL-SURVEY" for i in assessment.imaging))
    if plasma:
        return rsay("reason_plasma_cell")
    if "BX-CANCER-HISTORY" in triggers:
        return rsay("reason_cancer_history")
    if "BX-AGE-WEIGHT-LOSS" in triggers:
        return rsay("reason_weight_loss")
    if any(c.kind == "clinical_suspicion" for c in assessment.conflicts) or "suspected_malignancy" in inputs or (
        any(c.biopsy_rule == "suspected_malignancy" for c in assessment.conflicts)
    ):
        return rsay("reason_suspected_malignancy")
    return rsay("reason_suspected_malignancy_or_infection")


def _and(items: list[str]) -> str:
    items = [item for item in items if item]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + rsay("and") + items[-1]


# --- Provenance and the referral ---------------------------------------------------------------------


def provenance_line(assessment: Assessment) -> str:
    """The line under the impression (never copied with it): pathway, version, what it is, its source."""
    return rsay("provenance", version=assessment.pathway.version.rsplit(".", 1)[0])


def entered_inputs(*, case: Case) -> list[tuple[str, str]]:
    """Each entered input as (label, value as entered, with its unit), in input-table order."""
    rows = []
    for spec in INPUTS:
        value = getattr(case, spec.key)
        if value is None or value == frozenset():
            continue
        if isinstance(value, Quantity):
            text = f"{as_entered(value.value)} {unit_text(value.unit)}"
        elif isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, frozenset):
            text = ", ".join(sorted(CHOICE_LABELS[v] for v in value))
        elif isinstance(value, Decimal | int):
            text = format_number(value)
        else:
            text = CHOICE_LABELS.get(str(value), str(value))
        rows.append((spec.label, text))
    rows += [
        (rsay("lab_limit", key=key), f"{format_number(q.value)} {unit_text(q.unit)}")
        for key, q in case.reference_limits.items()
    ]
    return rows
