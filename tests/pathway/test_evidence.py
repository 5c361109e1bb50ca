"""Evidence notes and citations (SPEC §7): the 1.2 notes carry their facts, their labels and sources."""

import re

import pytest

from workup.pathway.evidence import CITATIONS, EVIDENCE_NOTES

DOI = re.compile(r"^10\.\d{4,9}/\S+$")


@pytest.mark.parametrize(
    ("note_id", "facts"),
    [
        ("EN-CYTOPENIA", ("extension", "100 × 10⁹/L", "1.5 × 10⁹/L", "Valent 2007", "persists", "Duffy-null")),
        ("EN-BLOOD-FILM", ("leukoerythroblastic", "teardrop", "sepsis", "same day", "Rouleaux")),
        ("EN-MGUS-RISK", ("2 %, 10 %, 18 % and 27 %", "5 %, 21 %, 37 % and 58 %", "at least 10 %")),
        ("EN-FLC", ("0.37–3.10", "UNCONFIRMED", "9 %", "0.7 %", "iStopMM")),
        ("EN-PETCT", ("high-risk non-IgM MGUS", "not for every")),
        ("EN-FOCAL", ("myeloma-defining only with ≥ 10 % clonal marrow plasma cells", "metastases")),
        ("EN-YIELD", ("6–10% (UNCONFIRMED", "pre-test probability")),
        ("EN-BRAIN-REF", ("UNCONFIRMED", "two-group design", "atypical over 50")),
        ("EN-LUMBAR-REF", ("positive predictive values",)),
    ],
)
def test_evidence_note_carries_the_spec_facts(note_id, facts):
    text = EVIDENCE_NOTES[note_id].text
    assert all(fact in text for fact in facts), [fact for fact in facts if fact not in text]


@pytest.mark.parametrize(
    ("note_id", "citation_ids"),
    [
        ("EN-CYTOPENIA", {"VALENT-2007", "MERZ-2023"}),
        ("EN-MGUS-RISK", {"RAJKUMAR-2005"}),
        ("EN-FLC", {"HUTCHISON-2008", "LONG-2022"}),
        ("EN-HB", {"WHO-ANAEMIA", "WHO-2024"}),
        ("EN-BRAIN-REF", {"BAYRAMOGLU-2003", "LIJMER-1999"}),
    ],
)
def test_evidence_note_cites_its_sources(note_id, citation_ids):
    assert citation_ids <= {c.id for c in EVIDENCE_NOTES[note_id].citations}


def test_every_citation_is_cited_by_a_note_or_listed_for_the_rules():
    from workup.pathway.rules import RULES

    used = {c.id for note in EVIDENCE_NOTES.values() for c in note.citations}
    used |= {c for rule in RULES for c in rule.citations}
    assert set(CITATIONS) - used <= {"ARBER-2016"}  # HB_NORMAL_MAX (1.2) cites it from the rule table


@pytest.mark.parametrize("citation", CITATIONS.values(), ids=lambda c: c.id)
def test_citation_identifiers_are_well_formed(citation):
    assert citation.doi is None or DOI.match(citation.doi)
    assert citation.pmid is None or citation.pmid.isdigit()


def test_an_unretrieved_original_carries_no_identifier():
    hutchison = CITATIONS["HUTCHISON-2008"]
    assert "UNCONFIRMED" in hutchison.text
    assert hutchison.doi is None and hutchison.pmid is None and hutchison.url is None


@pytest.mark.parametrize(
    ("citation_id", "title"),
    [
        ("ARIKAN-2024", "The diagnostic value of abnormal bone marrow signal changes on magnetic resonance imaging"),
        ("SIDIQI-2020", "The role of bone marrow biopsy in patients with plasma cell disorders"),
        ("SHAH-2014", "Incidence and evaluation of incidental abnormal bone marrow signal on magnetic resonance imaging"),
        ("KYLE-2010", "IMWG consensus perspectives risk factors for progression and guidelines for monitoring"),
        ("WHO-ANAEMIA", "WHO/NMH/NHD/MNM/11.1"),
    ],
)
def test_citation_carries_the_real_title(citation_id, title):
    assert title in CITATIONS[citation_id].text
