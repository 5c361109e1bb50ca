"""Report text: what a clinician pastes into a report impression or a hematology referral."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from workup.pathway.engine import abnormal_beside, finding_text, lab_text
from workup.pathway.inputs import CHOICE_LABELS, INPUTS, Case, Quantity
from workup.pathway.result import Assessment
from workup.pathway.wording import HEADLINES, Disposition, say


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


DISPOSITION_HEADLINES = HEADLINES
NOT_FOR_URGENT_USE = say("not_for_urgent_use")


@dataclass(frozen=True, slots=True)
class Report:
    impression: str
    referral: str


def workup_report(*, case: Case, assessment: Assessment) -> Report:
    """Wording for a radiology report impression and a hematology referral summary (SPEC §6.1).

    Every sentence comes from the pathway content (wording.TEXT); rule ids and the hash appear only
    in the closing provenance line.
    """
    sentences = impression_sentences(assessment)
    provenance = provenance_line(assessment)
    impression = " ".join([*sentences, provenance])
    lines = [say("referral_title"), "", say("referral_inputs")]
    lines += [f"  {label}: {value}" for label, value in entered_inputs(case=case)] or [
        f"  {say('referral_none_entered')}"
    ]
    lines += ["", say("referral_result")]
    lines += [f"  {sentence}" for sentence in sentences]
    lines += ["", say("referral_evaluated", date=assessment.evaluation_date.isoformat()), NOT_FOR_URGENT_USE, provenance]
    return Report(impression=impression, referral="\n".join(lines))


def impression_sentences(assessment: Assessment) -> list[str]:
    """The disposition, every trigger with its value, every abnormal value beside them, what was
    considered for deferral, the imaging offered, the follow-up with its date, and the unknowns
    that could change the disposition."""
    disposition = assessment.disposition
    sentences = [say("report_finding"), say("report_disposition", headline=HEADLINES[disposition].lower())]
    if assessment.triggers:
        sentences.append(say("report_triggers", items="; ".join(finding_text(t) for t in assessment.triggers)))
    abnormal = abnormal_beside(assessment.triggers, assessment.labs)
    if abnormal:
        sentences.append(say("report_abnormal", items="; ".join(lab_text(line) for line in abnormal)))
    if assessment.deferral_considerations:
        items = "; ".join(finding_text(d) for d in assessment.deferral_considerations)
        sentences.append(say("report_deferrals", items=items))
        if any(c.kind == "clinical_suspicion" for c in assessment.conflicts):
            sentences.append(say("report_conflict_suspicion"))
    missing = [line.label for line in assessment.labs if line.core and line.status in ("missing", "not_done")]
    if disposition == Disposition.COMPLETE_WORKUP:
        sentences += [say("report_missing", items=", ".join(missing)), say("report_complete_consider")]
    elif disposition == Disposition.BIOPSY_STRONGLY_CONSIDERED:
        sentences.append(say("report_consider"))
    if assessment.imaging:
        sentences.append(say("report_imaging", items=", ".join(f.title for f in assessment.imaging)))
    if any(o.action == "review_contrast" for o in assessment.options):
        sentences.append(say("report_review_contrast"))
    for item in assessment.follow_up:
        sentences.append(say("report_follow_up", title=item.title.lower(), due=item.due_date.isoformat()))
    unknowns = disposition_unknowns(assessment)
    if unknowns:
        sentences.append(say("report_unknowns", items=", ".join(u.label for u in unknowns)))
    sentences.append(say("report_mri_caution"))
    return sentences


def disposition_unknowns(assessment: Assessment) -> tuple:
    """Missing inputs that could still change the disposition. Once a trigger has fired nothing can
    (another trigger keeps it; a deferral consideration does not override it)."""
    if assessment.disposition == Disposition.PROCEED_TO_BIOPSY:
        return ()
    return tuple(
        u for u in assessment.unknowns
        if u.key == "sex" or any(item == "disposition" or item.startswith(("BX-", "DF-")) for item in u.could_change)
    )


def provenance_line(assessment: Assessment) -> str:
    """The one closing line: pathway id and version, rule-content hash, the rules that fired, the
    source's status, and that this is decision support."""
    pathway = assessment.pathway
    rules = sorted(assessment.fired_ids | assessment.active_pitfall_ids) or ["none fired"]
    return say(
        "report_provenance", id=pathway.id, version=pathway.version, hash=pathway.hash[:19],
        rules=", ".join(rules), source_date=pathway.source_date,
    )


def entered_inputs(*, case: Case) -> list[tuple[str, str]]:
    """Each entered input as (label, value as entered, with its unit), in input-table order."""
    rows = []
    for spec in INPUTS:
        value = getattr(case, spec.key)
        if value is None or value == frozenset():
            continue
        if isinstance(value, Quantity):
            text = f"{format_number(value.value)} {value.unit}"
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
        (f"Lab limit {key}", f"{format_number(q.value)} {q.unit}") for key, q in case.reference_limits.items()
    ]
    return rows
