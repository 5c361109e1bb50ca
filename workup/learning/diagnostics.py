"""Test characteristics of the MRI signal signs: counts with their Wilson intervals, and why no
likelihood ratio or post-test probability can be drawn from them (SPEC 6.2).

Every proportion with a count is shown with that count and its 95% Wilson interval. A likelihood
ratio from a zero cell, or from lesion-level, selected-series or two-group (case–control) counts, is
"not estimable" with the reason. Every sign here has at least one such reason, so the page offers
no pre-test probability and draws no post-test probability at all: the yields of EN-YIELD counted
other outcomes (metastases, any important blood disorder, malignancy) and are not a pre-test
probability for "infiltrative marrow".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True, slots=True)
class Criterion:
    """One MRI signal sign and its reported or derived accuracy."""

    rule_id: str
    sign: str
    sensitivity: Fraction
    specificity: Fraction
    basis: str  # where the two figures come from, in a few words
    derived: bool  # computed by us from a paper's counts, not reported by it
    reference: str  # "cranial" | "lumbar"
    counts: tuple[tuple[int, int], tuple[int, int]] | None = None  # (sens k/n, spec k/n)
    unconfirmed: bool = False  # the evidence review could not check the figures against the paper
    count_unit: str = "patients"  # what was counted: "patients", or "foci" (lesion-level)
    selected_series: bool = False  # a small series of people already selected for imaging/biopsy
    two_group: bool = False  # people with a disorder compared with separately recruited healthy controls

    @property
    def positive_predictive_counts(self) -> tuple[int, int] | None:
        """The paper's own count, a positive predictive value: infiltrative foci among the foci
        iso- or hypointense to the reference (k, n)."""
        if not self.counts:
            return None
        (tp, _), (tn, healthy) = self.counts
        return tp, tp + healthy - tn


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "MRI-T1-WM",
        "T1 marrow hypointense to white matter",
        Fraction(93, 100),
        Fraction(86, 100),
        "as quoted by the source pathway (cranial MRI study; not confirmed against the paper)",
        derived=False,
        reference="cranial",
        unconfirmed=True,
        two_group=True,
    ),
    Criterion(
        "MRI-T1-GM",
        "T1 marrow hypointense to gray matter",
        Fraction(67, 100),
        Fraction(96, 100),
        "as quoted by the source pathway (cranial MRI study; not confirmed against the paper)",
        derived=False,
        reference="cranial",
        unconfirmed=True,
        two_group=True,
    ),
    Criterion(
        "MRI-T1-DISC",
        "T1 marrow iso- or hypointense to a non-degenerated disc",
        Fraction(40, 40),
        Fraction(12, 13),
        "derived from the counts in Carroll 1997 (foci, spin-echo T1)",
        derived=True,
        reference="lumbar",
        counts=((40, 40), (12, 13)),
        count_unit="foci",
        selected_series=True,
    ),
    Criterion(
        "MRI-T1-MUSCLE",
        "T1 marrow iso- or hypointense to paraspinal muscle",
        Fraction(44, 47),
        Fraction(17, 18),
        "derived from the counts in Carroll 1997 (foci, spin-echo T1)",
        derived=True,
        reference="lumbar",
        counts=((44, 47), (17, 18)),
        count_unit="foci",
        selected_series=True,
    ),
)
CRITERIA_BY_ID = {c.rule_id: c for c in CRITERIA}


def wilson_interval(successes: int, total: int, z: float = 1.959964) -> tuple[float, float]:
    """95% Wilson score interval of a proportion: honest for 40/40, where the naive one is 0 wide."""
    if total <= 0:
        raise ValueError("total must be positive")
    p = successes / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


# --- What the page shows ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Proportion:
    """A proportion as the page shows it: what it is, its count and its 95% Wilson interval."""

    label: str
    successes: int
    total: int
    interval: tuple[float, float]

    @property
    def value(self) -> Fraction:
        return Fraction(self.successes, self.total)


@dataclass(frozen=True, slots=True)
class CriterionReport:
    criterion: Criterion
    proportions: tuple[Proportion, ...]
    not_estimable: tuple[str, ...]  # why no likelihood ratio or post-test probability can be given


def not_estimable_reasons(criterion: Criterion) -> tuple[str, ...]:
    """Why a likelihood ratio, and so a post-test probability, cannot honestly be given (SPEC 6.2)."""
    reasons = []
    if criterion.two_group:
        reasons.append(
            "a two-group design: adults with systemic disorders were compared with separately "
            "recruited healthy controls, a design that overstates accuracy (about threefold in "
            "diagnostic odds ratio, Lijmer 1999), so the figures do not carry over to the people you "
            "see"
        )
    if criterion.counts:
        (tp, diseased), (tn, healthy) = criterion.counts
        cells = {
            "false negatives": diseased - tp, "true positives": tp,
            "false positives": healthy - tn, "true negatives": tn,
        }  # fmt: skip
        zero = [name for name, count in cells.items() if count == 0]
        if zero:
            reasons.append(
                f"a zero cell: no {' and no '.join(zero)} among {diseased + healthy} {criterion.count_unit}, "
                "so one ratio would be 0 or infinite whatever the truth"
            )
    if criterion.count_unit != "patients":
        reasons.append(f"the counts are {criterion.count_unit} (lesions), not patients")
    if criterion.selected_series:
        reasons.append("the series was small and selected, so it does not describe the people you see")
    return tuple(reasons)


def _proportions(criterion: Criterion) -> tuple[Proportion, ...]:
    if not criterion.counts:
        return ()
    unit = criterion.count_unit
    (tp, diseased), (tn, healthy) = criterion.counts
    ppv_k, ppv_n = criterion.positive_predictive_counts  # type: ignore[misc]
    items = (
        (
            f"Positive predictive value: infiltrative among {unit} iso- or hypointense to the "
            "reference (the paper's own count)",
            ppv_k,
            ppv_n,
        ),
        (f"Sensitivity: infiltrative {unit} that were iso- or hypointense", tp, diseased),
        (f"Specificity: non-infiltrative {unit} that were hyperintense", tn, healthy),
    )
    return tuple(Proportion(label, k, n, wilson_interval(k, n)) for label, k, n in items)


def criterion_report(criterion: Criterion) -> CriterionReport:
    """What one criterion's section of /learn/tests shows."""
    return CriterionReport(criterion, _proportions(criterion), not_estimable_reasons(criterion))


def characteristics_report() -> tuple[CriterionReport, ...]:
    """One report per MRI signal criterion."""
    return tuple(criterion_report(c) for c in CRITERIA)


def percent(value: Fraction | None, places: int = 1) -> str:
    """A proportion as a percentage for display; "undefined" for None."""
    if value is None:
        return "undefined"
    return f"{float(value) * 100:.{places}f}%"
