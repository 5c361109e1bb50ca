"""The about page: every input with how to obtain it, validation status, and the disagreements."""

import pytest

from workup.learning.about import DISAGREEMENTS, HOW_TO_OBTAIN, input_lines
from workup.pathway.evidence import EVIDENCE_NOTES
from workup.pathway.inputs import INPUTS
from workup.pathway.rules import RULES, RULES_BY_ID

INPUT_KEYS = [spec.key for spec in INPUTS]


def test_how_to_obtain_covers_exactly_the_input_table():
    assert set(HOW_TO_OBTAIN) == set(INPUT_KEYS)


def test_input_lines_follow_the_input_table_order():
    assert [line.key for line in input_lines()] == [*INPUT_KEYS, "reference_limits"]


@pytest.mark.parametrize("key", [*INPUT_KEYS, "reference_limits"])
def test_about_page_lists_input_key(client, key):
    body = client.get("/about").content.decode()
    assert f"<code>{key}</code>" in body


def test_about_page_states_validation_plainly(client):
    body = client.get("/about").content.decode()
    assert "not been clinically validated" in body
    assert "not that the specification is right" in body


def test_about_page_shows_source_date_and_hash(client):
    body = client.get("/about").content.decode()
    assert "2025-11-14" in body
    assert "sha256:" in body


@pytest.mark.parametrize("d", DISAGREEMENTS, ids=lambda d: d.topic)
def test_disagreement_names_real_rules_and_note(d):
    assert d.evidence_note in EVIDENCE_NOTES
    assert all(rule_id in RULES_BY_ID for rule_id in d.rule_ids)
    assert d.follows in ("source", "evidence", "both")


def test_disagreements_cover_every_note_on_a_source_rule():
    # EN-LABPANEL agrees with the source; every other note on a source rule marks a disagreement.
    notes = {r.evidence_note for r in RULES if r.evidence_note and "SOURCE-PATHWAY" in r.citations}
    assert notes - {"EN-LABPANEL"} <= {d.evidence_note for d in DISAGREEMENTS}


def test_about_page_lists_every_disagreement(client):
    body = client.get("/about").content.decode()
    assert all(d.topic in body for d in DISAGREEMENTS)
