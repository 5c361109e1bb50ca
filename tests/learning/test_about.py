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


def test_about_page_says_no_clinician_reviewed_the_texts_and_what_is_tested(client):
    body = client.get("/about").content.decode()
    assert "no clinician has reviewed its texts" in body
    tested = body[body.index('id="what-is-tested"') : body.index("</ul>", body.index('id="what-is-tested"'))]
    assert "golden cases" in tested and "JSON API" in tested and "axe-core" in tested


def _row(topic):
    return next(d for d in DISAGREEMENTS if d.topic == topic)


def test_brain_reference_row_does_not_claim_a_brain_study_gate():
    # The engine reads a white/gray-matter comparison whenever it is entered (no brain-study input
    # gates it), so the row must not say the signs are shown "only when a brain study exists".
    row = _row("Brain references on a lumbar MRI")
    assert "only when" not in row.tool
    assert "UNCONFIRMED" in row.evidence and "UNCONFIRMED" in row.tool
    assert "never as a trigger" in row.tool


def test_contrast_row_matches_what_the_rules_do():
    row = _row("Lumbar MRI with contrast")
    assert "always asks" not in row.tool  # IM-PRECONTRAST-T1 fires only when no precontrast T1 was acquired
    assert "whenever none was acquired" in row.tool
    assert "contrast was already given" in row.tool  # SPEC 4.3 (1.1)
    assert "mask" not in row.evidence  # EN-CONTRAST: lesions can look like fatty marrow
    assert row.follows == "both"


def test_yield_figure_never_without_its_caveat(client):
    from html import escape

    from workup.pathway.evidence import EVIDENCE_NOTES

    caveat = "Two small biopsy-selected series"
    for path in ("/about", "/learn/tests", "/learn/rules/DF-NORMAL-LABS"):
        body = client.get(path).content.decode()
        if "42–47%" in body:
            assert caveat in body or escape(EVIDENCE_NOTES["EN-YIELD"].text) in body, path


# --- SPEC 1.2 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("d", DISAGREEMENTS, ids=lambda d: d.topic)
def test_follows_column_says_trigger_only_on_a_trigger_row(d):
    first_kind = RULES_BY_ID[d.rule_ids[0]].kind
    assert ("trigger" in d.follows_label) == (d.follows == "both" and first_kind == "trigger")


def test_about_page_follows_column_for_an_imaging_and_an_mri_row(client):
    body = client.get("/about").content.decode()
    for topic, label in (
        ("Skeletal survey", "Source for the imaging offer; evidence beside it"),
        ("Brain references on a lumbar MRI", "Source for the MRI signs; evidence beside it"),
        ("Anaemia trigger", "Source for the trigger; evidence beside it"),
    ):
        row = body[body.index(topic) :]
        row = row[: row.index("</tr>")]
        assert f"<td>{label}</td>" in row


def test_focal_row_says_myeloma_defining_only_with_ten_percent_plasma_cells():
    row = _row("Focal lesions")
    assert "defines myeloma" not in row.evidence
    assert "myeloma-defining only with ≥ 10 % clonal marrow plasma cells" in row.evidence


def test_altitude_is_labelled_unconfirmed():
    assert "altitude and EPO no primary source was found (UNCONFIRMED)" in _row("Benign causes").evidence


def test_yield_row_offers_no_pretest_probability():
    row = _row("How often a neoplasm is found")
    assert "pre-test probabilities" not in row.tool and "Offers none of these figures" in row.tool
    assert "6–10% (UNCONFIRMED)" in row.evidence


def test_brain_row_labels_the_source_figures_and_the_two_group_design():
    row = _row("Brain references on a lumbar MRI")
    assert "UNCONFIRMED" in row.source and "two-group design" in row.evidence


def test_about_page_links_the_hazard_log(client):
    body = client.get("/about").content.decode()
    section = body[body.index('id="hazard-log"') :]
    assert "<code>docs/safety/hazard-log.md</code>" in section[: section.index("<h2")]
