"""The registry's aggregates: yield per trigger, disposition and published criterion, in the database.

Every count leaves this module as a `Cell`, already suppressed: a count under SMALL_CELL is "< 5"
on the page, in the CSV and in the FHIR MeasureReport alike, and a yield is shown only when both
the cases with and without a neoplasm number at least SMALL_CELL (otherwise either count could be
worked back from the yield). No raw count is handed to a presenter.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from workup.learning.diagnostics import wilson_interval
from workup.pathway.engine import PATHWAY_INFO
from workup.pathway.rules import DISPOSITION_ORDER, RULES
from workup.pathway.wording import RuleKind
from workup.registry.models import Biopsy, EntryCriterion, EntryTrigger, Finding, FollowUp, RegistryEntry
from workup.registry.services import month_of, months_after
from workup.saved.display import disposition_label

SMALL_CELL = 5
SUPPRESSED = "< 5"
# The reference figures of evidence note EN-YIELD, in percent. The source's counted another outcome:
# 42 % (19/45) included metastatic tumour, 47 % (7/15) any important haematological disorder.
SOURCE_YIELD = (42, 47)
LITERATURE_YIELD = (6, 10)
ALL_VERSIONS = "all"


@dataclasses.dataclass(frozen=True, slots=True)
class Cell:
    """One published count: `value` is None when suppressed, and `text` is what every reader sees."""

    value: int | None
    text: str

    @property
    def plain(self) -> str:
        """For machine readers (CSV): digits without separators, or "< 5"."""
        return SUPPRESSED if self.value is None else str(self.value)

    @classmethod
    def of(cls, count: int) -> Cell:
        return cls(count, f"{count:,}") if count >= SMALL_CELL else cls(None, SUPPRESSED)


@dataclasses.dataclass(frozen=True, slots=True)
class Yield:
    """A neoplasm yield with its 95 % Wilson interval, in percent; None values when suppressed."""

    percent: float | None
    low: float | None
    high: float | None
    text: str
    interval_text: str

    @classmethod
    def of(cls, positives: int, known: int) -> Yield:
        if positives < SMALL_CELL or known - positives < SMALL_CELL:
            reason = "not shown: fewer than 5 with or without a neoplasm"
            return cls(None, None, None, reason, "")
        low, high = wilson_interval(positives, known)
        percent = 100 * positives / known
        return cls(round(percent, 1), round(100 * low, 1), round(100 * high, 1), f"{percent:.1f}%",
                   f"{100 * low:.1f}–{100 * high:.1f}%")  # fmt: skip


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    """One line of a registry table: a trigger, a disposition, a criterion (met or not) or all cases."""

    key: str
    label: str
    cases: Cell
    known: Cell
    neoplasm: Cell
    metastatic: Cell
    missing: Cell
    biopsies: Cell
    biopsies_alone: Cell | None
    yield_: Yield


@dataclasses.dataclass(frozen=True, slots=True)
class Filters:
    """Period [start, end) as months, the pathway version ("all" pools them, said aloud) and role."""

    start: dt.date | None = None
    end: dt.date | None = None
    version: str = ""
    role: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Report:
    filters: Filters
    version: str
    versions: tuple[tuple[str, Cell], ...]
    pooled: bool
    several_versions: bool
    synthetic: bool
    overall: Row
    triggers: tuple[Row, ...]
    dispositions: tuple[Row, ...]
    criteria: tuple[Row, ...]
    findings: tuple[tuple[str, Cell], ...]
    deferred: tuple[tuple[str, Cell], ...]
    signal: Cell


def _counts(prefix: str = "") -> dict[str, Count]:
    """The per-group counts, as conditional aggregates over entries (or rows pointing at them)."""
    p = prefix

    def count(**condition: Any) -> Count:
        return Count(f"{p}pk" if p else "pk", filter=Q(**{p + k: v for k, v in condition.items()}) if condition else None)

    return {
        "n_cases": count(),
        "n_known": count(outcome_known=True),
        "n_neoplasm": count(outcome_known=True, neoplasm=True),
        "n_metastatic": count(outcome_known=True, metastatic=True),
        "n_missing": count(outcome_known=False),
        "n_biopsies": count(biopsy=Biopsy.DONE),
        "n_alone": count(biopsy=Biopsy.DONE, trigger_count=1),
    }


def _row(key: str, label: str, counts: dict[str, int], alone: bool = False) -> Row:
    return Row(
        key=key, label=label, cases=Cell.of(counts.get("n_cases", 0)), known=Cell.of(counts.get("n_known", 0)),
        neoplasm=Cell.of(counts.get("n_neoplasm", 0)), metastatic=Cell.of(counts.get("n_metastatic", 0)),
        missing=Cell.of(counts.get("n_missing", 0)), biopsies=Cell.of(counts.get("n_biopsies", 0)),
        biopsies_alone=Cell.of(counts.get("n_alone", 0)) if alone else None,
        yield_=Yield.of(counts.get("n_neoplasm", 0), counts.get("n_known", 0)),
    )  # fmt: skip


def version_key(version: str) -> tuple:
    return tuple(int(part) if part.isdigit() else 0 for part in version.split("."))


def versions_present(*, filters: Filters) -> list[tuple[str, int]]:
    """The pathway versions with entries in the period and role chosen, newest first."""
    rows = RegistryEntry.objects.filter(_scope(filters)).values_list("pathway_version").annotate(n=Count("pk"))
    return sorted(rows.order_by(), key=lambda row: version_key(row[0]), reverse=True)


def _scope(filters: Filters, version: str = ALL_VERSIONS, prefix: str = "") -> Q:
    """The entries chosen, as a condition on entries (or, with a prefix, on rows pointing at them).

    Trigger and criterion rows are filtered through their join to the entry, not with
    `entry__in=<subquery>`, which made PostgreSQL scan the entries twice.
    """
    condition = Q()
    for lookup, value in (("reviewed_month__gte", filters.start), ("reviewed_month__lt", filters.end),
                          ("referring_role", filters.role), ("pathway_version", "" if version == ALL_VERSIONS else version)):
        if value:
            condition &= Q(**{prefix + lookup: value})
    return condition  # fmt: skip


def chosen_version(*, filters: Filters, present: list[tuple[str, int]]) -> str:
    """The version asked for; by default the current pathway's if it has entries, else the newest."""
    if filters.version:
        return filters.version
    names = [name for name, _ in present]
    return PATHWAY_INFO.version if PATHWAY_INFO.version in names or not names else names[0]


