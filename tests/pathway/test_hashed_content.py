"""Every sentence a result shows is pathway content covered by the rule-content hash (SPEC §6).

A sentence passes when it is built from the content's templates (wording.TEXT, joined by spaces)
with case values in their fields, or is a text of the rule table; an f-string sentence written in
code anywhere else fails.
"""

import re
from functools import cache

import pytest

from tests.golden import golden_params
from workup.pathway import engine, wording
from workup.pathway.engine import evaluate
from workup.pathway.inputs import CHOICE_LABELS, INPUTS
from workup.pathway.parsing import case_from_json
from workup.pathway.rules import RULES
from workup.report import impression_sentences, provenance_line

# Templates that are only a field and a separator would match almost anything on their own; they
# are used inside the others.
FRAGMENTS = {
    "value", "value_bare", "value_reference", "reference_stated", "conflict_anemia", "explained_value",
    "conflict_blocker_life_expectancy", "not_deferrable_default",
    *(key for key in wording.TEXT if key.endswith("_short")),
}


def _pattern(template: str) -> str:
    parts = re.split(r"\{[a-z_]+\}", template)
    return ".+?".join(re.escape(part) for part in parts)


# The report's templates that are parts of its sentences (a sign, a value, a reason), not sentences.
REPORT_FRAGMENT_PREFIXES = ("sign_", "value_", "detected_", "blocked_", "reason_", "referral_", "finding")
REPORT_FRAGMENTS = {"and", "limit_sex_not_recorded", "lab_limit", "no_rules", "imaging_pregnant"}


def report_sentences() -> list[str]:
    """The report's whole-sentence templates (SPEC 1.2 §6.1), with the sentences a finding opens."""
    texts = [t for k, t in wording.REPORT_TEXT.items()
             if not k.startswith(REPORT_FRAGMENT_PREFIXES) and k not in REPORT_FRAGMENTS]
    texts += [wording.REPORT_TEXT[k] for k in ("finding_with_signs", "finding_signs_not_recorded")]
    imaging = wording.REPORT_TEXT["imaging"]
    texts.append(imaging[:-1] + wording.REPORT_TEXT["imaging_pregnant"])
    return texts


@cache
def sentence_pattern() -> re.Pattern:
    texts = [t for k, t in wording.TEXT.items() if k not in FRAGMENTS] + report_sentences()
    texts += [t for k, t in wording.TEXT.items() if k == "conflict_trigger"]
    patterns = [_pattern(t) for t in texts]
    patterns[-1] = patterns[-1] + f"(?:{_pattern(wording.TEXT['conflict_anemia'])})?"
    for rule in RULES:
        patterns += [re.escape(x) for x in (rule.statement, rule.active_reason, rule.applicability, rule.lead) if x]
    one = "(?:" + "|".join(patterns) + ")"
    return re.compile(f"{one}(?: {one})*")


def sentences_of(result, case) -> list[str]:
    """The free-text sentences of a result (titles, labels and figures are rule-table fields)."""
    out = [result.summary, *(o.text for o in result.options), *(c.policy for c in result.conflicts)]
    out += [p.reason for p in result.pitfalls] + [m.applicability for m in result.mri]
    out += [w.message for w in result.warnings] + [u.note for u in result.unknowns if u.note]
    out += [line.note for line in result.labs if line.note]
    out += [line.reference_origin for line in result.labs if line.reference_origin]
    out += impression_sentences(result, case=case) + [provenance_line(result)]
    return out


@pytest.mark.parametrize("case", golden_params())
def test_every_sentence_of_a_golden_result_comes_from_the_hashed_content(case):
    parsed = case_from_json(data=case["input"])
    result = evaluate(parsed)
    pattern = sentence_pattern()
    stray = [s for s in sentences_of(result, parsed) if not pattern.fullmatch(s)]
    assert stray == []


def test_a_sentence_written_outside_the_content_is_caught():
    assert not sentence_pattern().fullmatch("Biopsy is advised because the values look bad.")


# One sentence changed in each table of the wording module: (table, key, new wording).
CHANGED_SENTENCES = [
    ("TEXT", "summary_proceed", "Biopsy: {triggers}."),
    ("REPORT_TEXT", "proceed", "Biopsy because of {reasons}."),
    ("CARD_TEXT", "section_basis", "Why"),
    ("ORDER_CARD_HEADLINES", "PROCEED_TO_BIOPSY", "Biopsy: go ahead"),
    ("CARD_OVERRIDE_REASONS", "clinical-judgement", "I disagree"),
    ("RECORD_TEXT", "undated", "Undated: not used."),
    ("INPUT_TEXT", "not_a_number", "Not a number: “{text}”."),
    ("CARD_DISPOSITIONS", "PROCEED_TO_BIOPSY", "Biopsy"),
    ("NOTICE_TEXT", "title", "From the chart"),
]


@pytest.mark.parametrize(("table", "key", "wording_"), CHANGED_SENTENCES, ids=[row[0] for row in CHANGED_SENTENCES])
def test_changing_a_sentence_of_any_table_changes_the_hash(monkeypatch, table, key, wording_):
    before = engine._content_hash()
    assert key in getattr(wording, table)
    monkeypatch.setattr(wording, table, {**getattr(wording, table), key: wording_})
    assert engine._content_hash() != before


def test_labels_help_and_choice_labels_are_hashed(monkeypatch):
    before = engine._content_hash()
    monkeypatch.setitem(CHOICE_LABELS, "recent_gcsf_or_epo", "Recent G-CSF or EPO")
    assert engine._content_hash() != before
    assert INPUTS[0].label in str(engine.pathway_content()["inputs"])
