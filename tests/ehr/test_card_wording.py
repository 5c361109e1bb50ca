"""Every sentence of a CDS card is pathway content (issue 10, SPEC §6): the rule-content hash covers it.

Each template of the wording module is wrapped in markers while the card is built; what is left of
the card's text once the marked spans are cut out is layout only (bullets, bold, blank lines). A
sentence written in workup/ehr/cds.py would be left over, with its letters.
"""

from __future__ import annotations

import pytest

from tests.ehr.fhir_builders import (
    SERVICE_BY_HOOK,
    bundle,
    days_ago,
    hook_request,
    observation,
    prefetch_for,
    split_case,
)
from tests.golden import golden_params
from workup.pathway import wording
from workup.saved import drafts

pytestmark = pytest.mark.django_db

OPEN, CLOSE = "⟦", "⟧"
ODD_PREFETCH = {  # a unit the pathway refuses, an old result, an implausible value, an EHR error, absent keys
    "hemoglobin": bundle(observation("718-7", 7.1, "%"), observation("718-7", 10, "g/dL", effective=days_ago(400))),
    "calcium": bundle(observation("17861-6", 112, "mg/dL")),
    "creatinine": {"resourceType": "OperationOutcome",
                   "issue": [{"severity": "error", "code": "exception", "diagnostics": "search timed out"}]},
}


@pytest.fixture
def marked(monkeypatch):
    """Every template of the wording module, wrapped in markers."""
    def mark(table):
        return {key: f"{OPEN}{text}{CLOSE}" for key, text in table.items()}
    for name in ("TEXT", "CARD_TEXT", "CARD_HEADLINES", "ORDER_CARD_HEADLINES", "CARD_DISPOSITIONS", "RECORD_TEXT",
                 "INPUT_TEXT"):
        # raising=False: on code without a table the card's own sentences are left over, and the test says so
        monkeypatch.setattr(wording, name, mark(getattr(wording, name, {})), raising=False)


def outside_the_content(text: str) -> str:
    """The characters of `text` outside every marked span."""
    depth, left = 0, []
    for char in text:
        depth += (char == OPEN) - (char == CLOSE)
        if depth == 0 and char != CLOSE:
            left.append(char)
    return "".join(left)


def stray_words(card: dict) -> str:
    residue = outside_the_content(card["detail"]) + outside_the_content(card["links"][0]["label"] if "links" in card
                                                                        else "")
    return "".join(char for char in residue if char.isalnum())


def cards(client, prefetch, hook="order-sign"):
    response = client.post(SERVICE_BY_HOOK[hook], hook_request(prefetch, hook=hook), content_type="application/json")
    assert response.status_code == 200
    return response.json()["cards"]


@pytest.mark.parametrize("case", golden_params())
def test_every_card_sentence_of_a_golden_case_comes_from_the_hashed_content(client, marked, case):
    labs, _ = split_case(case["input"])
    (card,) = cards(client, prefetch_for(labs))
    assert stray_words(card) == ""


def test_set_aside_results_ehr_messages_and_the_capped_note_come_from_the_hashed_content(client, marked, monkeypatch):
    monkeypatch.setattr(drafts, "SIGNED_OUT_DRAFTS_PER_ADDRESS", 0)
    (card,) = cards(client, ODD_PREFETCH)
    assert "search timed out" in card["detail"] and "“%”" in card["detail"]
    assert stray_words(card) == ""


def test_a_card_sentence_written_in_code_is_caught():
    assert outside_the_content(f"{OPEN}Basis{CLOSE}\n\n- Old results were ignored.") == "\n\n- Old results were ignored."


def test_card_wording_is_unchanged_for_the_reader(client):
    (card,) = cards(client, ODD_PREFETCH)
    assert "**Complete workup.** No biopsy trigger so far" in card["detail"]
    assert "**Not used**\n\n- `prefetch.hemoglobin.entry[0]`: " in card["detail"]
    assert "- `prefetch.creatinine`: error: search timed out" in card["detail"]
    assert "Only results older than the look-back window (default 90 days), so not used: Hemoglobin." in card["detail"]


def test_the_card_names_the_disposition_in_the_hashed_words(client, monkeypatch):
    marked = {disposition: f"{OPEN}{disposition.value}{CLOSE}" for disposition in wording.Disposition}
    monkeypatch.setattr(wording, "CARD_DISPOSITIONS", marked, raising=False)
    (card,) = cards(client, prefetch_for({"hemoglobin": {"value": 9, "unit": "g/dL"}}))
    assert f"**{OPEN}PROCEED_TO_BIOPSY{CLOSE}.** " in card["detail"]


def test_override_reasons_offered_are_the_hashed_ones(client):
    (card,) = cards(client, ODD_PREFETCH)
    assert {r["code"]: r["display"] for r in card["overrideReasons"]} == dict(wording.CARD_OVERRIDE_REASONS)
