"""The pathway map is computed from the rule table and lights exactly what the engine fired."""

import xml.etree.ElementTree as ET

import pytest

from tests.golden import golden_cases
from workup.learning.pathway_map import (
    assessment_rule_ids,
    pathway_graph,
    pathway_layout,
    pathway_map_outline,
    pathway_map_svg,
)
from workup.pathway.engine import evaluate
from workup.pathway.parsing import case_from_json
from workup.pathway.rules import DISPOSITIONS, RULES

SVG = "{http://www.w3.org/2000/svg}"
MAP_CASES = [case["name"] for case in golden_cases()]


def _svg_tree(**kwargs) -> ET.Element:
    return ET.fromstring(pathway_map_svg(**kwargs))


def _node_groups(tree: ET.Element, attribute: str) -> dict[str, set[str]]:
    return {g.get(attribute): set(g.get("class").split()) for g in tree.iter(f"{SVG}g") if g.get(attribute)}


def _assessment(name: str):
    case = next(c for c in golden_cases() if c["name"] == name)
    return evaluate(case_from_json(data=case["input"]))


def test_map_svg_contains_every_rule_id():
    rules = _node_groups(_svg_tree(), "data-rule-id")
    assert set(rules) == {r.id for r in RULES}


def test_map_svg_contains_every_disposition():
    dispositions = _node_groups(_svg_tree(), "data-disposition")
    assert set(dispositions) == {name for name, _ in DISPOSITIONS}


def test_map_svg_is_accessible_image():
    tree = _svg_tree()
    assert tree.get("role") == "img"
    assert tree.find(f"{SVG}title").text
    assert "rule table" in tree.find(f"{SVG}desc").text
    assert tree.get("aria-labelledby") == "pathway-map-title pathway-map-desc"


def test_map_svg_without_case_highlights_nothing():
    tree = _svg_tree()
    assert not [g for g in tree.iter(f"{SVG}g") if "fired" in (g.get("class") or "").split()]


@pytest.mark.parametrize("name", MAP_CASES)
def test_map_highlights_exactly_the_fired_rules_for_golden_case(name):
    assessment = _assessment(name)
    lit = assessment_rule_ids(assessment)
    rules = _node_groups(_svg_tree(fired=lit, disposition=assessment.disposition), "data-rule-id")
    assert {rule_id for rule_id, classes in rules.items() if "fired" in classes} == lit


@pytest.mark.parametrize("name", MAP_CASES)
def test_map_highlights_the_golden_expected_rules_for_golden_case(name):
    case = next(c for c in golden_cases() if c["name"] == name)
    assessment = _assessment(name)
    lit = assessment_rule_ids(assessment)
    expected = case["expected"]
    assert set(expected["fired"]) | set(expected["active_pitfalls"]) | set(expected["mri"]) <= lit


@pytest.mark.parametrize("name", MAP_CASES)
def test_map_marks_only_the_reached_disposition_for_golden_case(name):
    assessment = _assessment(name)
    tree = _svg_tree(fired=assessment_rule_ids(assessment), disposition=assessment.disposition)
    reached = [d for d, classes in _node_groups(tree, "data-disposition").items() if "fired" in classes]
    assert reached == [assessment.disposition]


def test_map_highlight_carries_a_text_marker():
    tree = _svg_tree(fired={"BX-ANEMIA"}, disposition="PROCEED_TO_BIOPSY")
    texts = {
        g.get("data-rule-id") or g.get("data-disposition"): "".join(g.itertext())
        for g in tree.iter(f"{SVG}g")
        if "fired" in (g.get("class") or "").split()
    }
    assert "✓ fired" in texts["BX-ANEMIA"]
    assert "▶ reached" in texts["PROCEED_TO_BIOPSY"]


def test_map_description_names_the_highlighted_rules():
    desc = _svg_tree(fired={"BX-ANEMIA"}, disposition="PROCEED_TO_BIOPSY").find(f"{SVG}desc").text
    assert "BX-ANEMIA" in desc
    assert "Disposition reached: Proceed to bone marrow biopsy." in desc


def _upstream(node_id: str) -> set[str]:
    """Every node a node reads, directly or through combined conditions."""
    graph, seen, todo = pathway_graph(), set(), [node_id]
    while todo:
        for edge in graph.sources(todo.pop()):
            if edge.source not in seen:
                seen.add(edge.source)
                todo.extend([edge.source] if edge.source.startswith("dv:") else [])
    return seen


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_map_graph_edges_follow_rule_inputs(rule):
    assert {f"in:{key}" for key in rule.condition.inputs()} <= _upstream(rule.id)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_map_graph_edges_follow_rule_refs(rule):
    assert set(rule.condition.rule_refs()) <= _upstream(rule.id)


def test_map_graph_proceed_to_biopsy_reads_every_trigger():
    sources = {e.source for e in pathway_graph().sources("PROCEED_TO_BIOPSY")}
    assert sources == {r.id for r in RULES if r.kind == "trigger"}


def test_map_graph_normal_labs_deferral_needs_no_trigger():
    negated = {e.source for e in pathway_graph().sources("DF-NORMAL-LABS") if e.negated}
    assert negated == {r.id for r in RULES if r.kind == "trigger"}


def test_map_layout_boxes_do_not_overlap():
    boxes = list(pathway_layout().boxes.values())
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = (
                a.x + a.width <= b.x or b.x + b.width <= a.x or a.y + a.height <= b.y or b.y + b.height <= a.y
            )
            assert apart, (a.node.id, b.node.id)


def test_map_outline_lists_every_rule_once():
    ids = [
        item.rule_id for s in pathway_map_outline() for _, items in s.bands for item in items if item.rule_id
    ]
    assert sorted(ids) == sorted(r.id for r in RULES)


def test_map_outline_marks_the_same_nodes_as_the_svg():
    assessment = _assessment("life-expectancy-conflict-with-anemia")
    lit = assessment_rule_ids(assessment)
    outline = pathway_map_outline(fired=lit, disposition=assessment.disposition)
    active = {item.id for s in outline for _, items in s.bands for item in items if item.active}
    assert active == lit | {assessment.disposition}


def test_map_names_dispositions_in_words_not_codes():
    tree = _svg_tree(fired=set(), disposition=None)
    labels = [t.text for t in tree.iter(f"{SVG}text") if t.get("class") == "node-label"]
    assert "Proceed to bone marrow biopsy" in labels
    assert not {
        "PROCEED_TO_BIOPSY",
        "COMPLETE_WORKUP",
        "DEFERRAL_REASONABLE",
        "BIOPSY_STRONGLY_CONSIDERED",
    } & set(labels)
