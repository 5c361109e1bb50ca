"""The rule table itself: the spec's IDs, table order, citations and evidence notes."""

import pytest

from workup.pathway.engine import PATHWAY_INFO, rule_table
from workup.pathway.evidence import CITATIONS, EVIDENCE_NOTES
from workup.pathway.rules import RULES, RULES_BY_ID

# SPEC §4 and §1, copied from the spec: the contract the table must honour.
SPEC_IDS = {
    "BX-ANEMIA", "BX-MPROTEIN", "BX-FLC", "BX-CALCIUM", "BX-RENAL", "BX-IMMUNOPARESIS",
    "BX-AGE-WEIGHT-LOSS", "BX-CANCER-HISTORY", "BX-FOCAL",
    "DF-NORMAL-LABS", "DF-LIFE-EXPECTANCY", "DF-BENIGN-CONTEXT",
    "IM-MRI-CONTRAST", "IM-PET-CT", "IM-SKELETAL-SURVEY", "IM-PRECONTRAST-T1",
    "FU-REPEAT-LABS",
    "PF-MRI-ALONE", "PF-ANEMIA-DELAY", "PF-CLIVUS", "PF-CONTRAST-ONLY",
    "MRI-T1-WM", "MRI-T1-GM", "MRI-T1-DISC", "MRI-T1-MUSCLE", "MRI-PATTERN-HOMOGENEOUS",
    "MRI-PATTERN-VARIEGATED",
    "SCOPE-PEDIATRIC", "SCOPE-FOCAL", "SCOPE-KNOWN-CAUSE",
    # SPEC §10: the published-criteria cross-check.
    "CRIT-WHO-ANEMIA", "CRIT-IMWG-ANEMIA", "CRIT-IMWG-CALCIUM", "CRIT-IMWG-RENAL", "CRIT-FLC-PUBLISHED",
    "CRIT-SLIM-FLC", "CRIT-SLIM-FOCAL", "CRIT-SLIM-BMPC", "CRIT-MGUS-RISK",
}  # fmt: skip
SPEC_EVIDENCE_NOTES = {
    "EN-YIELD", "EN-HB", "EN-FLC", "EN-CALCIUM", "EN-RENAL", "EN-IMMUNOPARESIS", "EN-WEIGHT-LOSS",
    "EN-CANCER", "EN-BRAIN-REF", "EN-LUMBAR-REF", "EN-CONTRAST", "EN-PETCT", "EN-SKELETAL",
    "EN-FOLLOW-UP", "EN-LABPANEL", "EN-MIMICS", "EN-FOCAL",
    # SPEC 1.2 §7
    "EN-CYTOPENIA", "EN-BLOOD-FILM", "EN-MGUS-RISK",
}  # fmt: skip
SPEC_NOTE_OF = {
    "BX-ANEMIA": "EN-HB", "BX-MPROTEIN": "EN-LABPANEL", "BX-FLC": "EN-FLC", "BX-CALCIUM": "EN-CALCIUM",
    "BX-RENAL": "EN-RENAL", "BX-IMMUNOPARESIS": "EN-IMMUNOPARESIS", "BX-AGE-WEIGHT-LOSS": "EN-WEIGHT-LOSS",
    "BX-CANCER-HISTORY": "EN-CANCER", "BX-FOCAL": "EN-FOCAL", "DF-BENIGN-CONTEXT": "EN-MIMICS",
    "IM-MRI-CONTRAST": "EN-CONTRAST", "IM-PET-CT": "EN-PETCT", "IM-SKELETAL-SURVEY": "EN-SKELETAL",
    "FU-REPEAT-LABS": "EN-FOLLOW-UP", "MRI-T1-WM": "EN-BRAIN-REF", "MRI-T1-GM": "EN-BRAIN-REF",
    "MRI-T1-DISC": "EN-LUMBAR-REF", "MRI-T1-MUSCLE": "EN-LUMBAR-REF",
}  # fmt: skip


def test_rule_table_holds_every_spec_id():
    assert set(RULES_BY_ID) >= SPEC_IDS


def test_rule_ids_are_unique():
    assert len(RULES) == len(RULES_BY_ID)


def test_extra_rule_ids_are_only_plausibility_warnings():
    assert {r.id for r in RULES} - SPEC_IDS == {r.id for r in RULES if r.id.startswith("WARN-")}


def test_every_spec_evidence_note_exists():
    assert set(EVIDENCE_NOTES) == SPEC_EVIDENCE_NOTES


@pytest.mark.parametrize("rule_id,note_id", sorted(SPEC_NOTE_OF.items()))
def test_rule_carries_spec_evidence_note(rule_id, note_id):
    assert RULES_BY_ID[rule_id].evidence_note == note_id


@pytest.mark.parametrize("rule", [r for r in RULES if r.kind != "warning"], ids=lambda r: r.id)
def test_rule_cites_known_sources(rule):
    assert rule.citations
    assert all(c in CITATIONS for c in rule.citations)


def test_fired_references_point_at_earlier_rules():
    stage_order = ["trigger", "deferral", "imaging", "follow_up", "pitfall", "mri", "warning"]
    for rule in RULES:
        for ref in rule.condition.rule_refs():
            referenced = RULES_BY_ID[ref]
            assert stage_order.index(referenced.kind) < stage_order.index(rule.kind), (rule.id, ref)


def test_bx_focal_is_marked_as_an_extension():
    assert any("extension beyond the source" in label for label in RULES_BY_ID["BX-FOCAL"].labels)


def test_rule_table_describes_conditions_and_inputs():
    table = {row["id"]: row for row in rule_table()}
    assert table["BX-ANEMIA"]["condition"] == "hemoglobin < hb_trigger"
    assert table["BX-ANEMIA"]["inputs"] == ["hemoglobin"]
    assert table["IM-PET-CT"]["rule_refs"] == ["BX-AGE-WEIGHT-LOSS", "BX-CANCER-HISTORY", "BX-FLC",
                                               "BX-IMMUNOPARESIS", "BX-MPROTEIN"]


def test_pathway_identity():
    assert PATHWAY_INFO.id == "marrow-heterogeneity-lumbar-mri"
    assert PATHWAY_INFO.source_date == "2025-11-14"
    assert PATHWAY_INFO.hash.startswith("sha256:") and len(PATHWAY_INFO.hash) == 7 + 64


def test_pathway_hash_changes_with_rule_content(monkeypatch):
    from workup.pathway import engine
    from workup.pathway import thresholds as T

    before = engine._content_hash()
    monkeypatch.setattr(T, "ALL_THRESHOLDS", T.ALL_THRESHOLDS[1:])
    assert engine._content_hash() != before