def registry_report(*, filters: Filters) -> Report:
    """Every table of the registry page: five aggregate queries in the database, whatever the size."""
    present = versions_present(filters=filters)
    version = chosen_version(filters=filters, present=present)
    scope = RegistryEntry.objects.filter(_scope(filters, version))
    entries = scope.aggregate(
        **_counts(), synthetic=Count("pk", filter=Q(synthetic=True)),
        signal=Count("pk", filter=Q(deferred=True, neoplasm=True)),
        **{f"finding_{value}": Count("pk", filter=Q(biopsy=Biopsy.DONE, result=value)) for value in Finding.values},
        **{f"deferred_{key}": Count("pk", filter=Q(deferred=True) & condition) for key, condition in _deferred_conditions()},
    )  # fmt: skip
    return Report(
        filters=filters, version=version, versions=tuple((name, Cell.of(n)) for name, n in present),
        pooled=version == ALL_VERSIONS and len(present) > 1, several_versions=len(present) > 1,
        synthetic=entries["synthetic"] > 0, overall=_row("all", "All reviewed cases", entries, alone=False),
        triggers=_trigger_rows(filters, version), dispositions=_disposition_rows(scope),
        criteria=_criterion_rows(filters, version),
        findings=tuple((label, Cell.of(entries[f"finding_{value}"])) for value, label in Finding.choices),
        deferred=tuple((DEFERRED_LABELS[key], Cell.of(entries[f"deferred_{key}"])) for key in DEFERRED_LABELS),
        signal=Cell.of(entries["signal"]),
    )  # fmt: skip


def _trigger_rows(filters: Filters, version: str) -> tuple[Row, ...]:
    """One row per trigger of the rule table (read from RULES), then any older trigger still counted."""
    rows = EntryTrigger.objects.filter(_scope(filters, version, "entry__")).values("trigger_id")
    found = {row.pop("trigger_id"): row for row in rows.annotate(**_counts("entry__")).order_by()}
    titles = {rule.id: rule.title for rule in RULES if rule.kind == RuleKind.TRIGGER}
    older = {key: "no longer a trigger of the current pathway" for key in sorted(found.keys() - titles.keys())}
    return tuple(_row(key, f"{key}: {title}", found.get(key, {}), alone=True) for key, title in (titles | older).items())


def _disposition_rows(scope: QuerySet[RegistryEntry]) -> tuple[Row, ...]:
    found = {row.pop("disposition"): row for row in scope.values("disposition").annotate(**_counts()).order_by()}
    return tuple(_row(key, disposition_label(key), found.get(key, {})) for key in DISPOSITION_ORDER)


