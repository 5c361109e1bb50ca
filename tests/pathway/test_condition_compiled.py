"""The compiled paths of a condition give what evaluate() gives: the verdict, the missing inputs, the basis."""

from decimal import Decimal

from workup.pathway.conditions import Compare, Context, Fact, IfKnown, all_of, any_of, is_
from workup.pathway.engine import resolve_limits
from workup.pathway.inputs import Case

LIMITS = resolve_limits(Case())


def context(**facts: object) -> Context:
    return Context(facts={key: Fact(key, key, value) for key, value in facts.items()}, limits=LIMITS)


def test_unknown_verdict_is_the_set_of_missing_inputs():
    condition = any_of(Compare("hemoglobin", "<", "hb_trigger"), is_("spep", "detected"))
    ctx = context(spep="not_detected")
    assert condition.compiled(ctx) == frozenset({"hemoglobin"})
    assert condition.test(ctx) is None
    assert condition.missing(ctx) == condition.evaluate(ctx).missing == frozenset({"hemoglobin"})


def test_false_part_settles_a_conjunction_even_with_missing_inputs():
    condition = all_of(Compare("hemoglobin", "<", "hb_trigger"), is_("spep", "detected"))
    ctx = context(spep="not_detected")
    assert condition.compiled(ctx) is False
    assert condition.evaluate(ctx).state is False


def test_basis_lists_every_part_that_holds_like_evaluate():
    condition = any_of(Compare("hemoglobin", "<", "hb_trigger"), is_("spep", "detected"), is_("ife", "detected"))
    ctx = context(hemoglobin=Decimal("9.0"), spep="not_detected", ife="detected")
    basis = condition.compiled_basis(ctx)
    assert basis == condition.evaluate(ctx).matched
    assert [(m.key, m.comparison, m.threshold) for m in basis] == [
        ("hemoglobin", "<", "HB_TRIGGER"),
        ("ife", None, None),
    ]


def test_if_known_holds_without_a_basis_when_its_input_is_missing():
    condition = IfKnown(Compare("egfr", ">=", "egfr_min"))
    ctx = context()
    assert condition.compiled(ctx) is True
    assert condition.compiled_basis(ctx) == condition.evaluate(ctx).matched == ()
