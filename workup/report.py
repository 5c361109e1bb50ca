"""Report text: what a clinician pastes into a report impression or a hematology referral."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from workup.pathway.inputs import CHOICE_LABELS, INPUTS, Case, Quantity
from workup.pathway.result import Assessment


def format_number(value: object) -> str:
    """A number as a laboratory would print it: no exponent, at most 4 significant decimals."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        return str(value)
    number = Decimal(str(value))
    if number.is_zero():
        number = number.copy_abs()  # a lab prints 0, never -0; equal values must print alike
    if number != number.to_integral_value():
        number = Decimal(f"{number:.4g}") if abs(number) < 1 else number.quantize(Decimal("0.01")).normalize()
    return f"{number.normalize():f}"


DISPOSITION_HEADLINES = {
    "PROCEED_TO_BIOPSY": "Proceed to bone marrow biopsy",
    "COMPLETE_WORKUP": "Complete the laboratory work-up first",
    "DEFERRAL_REASONABLE": "Deferring biopsy is reasonable",
    "BIOPSY_STRONGLY_CONSIDERED": "Strongly consider bone marrow biopsy",
}
NOT_FOR_URGENT_USE = "Decision support only; not for time-critical decisions. Clinical judgement decides."


@dataclass(frozen=True, slots=True)
class Report:
    impression: str
    referral: str


def workup_report(*, case: Case, assessment: Assessment) -> Report:
    """Wording for a radiology report impression and a hematology referral summary."""
    entered = entered_inputs(case=case)
    pathway = assessment.pathway
    version = f"{pathway.id} v{pathway.version} ({pathway.hash[:19]})"
    impression = (
        "Diffuse bone marrow signal heterogeneity of unclear etiology on lumbar MRI. "
        f"Pathway result: {DISPOSITION_HEADLINES[assessment.disposition].lower()}. "
        f"{assessment.summary} Marrow signal on MRI alone cannot separate benign from malignant change. "
        f"[{version}]"
    )
    lines = ["Hematology referral summary", "", "Inputs:"]
    lines += [f"  {label}: {value}" for label, value in entered] or ["  (none entered)"]
    lines += ["", f"Disposition: {DISPOSITION_HEADLINES[assessment.disposition]} ({assessment.disposition})",
              f"Summary: {assessment.summary}", "", "Triggers:"]
    lines += [f"  {f.id}: {f.title}" for f in assessment.triggers] or ["  none"]
    lines += ["Deferral considerations:"]
    lines += [f"  {f.id}: {f.title}" for f in assessment.deferral_considerations] or ["  none"]
    lines += ["Active pitfalls:"]
    lines += [f"  {p.id}: {p.title}" for p in assessment.pitfalls if p.active] or ["  none"]
    lines += ["", f"Pathway: {version}, source dated {pathway.source_date}; evaluated {assessment.evaluation_date}.",
              NOT_FOR_URGENT_USE]
    return Report(impression=impression, referral="\n".join(lines))


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
