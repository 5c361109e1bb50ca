"""The evidence library: every rule has an origin, and the page data come from the rule table."""

import pytest

from workup.learning.library import NOT_IN_SOURCE, SOURCE_CLAIMS, citation_links, rule_entry, rule_index
from workup.pathway.evidence import CITATIONS
from workup.pathway.rules import RULES


def test_source_claims_exactly_for_rules_citing_the_source():
    assert set(SOURCE_CLAIMS) == {r.id for r in RULES if "SOURCE-PATHWAY" in r.citations}


def test_not_in_source_exactly_for_the_other_rules():
    assert set(NOT_IN_SOURCE) == {r.id for r in RULES if "SOURCE-PATHWAY" not in r.citations}


def test_rule_index_lists_every_rule_once():
    assert sorted(r.id for _, rules in rule_index() for r in rules) == sorted(r.id for r in RULES)


@pytest.mark.parametrize(
    ("citation_id", "links"),
    [
        (
            "KYLE-2010",
            (
                ("doi:10.1038/leu.2010.60", "https://doi.org/10.1038/leu.2010.60"),
                ("PubMed 20410922", "https://pubmed.ncbi.nlm.nih.gov/20410922/"),
            ),
        ),
        ("KATZMANN-2002", (("PubMed 12194920", "https://pubmed.ncbi.nlm.nih.gov/12194920/"),)),
        (
            "CARROLL-1997",
            (("doi:10.1002/jmri.1880070224", "https://doi.org/10.1002/jmri.1880070224"),),
        ),
        (
            "IMWG-2014",
            (
                ("doi:10.1016/S1470-2045(14)70442-5", "https://doi.org/10.1016/S1470-2045(14)70442-5"),
                ("PubMed 25439696", "https://pubmed.ncbi.nlm.nih.gov/25439696/"),
            ),
        ),
        # The original of the kidney FLC interval was never retrieved: no identifier is invented.
        ("HUTCHISON-2008", ()),
    ],
)
def test_citation_links_table(citation_id, links):
    assert citation_links(CITATIONS[citation_id]).links == links


def test_rule_entry_unknown_is_none():
    assert rule_entry("BX-NOPE") is None


def test_rule_entry_thresholds_include_sex_variants():
    names = [(t.name, t.value) for t in rule_entry("DF-NORMAL-LABS").thresholds]
    assert ("HB_NORMAL_MIN", "12.0") in names and ("HB_NORMAL_MIN", "13.0") in names


def test_rule_entry_golden_cases_all_exercise_the_rule():
    entry = rule_entry("BX-CALCIUM")
    assert entry.golden_cases
    assert all(g.disposition == "PROCEED_TO_BIOPSY" for g in entry.golden_cases)


def test_learning_content_modules_import_no_django():
    import ast
    from pathlib import Path

    import workup.learning

    web_modules = {"views.py", "forms.py", "urls.py"}  # the pages themselves, over the content modules
    for path in Path(workup.learning.__file__).parent.glob("*.py"):
        if path.name in web_modules:
            continue
        tree = ast.parse(path.read_text())
        modules = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in modules if m.split(".")[0] == "django"], path.name


# --- SPEC 1.2 -----------------------------------------------------------------------------------------


def test_focal_page_says_myeloma_defining_only_with_ten_percent_plasma_cells(client):
    body = client.get("/learn/rules/BX-FOCAL").content.decode()
    assert "defines myeloma" not in body
    assert "myeloma-defining only with ≥ 10 % clonal marrow plasma cells" in body


def test_imwg_anaemia_page_calls_it_a_crab_threshold_not_myeloma_defining(client):
    body = client.get("/learn/rules/CRIT-IMWG-ANEMIA").content.decode()
    assert "counts anaemia as myeloma-defining" not in body
    assert "CRAB anaemia threshold" in body and "below 11.0 g/dL for a man" in body


@pytest.mark.parametrize("rule_id", ["MRI-T1-WM", "MRI-T1-GM"])
def test_brain_sign_claims_are_labelled_unconfirmed(rule_id):
    assert "UNCONFIRMED" in SOURCE_CLAIMS[rule_id] and "darker" not in SOURCE_CLAIMS[rule_id]


def _every_compare():
    from workup.learning.library import _compares

    for rule in RULES:
        yield from _compares(rule.condition)
        for _, cond in rule.conditional_labels:
            yield from _compares(cond)


def test_compare_words_read_every_figure_from_the_engine_default_limits():
    from workup.learning.library import compare_words
    from workup.pathway.engine import DEFAULT_LIMITS

    for compare in _every_compare():
        words = compare_words(compare)
        for limits in DEFAULT_LIMITS.values():
            assert limits[compare.limit].text in words, (compare, words)
        assert compare.limit not in words and compare.fact not in words.split()


def test_derived_fact_labels_are_the_engine_labels():
    from workup.learning.library import DERIVED_FACT_LABELS
    from workup.pathway.engine import build_facts
    from workup.pathway.parsing import case_from_json

    case = case_from_json(
        data={"flc_kappa": {"value": 200, "unit": "mg/L"}, "flc_lambda": {"value": 2, "unit": "mg/L"}, "flc_ratio": 50}
    )
    facts = build_facts(case)
    assert {key: facts[key].label for key in DERIVED_FACT_LABELS} == DERIVED_FACT_LABELS
