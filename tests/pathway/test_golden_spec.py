"""Each golden case names the spec sections it checks (golden.json "spec"), by this policy:

- The most specific heading, in ascending order.
- What holds in the expected output names its section: each rule by its kind (sections.KIND_SECTIONS,
  WARNING_SECTIONS); the skeletal survey also 5.3 (offered exactly when 5.3 holds); COMPLETE_WORKUP
  5.1; BIOPSY_STRONGLY_CONSIDERED 5.1 and 5.2; a trigger beside a deferral consideration 5.2, the
  clinician's suspicion beside one 6; a deferral consideration that loses to incomplete labs or
  wins over abnormal ones 5.2. `sections_of_expected` below is this rule; it is checked.
- What the case is built to check names its section too, even where the rule stays quiet: a value
  at or just beside a threshold of §3, or a sex-dependent default (3); a value or lab limit entered
  in a non-canonical unit and compared (2.5); the ratio computed from κ/λ, κ/λ units, corrected
  calcium, a lab's own limit (2.2); a rule that must not fire (its 4.x); the normal/abnormal verdict
  or completeness of the core labs (5.1); plasma-cell suspicion (5.3); an unknown (6); MRI input
  values and the brain-reference condition (2.1); benign-context values (2.3); a plausibility
  bound (2.4). These are read off the description by hand; only the units part is checked.
- Never named: 6.1, 6.2 and 6.3 (a golden case's expected output holds no report or teaching text;
  test_report, the learning and the CDS tests check those), 7, 8, 9 and 11. A case that checks a 1.1 change
  names the section that now states the behaviour: section 9 is the changelog, and why a case was
  added is in its commit.
"""

import re
from pathlib import Path

import pytest

from tests.golden import golden_cases, golden_params
from workup.pathway.rules import RULES, RULES_BY_ID
from workup.pathway.sections import SPEC_SECTIONS, WARNING_SECTIONS, rule_section
from workup.pathway.units import ANALYTES, REFERENCE_LIMIT_ANALYTE
from workup.pathway.wording import Disposition, RuleKind

REPO = Path(__file__).resolve().parents[2]
NEVER_NAMED = {"6.1", "6.2", "7", "8", "9"}
# SPEC §2.x, 3, 4.x, 5.x, 6 and 10: what a result does, so each needs a golden case that checks it.
CHECKED_SECTIONS = [s for s in SPEC_SECTIONS if re.fullmatch(r"[245]\.\d+|3|6|10", s)]
HEADING = re.compile(r"^#{2,3} (\d+(?:\.\d+)?)\.? ", re.MULTILINE)


def section_key(section: str) -> tuple[int, ...]:
    return tuple(int(part) for part in section.split("."))


def spec_file() -> Path | None:
    """SPEC.md sits in shared/pathway/ beside the main checkout; a worktree is deeper, so every
    ancestor is tried."""
    for folder in REPO.parents:
        candidate = folder / "shared" / "pathway" / "SPEC.md"
        if candidate.is_file():
            return candidate
    return None


def test_section_list_is_the_spec_headings():
    path = spec_file()
    if path is None:
        pytest.skip("SPEC.md is not beside this checkout")
    assert HEADING.findall(path.read_text(encoding="utf-8")) == list(SPEC_SECTIONS)


def test_every_rule_of_the_table_has_its_section():
    assert {rule_section(rule.id, rule.kind) for rule in RULES} <= set(SPEC_SECTIONS)
    assert set(WARNING_SECTIONS) == {rule.id for rule in RULES if rule.kind is RuleKind.WARNING}


@pytest.mark.parametrize("case", golden_params())
def test_golden_case_names_headings_it_can_check_in_order(case):
    spec = case["spec"]
    assert spec, "every golden case names the spec sections it checks"
    assert set(spec) <= set(SPEC_SECTIONS)
    assert not set(spec) & NEVER_NAMED
    assert spec == sorted(set(spec), key=section_key)


def sections_of_expected(case: dict) -> set[str]:
    """The sections that what holds in a case's expected output belongs to (the policy's first rule)."""
    expected = case["expected"]
    holding = [*expected["fired"], *expected["active_pitfalls"], *expected["mri"], *expected["warnings"],
               *expected["urgent"]]
    holding += [criterion["id"] for criterion in case.get("criteria", ())]
    sections = {rule_section(rule_id, RULES_BY_ID[rule_id].kind) for rule_id in holding}
    if "IM-SKELETAL-SURVEY" in expected["fired"]:
        sections.add("5.3")
    deferrals = {r for r in expected["fired"] if RULES_BY_ID[r].kind is RuleKind.DEFERRAL}
    match expected["disposition"]:
        case Disposition.COMPLETE_WORKUP:
            sections |= {"5.1", "5.2"} if deferrals else {"5.1"}
        case Disposition.BIOPSY_STRONGLY_CONSIDERED:
            sections |= {"5.1", "5.2"}
        case Disposition.DEFERRAL_REASONABLE if "DF-NORMAL-LABS" not in deferrals:
            sections |= {"5.1", "5.2"}
    # The clinician's suspicion beside a deferral consideration is §6; every other conflict (a trigger
    # beside a deferral, a benign cause that explains nothing, a finding that blocks deferral) is §5.2.
    for source, deferral in expected["conflicts"]:
        sections.add("6" if source == "suspected_malignancy" and deferral else "5.2")
    return sections


@pytest.mark.parametrize("case", golden_params())
def test_golden_case_names_the_section_of_what_its_expected_output_holds(case):
    assert sections_of_expected(case) - set(case["spec"]) == set()


def entered_in_another_unit(case: dict) -> set[str]:
    """The analytes whose value or lab limit the case enters in a unit other than the canonical one."""
    limits = case["input"].get("reference_limits", {})
    quantities = [(key, value) for key, value in case["input"].items() if key in ANALYTES]
    quantities += [(REFERENCE_LIMIT_ANALYTE[key], value) for key, value in limits.items()]
    return {
        key for key, value in quantities
        if ANALYTES[key].unit(value["unit"]).symbol != ANALYTES[key].canonical_unit
    }


@pytest.mark.parametrize("case", golden_params())
def test_golden_case_names_the_unit_sections_its_input_calls_for(case):
    """2.5 exactly when a value or limit is entered in another unit and compared (κ and λ in another
    unit feed the ratio, which is 2.2, so they need not); 2.2 whenever a lab's own limit is used."""
    converted = entered_in_another_unit(case)
    if "2.5" in case["spec"]:
        assert converted
    if converted - {"flc_kappa", "flc_lambda"}:
        assert "2.5" in case["spec"]
    if case["input"].get("reference_limits"):
        assert "2.2" in case["spec"]


@pytest.mark.parametrize("section", CHECKED_SECTIONS)
def test_every_section_of_what_a_result_does_is_checked_by_a_golden_case(section):
    assert any(section in case["spec"] for case in golden_cases())
