"""Learning mode and the published-criteria cross-check: a page per criterion, and worked cases
that turn on where the source and the criteria part ways."""

from __future__ import annotations

import json

import pytest

from workup.learning.vignettes import VIGNETTES_PATH
from workup.pathway.engine import evaluate
from workup.pathway.parsing import case_from_json
from workup.pathway.rules import CRITERIA

CROSS_CHECK_CASES = [
    v for v in json.loads(VIGNETTES_PATH.read_text(encoding="utf-8"))["vignettes"] if "criteria" in v["expected"]
]


def test_four_worked_cases_turn_on_the_cross_check():
    assert {v["id"] for v in CROSS_CHECK_CASES} == {
        "flc-ratio-exactly-8", "woman-hb-11-5", "igg-mgus-0-5", "anaemic-retiree",
    }  # fmt: skip


@pytest.mark.parametrize("vignette", CROSS_CHECK_CASES, ids=lambda v: v["id"])
def test_worked_case_criteria_hold_in_the_engine(vignette):
    statuses = {c.id: c.status for c in evaluate(case_from_json(data=vignette["input"])).criteria}
    assert {k: statuses[k] for k in vignette["expected"]["criteria"]} == vignette["expected"]["criteria"]


@pytest.mark.parametrize("rule", CRITERIA, ids=lambda r: r.id)
def test_each_criterion_has_a_page_saying_how_it_differs(client, rule):
    body = client.get(f"/learn/rules/{rule.id}").content.decode()
    assert "Published criterion (cross-check beside the source; never changes the result)" in body
    assert rule.title.split(":")[0] in body


def test_flc_page_explains_the_inclusive_breakpoint(client):
    body = client.get("/learn/rules/CRIT-FLC-PUBLISHED").content.decode()
    assert "a ratio of exactly 8 meets the published figure but not BX-FLC" in body


def test_flc_8_answer_shows_the_published_breakpoint_met(client):
    response = client.post("/learn/cases/flc-ratio-exactly-8", {"disposition": "BIOPSY_STRONGLY_CONSIDERED"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-criterion-id="CRIT-FLC-PUBLISHED" data-status="met"' in body
    assert "Published thresholds met where the source does not trigger: FLC κ/λ ratio 8 (FLC breakpoint as published)." in body
