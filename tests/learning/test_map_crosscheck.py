"""The pathway map marks where the source's rules and the published criteria part ways (SPEC §10),
worked out from the rule table: each criterion's related_rules and the two conditions."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest

from workup.learning import pathway_map
from workup.learning.pathway_map import pathway_graph, pathway_layout, pathway_map_outline, pathway_map_svg
from workup.pathway.rules import CRITERIA, RULES, RULES_BY_ID

SVG = "{http://www.w3.org/2000/svg}"
PAIRS = {(rule_id, c.id) for c in CRITERIA for rule_id in c.related_rules}


@pytest.fixture
def rule_table(monkeypatch):
    """Draw the map from an edited rule table (the caches are dropped before and after)."""

    def use(*changed):
        by_id = {rule.id: rule for rule in changed}
        rules = tuple(by_id.get(rule.id, rule) for rule in RULES)
        monkeypatch.setattr(pathway_map, "RULES", rules)
        monkeypatch.setattr(pathway_map, "RULES_BY_ID", {rule.id: rule for rule in rules})
        pathway_graph.cache_clear()
        pathway_layout.cache_clear()

    yield use
    pathway_graph.cache_clear()
    pathway_layout.cache_clear()


def _tree() -> ET.Element:
    return ET.fromstring(pathway_map_svg())


def _crosscheck_lines(tree: ET.Element) -> set[tuple[str, str]]:
    return {
        (p.get("data-source"), p.get("data-target"))
        for p in tree.iter(f"{SVG}path")
        if "crosscheck" in p.get("class", "").split()
    }


def _box(tree: ET.Element, rule_id: str) -> ET.Element:
    return next(g for g in tree.iter(f"{SVG}g") if g.get("data-rule-id") == rule_id)


def _outline_item(rule_id: str):
    return next(i for s in pathway_map_outline() for _, items in s.bands for i in items if i.id == rule_id)


def _outline_text(rule_id: str) -> str:
    return " ".join(_outline_item(rule_id).crosscheck)


def test_map_draws_a_line_for_every_criterion_and_each_rule_it_sits_beside():
    assert _crosscheck_lines(_tree()) == PAIRS


@pytest.mark.parametrize("criterion", CRITERIA, ids=lambda r: r.id)
def test_map_marks_every_criterion_with_words_behind_the_mark(criterion):
    box = _box(_tree(), criterion.id)
    assert box.get("data-crosscheck")
    assert criterion.id in box.find(f"{SVG}title").text
    assert box.get("data-crosscheck") in "".join(box.itertext())


@pytest.mark.parametrize(("rule_id", "criterion_id"), sorted(PAIRS))
def test_map_marks_both_ends_of_every_pair(rule_id, criterion_id):
    tree = _tree()
    assert "≠" in _box(tree, rule_id).get("data-crosscheck")
    assert rule_id in _box(tree, criterion_id).find(f"{SVG}title").text


def test_only_rules_beside_a_criterion_carry_a_mark():
    tree = _tree()
    assert _box(tree, "BX-ANEMIA").get("data-crosscheck") == "≠ 2 published criteria"
    assert _box(tree, "BX-CANCER-HISTORY").get("data-crosscheck") is None
    assert _box(tree, "DF-NORMAL-LABS").get("data-crosscheck") is None


def test_criterion_with_no_rule_beside_it_is_criteria_only():
    assert _box(_tree(), "CRIT-SLIM-BMPC").get("data-crosscheck") == "criteria only"
    assert "criteria only" not in _box(_tree(), "CRIT-WHO-ANEMIA").get("data-crosscheck")


def test_criterion_beside_only_the_apps_own_rule_is_criteria_only():
    # BX-FOCAL is the app's extension, not the source's: the source has nothing beside SLiM focal.
    mark = _box(_tree(), "CRIT-SLIM-FOCAL").get("data-crosscheck")
    assert mark.startswith("criteria only") and "BX-FOCAL" in mark


def test_outline_states_the_who_sex_specific_cut_off_against_the_source():
    text = _outline_text("CRIT-WHO-ANEMIA")
    assert "BX-ANEMIA < 12.0 g/dL" in text
    assert "13.0 g/dL if male" in text
    assert "Sex: only CRIT-WHO-ANEMIA reads it" in text


def test_outline_states_the_inclusive_flc_breakpoint_against_the_source():
    text = _outline_text("CRIT-FLC-PUBLISHED")
    assert "BX-FLC > 8 or < 0.125" in text
    assert "CRIT-FLC-PUBLISHED ≥ 8 or ≤ 0.125" in text


def test_outline_says_a_lab_limit_replaces_the_default_one():
    assert "BX-CALCIUM > the lab's limit (by default 10.4 mg/dL)" in _outline_text("CRIT-IMWG-CALCIUM")


def test_outline_names_the_inputs_only_the_mgus_strata_read():
    text = _outline_text("CRIT-MGUS-RISK")
    assert "M-protein concentration: only CRIT-MGUS-RISK reads it (≥ 1.5 g/dL)" in text
    assert "Involved isotype: only CRIT-MGUS-RISK reads it" in text


def test_outline_of_a_source_rule_names_its_criteria():
    assert "CRIT-WHO-ANEMIA, CRIT-IMWG-ANEMIA" in _outline_text("BX-ANEMIA")


def test_outline_of_a_criterion_adds_how_its_page_says_it_differs():
    assert "exactly 8 meets the published figure" in _outline_item("CRIT-FLC-PUBLISHED").crosscheck_note


def test_description_names_the_pairs_and_the_criteria_only():
    desc = _tree().find(f"{SVG}desc").text
    assert "CRIT-WHO-ANEMIA and CRIT-IMWG-ANEMIA beside BX-ANEMIA" in desc
    assert "CRIT-SLIM-BMPC" in desc.split("Criteria only")[1]


def test_a_new_related_rule_in_the_table_adds_its_line_and_marks(rule_table):
    rule_table(dataclasses.replace(RULES_BY_ID["CRIT-SLIM-BMPC"], related_rules=("BX-ANEMIA",)))
    tree = _tree()
    assert ("BX-ANEMIA", "CRIT-SLIM-BMPC") in _crosscheck_lines(tree)
    assert _box(tree, "BX-ANEMIA").get("data-crosscheck") == "≠ 3 published criteria"
    assert _box(tree, "CRIT-SLIM-BMPC").get("data-crosscheck") == "≠ BX-ANEMIA"


def test_a_criterion_losing_its_related_rule_becomes_criteria_only(rule_table):
    rule_table(dataclasses.replace(RULES_BY_ID["CRIT-IMWG-CALCIUM"], related_rules=()))
    tree = _tree()
    assert not {pair for pair in _crosscheck_lines(tree) if "CRIT-IMWG-CALCIUM" in pair}
    assert _box(tree, "BX-CALCIUM").get("data-crosscheck") is None
    assert _box(tree, "CRIT-IMWG-CALCIUM").get("data-crosscheck") == "criteria only"


def test_the_difference_is_read_from_the_conditions(rule_table):
    # A criterion that tested exactly what BX-FLC tests would differ from it only in when it can be judged.
    rule_table(dataclasses.replace(RULES_BY_ID["CRIT-FLC-PUBLISHED"], condition=RULES_BY_ID["BX-FLC"].condition))
    text = _outline_text("CRIT-FLC-PUBLISHED")
    assert "≥ 8" not in text
    assert "Both test the same" in text


def test_map_page_shows_the_legend_and_the_outline_differences(client):
    body = client.get("/learn/map").content.decode()
    assert "a published criterion and the rule it sits beside part ways" in body
    assert "A published criterion with no rule of the source beside it." in body
    assert "CRIT-FLC-PUBLISHED ≥ 8 or ≤ 0.125" in body

