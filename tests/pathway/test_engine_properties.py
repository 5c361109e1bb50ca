"""Properties that hold for every valid case (Hypothesis)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import TRIGGER_INPUTS, api_cases, with_trigger
from workup.pathway.engine import evaluate
from workup.pathway.parsing import case_from_json
from workup.pathway.rules import DISPOSITION_ORDER, RULES_BY_ID
from workup.pathway.units import ANALYTES

PROFILE = settings(max_examples=300, deadline=None)


@PROFILE
@given(api_cases())
def test_every_valid_case_evaluates_to_exactly_one_disposition(data):
    result = evaluate(case_from_json(data=data))
    assert result.disposition in DISPOSITION_ORDER


@PROFILE
@given(api_cases())
def test_every_reported_id_exists_in_the_table(data):
    result = evaluate(case_from_json(data=data))
    reported = result.fired_ids | {p.id for p in result.pitfalls} | {m.id for m in result.mri}
    reported |= {w.id for w in result.warnings}
    assert reported <= set(RULES_BY_ID)


@PROFILE
@given(api_cases())
def test_every_trigger_cites_a_source(data):
    result = evaluate(case_from_json(data=data))
    assert all(t.citations for t in result.triggers)


@PROFILE
@given(api_cases())
def test_disposition_follows_the_precedence(data):
    result = evaluate(case_from_json(data=data))
    assert (result.disposition == "PROCEED_TO_BIOPSY") == bool(result.triggers)


@PROFILE
@given(api_cases(), st.sampled_from(sorted(TRIGGER_INPUTS)))
def test_adding_a_trigger_gives_proceed_to_biopsy(data, rule_id):
    result = evaluate(case_from_json(data=with_trigger(data, rule_id)))
    assert result.disposition == "PROCEED_TO_BIOPSY"
    assert rule_id in result.fired_ids


@PROFILE
@given(api_cases(), st.sampled_from(sorted(TRIGGER_INPUTS)))
def test_adding_a_trigger_never_removes_another(data, rule_id):
    before = evaluate(case_from_json(data=data))
    after = evaluate(case_from_json(data=with_trigger(data, rule_id)))
    changed = set(TRIGGER_INPUTS[rule_id])
    kept = {t.id for t in before.triggers if not (RULES_BY_ID[t.id].condition.inputs() & changed)}
    assert kept <= {t.id for t in after.triggers}


@PROFILE
@given(api_cases())
def test_same_input_gives_the_same_result(data):
    assert evaluate(case_from_json(data=data)).to_dict() == evaluate(case_from_json(data=data)).to_dict()


@settings(max_examples=500, deadline=None)
@given(
    st.sampled_from([(a, u) for a in ANALYTES.values() for u in a.units]),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(100000), places=3),
)
def test_unit_conversions_round_trip(analyte_unit, value):
    _, unit = analyte_unit
    back = unit.from_canonical(unit.to_canonical(value))
    assert abs(back - value) <= Decimal("1e-20") * max(value, 1)
