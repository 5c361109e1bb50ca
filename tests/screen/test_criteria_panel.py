"""The "Published criteria" section of the panel (SPEC §10): summary lines, one <details> per
criterion with its basis, never in the report text."""

from __future__ import annotations

import pytest

from tests.golden import criteria_params
from tests.support import form_data, golden, parse

FLC_8 = golden("crit-flc-ratio-8-normal-labs")


def _page(client, case):
    return parse(client.post("/", form_data(case["input"])).content)


def test_flc_ratio_8_shows_published_breakpoint_met_beyond_the_source(client):
    page = _page(client, FLC_8)
    section = page.by_id("published-criteria")
    assert section.tag == "section"
    assert page.by_id("criterion-CRIT-FLC-PUBLISHED").attrs["data-status"] == "met"
    lines = [e.text for e in page.with_attr("data-criteria-line")]
    # 1.2 (SPEC §10): plain names, only the lines that say something.
    assert lines == ["Published thresholds met where the source does not trigger: FLC κ/λ ratio 8 "
                     "(FLC breakpoint as published)."]
    assert not page.with_attr("data-rule-id", "BX-FLC")


def test_criteria_are_collapsed_and_labelled(client):
    page = _page(client, FLC_8)
    assert page.by_id("published-criteria").attrs["aria-labelledby"] == "published-criteria-title"
    assert page.by_id("criteria-all").tag == "details"
    assert "open" not in page.by_id("criteria-all").attrs
    criteria = page.with_attr("data-criterion-id")
    assert all(e.tag == "details" and "open" not in e.attrs for e in criteria)
    assert len(criteria) == 9


def test_criterion_basis_shows_entered_value_and_threshold(client):
    page = _page(client, golden("crit-renal-creatinine-2-0"))
    text = page.by_id("criterion-CRIT-IMWG-RENAL").text
    assert "Creatinine: 2.0 mg/dL; > 2.0 mg/dL (CREATININE_CRAB: default) (not met)" in text
    assert "Not measured: eGFR" in text


def test_criteria_are_not_in_the_report_text(client):
    page = _page(client, FLC_8)
    report = page.by_id("report-impression").text + page.by_id("report-referral").text
    assert "CRIT-" not in report
    assert "Published criteria" not in report


@pytest.mark.parametrize("case", criteria_params())
def test_golden_criteria_statuses_on_screen(client, case):
    page = _page(client, case)
    shown = [(e.attrs["data-criterion-id"], e.attrs["data-status"]) for e in page.with_attr("data-criterion-id")]
    assert shown == [(c["id"], c["status"]) for c in case["criteria"]]
    values = {e.attrs["data-criterion-value"] for e in page.with_attr("data-criterion-value")}
    assert values == {c["value"] for c in case["criteria"] if c["value"]}
