"""Test characteristics of the MRI signal signs: counts, Wilson intervals, likelihood ratios and
post-test probability (SPEC 6.2).

Exact arithmetic with Fractions. Every proportion with a count is shown with that count and its 95%
Wilson interval. A likelihood ratio from a zero cell, or from lesion-level or selected-series
counts, is "not estimable" with the reason, and no post-test probability is drawn from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from html import escape

# Pre-test probabilities offered by default: the yields quoted in evidence note EN-YIELD, from the
# least to the most selected series (7% in a 2024 biopsy series, about 10% in a less selected
# cohort, 42% and 47% in the two biopsy-selected series the source relies on).
DEFAULT_PRETEST_PERCENT: tuple[int, ...] = (7, 10, 42, 47)


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

    @property
    def darker_infiltrative(self) -> tuple[int, int] | None:
        """The paper's own count: infiltrative foci among foci darker than the reference (k, n)."""
        if not self.counts:
            return None
        (tp, _), (tn, healthy) = self.counts
        return tp, tp + healthy - tn


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "MRI-T1-WM",
        "T1 marrow darker than white matter",
        Fraction(93, 100),
        Fraction(86, 100),
        "as quoted by the source pathway (cranial MRI study; not confirmed against the paper)",
        derived=False,
        reference="cranial",
        unconfirmed=True,
    ),
    Criterion(
        "MRI-T1-GM",
        "T1 marrow darker than gray matter",
        Fraction(67, 100),
        Fraction(96, 100),
        "as quoted by the source pathway (cranial MRI study; not confirmed against the paper)",
        derived=False,
        reference="cranial",
        unconfirmed=True,
    ),
    Criterion(
        "MRI-T1-DISC",
        "T1 marrow no brighter than a non-degenerated disc",
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
        "T1 marrow no brighter than paraspinal muscle",
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


def lr_positive(sensitivity: Fraction, specificity: Fraction) -> Fraction | None:
    """LR+ = sensitivity ÷ (1 − specificity); undefined (None) when specificity is 100%."""
    if specificity == 1:
        return None
    return sensitivity / (1 - specificity)


def lr_negative(sensitivity: Fraction, specificity: Fraction) -> Fraction | None:
    """LR− = (1 − sensitivity) ÷ specificity; undefined (None) when specificity is 0%."""
    if specificity == 0:
        return None
    return (1 - sensitivity) / specificity


def post_test_probability(
    pretest: Fraction, sensitivity: Fraction, specificity: Fraction, *, positive: bool
) -> Fraction | None:
    """Bayes' theorem on the 2×2 table, so a 100% specificity needs no infinite LR.

    None when no case could produce that result at all (both cells of the denominator are zero).
    """
    if positive:
        true_part, false_part = sensitivity * pretest, (1 - specificity) * (1 - pretest)
    else:
        true_part, false_part = (1 - sensitivity) * pretest, specificity * (1 - pretest)
    if true_part + false_part == 0:
        return None
    return true_part / (true_part + false_part)


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
class PostTestRow:
    pretest: Fraction
    after_positive: Fraction | None
    after_negative: Fraction | None


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
    lr_positive: Fraction | None
    lr_negative: Fraction | None
    proportions: tuple[Proportion, ...]
    not_estimable: tuple[str, ...]  # why no likelihood ratio can be given; empty when it can
    rows: tuple[PostTestRow, ...]  # empty when not estimable: no post-test probability then
    plot_svg: str

    @property
    def estimable(self) -> bool:
        return not self.not_estimable


def not_estimable_reasons(criterion: Criterion) -> tuple[str, ...]:
    """Why a likelihood ratio cannot honestly be given for this criterion (SPEC 6.2)."""
    reasons = []
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
    darker_k, darker_n = criterion.darker_infiltrative  # type: ignore[misc]
    items = (
        (f"Infiltrative among {unit} darker than the reference (the paper's own count)", darker_k, darker_n),
        (f"Sensitivity: infiltrative {unit} that were darker", tp, diseased),
        (f"Specificity: non-infiltrative {unit} that were not darker", tn, healthy),
    )
    return tuple(Proportion(label, k, n, wilson_interval(k, n)) for label, k, n in items)


def criterion_report(criterion: Criterion, pretests: tuple[Fraction, ...]) -> CriterionReport:
    """Everything one criterion's section of /learn/tests shows, for the chosen pre-test values."""
    sens, spec = criterion.sensitivity, criterion.specificity
    reasons = not_estimable_reasons(criterion)
    if reasons:
        return CriterionReport(criterion, None, None, _proportions(criterion), reasons, (), "")
    rows = tuple(
        PostTestRow(
            p,
            post_test_probability(p, sens, spec, positive=True),
            post_test_probability(p, sens, spec, positive=False),
        )
        for p in pretests
    )
    return CriterionReport(
        criterion, lr_positive(sens, spec), lr_negative(sens, spec), _proportions(criterion), (),
        rows, post_test_plot_svg(criterion, pretests),
    )  # fmt: skip


def characteristics_report(*, pretest_percents: tuple[Fraction, ...]) -> tuple[CriterionReport, ...]:
    """One report per MRI signal criterion for the given pre-test probabilities (in percent)."""
    pretests = tuple(sorted({p / 100 for p in pretest_percents}))
    return tuple(criterion_report(c, pretests) for c in CRITERIA)


def percent(value: Fraction | None, places: int = 1) -> str:
    """A probability as a percentage for display; "undefined" for None."""
    if value is None:
        return "undefined"
    return f"{float(value) * 100:.{places}f}%"


def ratio(value: Fraction | None) -> str:
    """A likelihood ratio for display, to two decimals; "undefined" for a division by zero."""
    if value is None:
        return "undefined"
    return f"{float(value):.2f}"


# --- The plot ---------------------------------------------------------------------------------

PLOT_SIZE = 300
PLOT_MARGIN = (44, 16, 16, 40)  # left, right, top, bottom
_STEPS = 100


def _plot_xy(pre: float, post: float) -> tuple[float, float]:
    left, right, top, bottom = PLOT_MARGIN
    width, height = PLOT_SIZE - left - right, PLOT_SIZE - top - bottom
    return left + pre * width, top + (1 - post) * height


def _curve(criterion: Criterion, *, positive: bool) -> str:
    points = []
    for step in range(_STEPS + 1):
        pre = Fraction(step, _STEPS)
        post = post_test_probability(pre, criterion.sensitivity, criterion.specificity, positive=positive)
        if post is not None:
            x, y = _plot_xy(float(pre), float(post))
            points.append(f"{x:.1f},{y:.1f}")
    return " ".join(points)


def post_test_plot_svg(criterion: Criterion, pretests: tuple[Fraction, ...]) -> str:
    """Post-test vs pre-test probability after a positive and a negative sign, as SVG."""
    slug = criterion.rule_id.lower()
    left, right, top, bottom = PLOT_MARGIN
    x0, y0 = _plot_xy(0, 0)
    x1, y1 = _plot_xy(1, 1)
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tc-plot" role="img" width="{PLOT_SIZE}" '
        f'height="{PLOT_SIZE}" viewBox="0 0 {PLOT_SIZE} {PLOT_SIZE}" '
        f'aria-labelledby="plot-{slug}-title plot-{slug}-desc">',
        f'<title id="plot-{slug}-title">Post-test probability for {escape(criterion.rule_id)}</title>',
        f'<desc id="plot-{slug}-desc">Pre-test probability from 0 to 100% on the horizontal axis, '
        "post-test probability on the vertical axis. The solid line is after the sign is present, the "
        "dashed line after it is absent, the dotted diagonal is a test that changes nothing. The "
        "table beside the plot gives the same values.</desc>",
    ]
    for tick in range(0, 101, 25):
        tx, _ = _plot_xy(tick / 100, 0)
        _, ty = _plot_xy(0, tick / 100)
        lines.append(f'<line class="grid" x1="{tx:.1f}" y1="{y1:.1f}" x2="{tx:.1f}" y2="{y0:.1f}"/>')
        lines.append(f'<line class="grid" x1="{x0:.1f}" y1="{ty:.1f}" x2="{x1:.1f}" y2="{ty:.1f}"/>')
        lines.append(f'<text class="tick" x="{tx:.1f}" y="{y0 + 14:.1f}" text-anchor="middle">{tick}</text>')
        lines.append(f'<text class="tick" x="{x0 - 6:.1f}" y="{ty + 3:.1f}" text-anchor="end">{tick}</text>')
    lines += [
        f'<line class="axis" x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="#212529"/>',
        f'<line class="axis" x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" stroke="#212529"/>',
        f'<text class="label" x="{(x0 + x1) / 2:.1f}" y="{PLOT_SIZE - 6}" text-anchor="middle">'
        "Pre-test probability (%)</text>",
        f'<text class="label" x="12" y="{(y0 + y1) / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 12 {(y0 + y1) / 2:.1f})">Post-test probability (%)</text>',
        f'<polyline class="diagonal" points="{x0},{y0} {x1},{y1}" fill="none" stroke="#6c757d"/>',
        f'<polyline class="curve-positive" points="{_curve(criterion, positive=True)}" fill="none" '
        'stroke="#842029"/>',
        f'<polyline class="curve-negative" points="{_curve(criterion, positive=False)}" fill="none" '
        'stroke="#0b5ed7" stroke-dasharray="6 3"/>',
    ]
    for p in pretests:
        for positive in (True, False):
            post = post_test_probability(p, criterion.sensitivity, criterion.specificity, positive=positive)
            if post is None:
                continue
            cx, cy = _plot_xy(float(p), float(post))
            kind = "positive" if positive else "negative"
            lines.append(f'<circle class="point-{kind}" cx="{cx:.1f}" cy="{cy:.1f}" r="3.5"/>')
    lines += [
        f'<text class="label" x="{left + 8}" y="{top + 12}">— sign present</text>',
        f'<text class="label" x="{left + 8}" y="{top + 26}">- - sign absent</text>',
        "</svg>",
    ]
    return "".join(lines)