def _criterion_rows(filters: Filters, version: str) -> tuple[Row, ...]:
    rows = EntryCriterion.objects.filter(_scope(filters, version, "entry__")).values("criterion_id", "met")
    found = {(row.pop("criterion_id"), row.pop("met")): row for row in rows.annotate(**_counts("entry__")).order_by()}
    return tuple(
        _row(f"{rule.id}:{'met' if met else 'not_met'}", f"{rule.id}: {rule.title}, {'met' if met else 'not met'}",
             found.get((rule.id, met), {}))
        for rule in RULES if rule.kind == RuleKind.CRITERION for met in (True, False)
    )  # fmt: skip


def _deferred_conditions() -> list[tuple[str, Q]]:
    """What became of the cases the pathway deferred, one condition per line of its table."""
    month = month_of(timezone.localdate())
    return [
        ("deferred", Q()),
        ("seen_3m", ~Q(follow_up_3m="") & ~Q(follow_up_3m=FollowUp.LOST)),
        ("seen_12m", ~Q(follow_up_12m="") & ~Q(follow_up_12m=FollowUp.LOST)),
        ("neoplasm", Q(neoplasm=True)),
        ("metastatic", Q(metastatic=True)),
        ("clear_12m", Q(follow_up_12m=FollowUp.NO_NEOPLASM)),
        ("lost", Q(follow_up_3m=FollowUp.LOST) | Q(follow_up_12m=FollowUp.LOST)),
        ("due", Q(follow_up_3m="", follow_up_3m_due__lte=month)
         | Q(follow_up_12m="", follow_up_12m_due__lte=month, outcome_known=False)),
    ]  # fmt: skip


DEFERRED_LABELS = {
    "deferred": "Deferred per pathway (biopsy not done)",
    "seen_3m": "Seen at 3 months",
    "seen_12m": "Seen at 12 months",
    "neoplasm": "Neoplasm found later (safety signal)",
    "metastatic": "Metastatic carcinoma found later",
    "clear_12m": "No neoplasm at 12 months",
    "lost": "Lost to follow-up",
    "due": "Follow-up due and not yet recorded",
}


# --- Period filter -----------------------------------------------------------------------------


def period_bounds(period: str) -> tuple[dt.date | None, dt.date | None]:
    """ "2026" or "2026-Q3" → the months [start, end); "" → no bounds. ValueError for anything else."""
    if not period:
        return None, None
    year, _, quarter = period.partition("-Q")
    start = dt.date(int(year), 1 + 3 * (int(quarter) - 1) if quarter else 1, 1)
    if quarter and not 1 <= int(quarter) <= 4:
        raise ValueError(period)
    return start, months_after(start, 3 if quarter else 12)


# --- Exports -----------------------------------------------------------------------------------


def _tables(report: Report) -> list[tuple[str, Row]]:
    return ([("all", report.overall)] + [("trigger", r) for r in report.triggers]
            + [("disposition", r) for r in report.dispositions] + [("criterion", r) for r in report.criteria])  # fmt: skip


CSV_COLUMNS = (
    "table", "group", "label", "pathway_version", "cases", "outcome_known", "neoplasm", "metastatic_carcinoma",
    "outcome_missing", "biopsies", "biopsies_trigger_alone", "yield_percent", "wilson95_low_percent",
    "wilson95_high_percent", "synthetic_cases_included",
)  # fmt: skip


