"""The registry's aggregates: yields with Wilson intervals, suppression under 5, versions never pooled."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from tests.registry.conftest import DONE_NEOPLASM, DONE_NORMAL, make_entries
from workup.learning.diagnostics import wilson_interval
from workup.pathway.rules import RULES
from workup.pathway.wording import RuleKind
from workup.registry import report as registry_report
from workup.registry.report import Filters
from workup.registry.report import registry_report as build


def _row(rows, key):
    return next(r for r in rows if r.key == key)


@pytest.mark.django_db
def test_trigger_yield_with_wilson_interval():
    make_entries(12, outcome=DONE_NEOPLASM, triggers=("BX-MPROTEIN",))
    make_entries(28, outcome=DONE_NORMAL, triggers=("BX-MPROTEIN",))
    row = _row(build(filters=Filters(version="1.2")).triggers, "BX-MPROTEIN")
    low, high = wilson_interval(12, 40)
    assert (row.known.text, row.neoplasm.text, row.yield_.text) == ("40", "12", "30.0%")
    assert row.yield_.interval_text == f"{100 * low:.1f}–{100 * high:.1f}%"


@pytest.mark.django_db
def test_small_cells_are_suppressed_with_the_yield():
    make_entries(3, outcome=DONE_NEOPLASM, triggers=("BX-CALCIUM",))
    make_entries(30, outcome=DONE_NORMAL, triggers=("BX-CALCIUM",))
    row = _row(build(filters=Filters(version="1.2")).triggers, "BX-CALCIUM")
    assert row.neoplasm.text == "< 5" and row.neoplasm.value is None
    assert row.known.text == "33"
    assert row.yield_.percent is None and "%" not in row.yield_.text  # 3/33 would give the 3 back


@pytest.mark.django_db
def test_trigger_rows_follow_the_rule_table(monkeypatch):
    added = dataclasses.replace(next(r for r in RULES if r.kind == RuleKind.TRIGGER), id="BX-NEW-TRIGGER",
                                title="A trigger added later")
    monkeypatch.setattr(registry_report, "RULES", (*RULES, added))
    keys = [row.key for row in build(filters=Filters()).triggers]
    assert keys == [r.id for r in RULES if r.kind == RuleKind.TRIGGER] + ["BX-NEW-TRIGGER"]
    assert {"BX-CYTOPENIA", "BX-BLOOD-FILM"} <= set(keys)  # pathway 1.2's triggers, read from the table


@pytest.mark.django_db
def test_missing_outcomes_are_counted_not_dropped():
    make_entries(7, outcome=None, triggers=("BX-ANEMIA",))
    make_entries(6, outcome=DONE_NORMAL, triggers=("BX-ANEMIA",))
    report = build(filters=Filters(version="1.2"))
    assert (report.overall.cases.text, report.overall.known.text, report.overall.missing.text) == ("13", "6", "7")
    assert _row(report.triggers, "BX-ANEMIA").missing.text == "7"


@pytest.mark.django_db
def test_biopsies_on_a_trigger_alone():
    make_entries(6, outcome=DONE_NORMAL, triggers=("BX-ANEMIA",))
    make_entries(9, outcome=DONE_NORMAL, triggers=("BX-ANEMIA", "BX-RENAL"))
    row = _row(build(filters=Filters(version="1.2")).triggers, "BX-ANEMIA")
    assert (row.biopsies.text, row.biopsies_alone.text) == ("15", "6")


@pytest.mark.django_db
def test_versions_are_not_pooled_unless_asked():
    make_entries(10, outcome=DONE_NORMAL, version="1.2")
    make_entries(8, outcome=DONE_NORMAL, version="1.0")
    assert build(filters=Filters(version="1.2")).overall.cases.text == "10"
    default = build(filters=Filters())
    assert default.overall.cases.text in ("10", "8") and not default.pooled and default.several_versions
    pooled = build(filters=Filters(version="all"))
    assert pooled.pooled and pooled.overall.cases.text == "18"


@pytest.mark.django_db
def test_period_and_role_filters():
    make_entries(6, outcome=DONE_NORMAL, month=dt.date(2026, 2, 1), role="resident")
    make_entries(7, outcome=DONE_NORMAL, month=dt.date(2026, 5, 1), role="radiologist")
    start, end = registry_report.period_bounds("2026-Q1")
    assert build(filters=Filters(start=start, end=end, version="1.2")).overall.cases.text == "6"
    start, end = registry_report.period_bounds("2026")
    assert build(filters=Filters(start=start, end=end, version="1.2", role="radiologist")).overall.cases.text == "7"


@pytest.mark.django_db
def test_criterion_rows_met_and_not_met():
    make_entries(5, outcome=DONE_NEOPLASM, criteria=(("CRIT-IMWG-ANEMIA", True),))
    make_entries(6, outcome=DONE_NORMAL, criteria=(("CRIT-IMWG-ANEMIA", False),))
    rows = build(filters=Filters(version="1.2")).criteria
    assert _row(rows, "CRIT-IMWG-ANEMIA:met").neoplasm.text == "5"
    assert _row(rows, "CRIT-IMWG-ANEMIA:not_met").known.text == "6"


@pytest.mark.django_db
def test_report_query_count_does_not_grow_with_cases(django_assert_max_num_queries):
    make_entries(40, outcome=DONE_NORMAL, triggers=("BX-ANEMIA", "BX-FLC"), criteria=(("CRIT-WHO-ANEMIA", True),))
    with django_assert_max_num_queries(10) as few:
        build(filters=Filters())
    make_entries(400, outcome=DONE_NEOPLASM, triggers=("BX-RENAL",), criteria=(("CRIT-WHO-ANEMIA", False),))
    with django_assert_max_num_queries(len(few.captured_queries)):
        build(filters=Filters())


def test_period_bounds_quarters():
    assert registry_report.period_bounds("2026-Q4") == (dt.date(2026, 10, 1), dt.date(2027, 1, 1))
    with pytest.raises(ValueError):
        registry_report.period_bounds("2026-Q5")