def registry_csv(*, report: Report) -> str:
    """The page's tables as CSV, with the page's suppression ("< 5")."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for table, row in _tables(report):
        y = row.yield_
        writer.writerow([
            table, row.key, row.label, report.version, row.cases.plain, row.known.plain, row.neoplasm.plain,
            row.metastatic.plain, row.missing.plain, row.biopsies.plain, row.biopsies_alone.plain if row.biopsies_alone else "",
            y.percent if y.percent is not None else "suppressed", "" if y.low is None else y.low,
            "" if y.high is None else y.high, "yes" if report.synthetic else "no",
        ])  # fmt: skip
    for label, cell in report.deferred:
        writer.writerow(["deferred", label, label, report.version, cell.plain] + [""] * 9 + ["yes" if report.synthetic else "no"])
    return out.getvalue()


MEASURE_POPULATION = "http://terminology.hl7.org/CodeSystem/measure-population"
DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
MEASURE_URL = "urn:marrow-workup:measure:neoplasm-yield"


def _population(code: str, cell: Cell) -> dict[str, Any]:
    population: dict[str, Any] = {"code": {"coding": [{"system": MEASURE_POPULATION, "code": code}]}}
    if cell.value is None:  # suppressed: no count, and the reason said in FHIR's own terms
        population["extension"] = [{"url": DATA_ABSENT, "valueCode": "masked"}]
    else:
        population["count"] = cell.value
    return population


def _populations(row: Row) -> list[dict[str, Any]]:
    return [_population("initial-population", row.cases), _population("denominator", row.known),
            _population("numerator", row.neoplasm)]  # fmt: skip


def _score(row: Row) -> dict[str, Any]:
    if row.yield_.percent is None:
        return {}
    return {"measureScore": {"value": row.yield_.percent, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"}}


def registry_measure_report(*, report: Report, now: dt.datetime) -> dict[str, Any]:
    """The aggregates as a FHIR R4 MeasureReport (summary): the yield overall and stratified by
    trigger, disposition and published criterion, with the same suppression as the page."""
    end = report.filters.end - dt.timedelta(days=1) if report.filters.end else now.date()
    # Without a period asked for, the report runs from the first case: a start is not invented.
    period = {"start": report.filters.start.isoformat()} if report.filters.start else {}
    version = "all pathway versions, pooled" if report.version == ALL_VERSIONS else f"pathway {report.version}"
    stratifiers = [
        ("trigger", "Biopsy trigger", report.triggers),
        ("disposition", "Disposition", report.dispositions),
        ("criterion", "Published criterion, met or not", report.criteria),
    ]
    resource: dict[str, Any] = {
        "resourceType": "MeasureReport",
        "status": "complete",
        "type": "summary",
        "measure": MEASURE_URL,
        "date": now.isoformat(),
        "period": period | {"end": end.isoformat()},
        "group": [{
            "code": {"text": f"Haematolymphoid neoplasm yield of reviewed cases, {version}"
                             + (f", referred by {report.filters.role}s" if report.filters.role else "")},
            "population": _populations(report.overall),
            **_score(report.overall),
            "stratifier": [{
                "code": [{"text": text}],
                "stratum": [{"value": {"text": row.label}, "population": _populations(row), **_score(row)} for row in rows],
            } for _, text, rows in stratifiers],
        }],
    }  # fmt: skip
    if report.synthetic:  # HL7's code for test data: the figures include synthetic cases
        resource["meta"] = {"tag": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HTEST",
                                     "display": "test health data"}]}  # fmt: skip
    return resource


# --- Chart -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class ChartBar:
    label: str
    y: float
    text_y: float
    shown: bool
    x: float = 0
    low_x: float = 0
    high_x: float = 0
    text: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    bars: tuple[ChartBar, ...]
    ticks: tuple[tuple[float, str], ...]
    source_band: tuple[float, float]
    literature_band: tuple[float, float]
    axis_y: float


def registry_chart(*, report: Report) -> Chart:
    """Coordinates of the per-trigger yield chart (dot and interval bar on 0–100 %), for the SVG template."""
    left, right, row_height, top = 300, 880, 34, 40
    scale = (right - left) / 100

    def x(percent: float) -> float:
        return round(left + percent * scale, 1)

    bars = []
    for index, row in enumerate(report.triggers):
        y = top + index * row_height
        if row.yield_.percent is None:
            bars.append(ChartBar(row.label, y, y + 5, False, text="fewer than 5 with or without a neoplasm: not shown"))
        else:
            bars.append(ChartBar(row.label, y, y + 5, True, x(row.yield_.percent), x(row.yield_.low), x(row.yield_.high),
                                 f"{row.yield_.text} ({row.yield_.interval_text})"))  # fmt: skip
    bottom = top + len(bars) * row_height
    return Chart(
        width=920, height=bottom + 30, left=left, right=right, bars=tuple(bars),
        ticks=tuple((x(p), f"{p}%") for p in range(0, 101, 20)),
        source_band=(x(SOURCE_YIELD[0]), round((SOURCE_YIELD[1] - SOURCE_YIELD[0]) * scale, 1)),
        literature_band=(x(LITERATURE_YIELD[0]), round((LITERATURE_YIELD[1] - LITERATURE_YIELD[0]) * scale, 1)),
        axis_y=bottom,
    )  # fmt: skip


def versions_recorded() -> list[str]:
    """Every pathway version in the registry, newest first (the filter's choices)."""
    names = RegistryEntry.objects.values_list("pathway_version", flat=True).distinct().order_by()
    return sorted(set(names), key=version_key, reverse=True)
