"""The declarative vocabulary of rule conditions, evaluated in three-valued (Kleene) logic.

A condition is True, False or None (unknown: an input it needs is missing). A rule fires only on
True; a rule left at None names the missing inputs that could still make it fire, which is how
the result lists what is unknown and what it could change.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from .result import MatchedInput
from .thresholds import Threshold

_OPS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_OP_TEXT = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}


class Fact(NamedTuple):
    """One input as the rules read it: canonical value beside what the user entered.

    A named tuple (immutable, read by attribute) because every evaluation builds about fifteen
    and a tuple is the cheapest immutable record to create.
    """

    key: str
    label: str
    value: object
    unit: str = ""
    entered_value: object = None
    entered_unit: str = ""
    note: str = ""

    def matched(
        self,
        comparison: str | None = None,
        threshold: str | None = None,
        threshold_value: Decimal | None = None,
        threshold_unit: str | None = None,
        threshold_origin: str | None = None,
    ) -> MatchedInput:
        """This fact as a rule's basis, with the comparison and limit when a threshold was crossed."""
        # Positional on purpose: a rule that fires builds one per input it matched.
        return MatchedInput(
            self.key, self.label, self.entered_value, self.entered_unit, self.value, self.unit, self.note,
            comparison, threshold, threshold_value, threshold_unit, threshold_origin,
        )


@dataclass(frozen=True, slots=True)
class Limit:
    """A threshold resolved for this case: the default, a sex-specific default or the lab's own."""

    threshold: Threshold
    value: Decimal
    origin: str  # "default" | "default for <sex>" | "lab reference limit"


@dataclass(slots=True)
class Context:
    """What conditions read: the facts, the resolved limits and the rules fired so far."""

    facts: Mapping[str, Fact]
    limits: Mapping[str, Limit]
    fired: set[str] = field(default_factory=set)
    disposition: str | None = None


class Outcome(NamedTuple):
    """What a condition found: its state, the inputs that matched and those whose absence left it open.

    A named tuple rather than a frozen dataclass: conditions build dozens per evaluation, and a
    tuple is several times cheaper to create. Read it by attribute, never by truthiness.
    """

    state: bool | None
    matched: tuple[MatchedInput, ...] = ()
    missing: frozenset[str] = frozenset()


TRUE = Outcome(True)
FALSE = Outcome(False)

# A verdict is True, False, or — for unknown — the frozenset of inputs whose absence left it open.
# Never test a verdict for truth (a set of missing inputs is truthy): compare with `is True`.
Verdict = bool | frozenset[str]
Compiled = Callable[[Context], Verdict]
Basis = Callable[[Context], tuple[MatchedInput, ...]]
_NO_BASIS: Basis = lambda ctx: ()  # noqa: E731 - a condition that matches no input of its own


class Condition:
    """Base class: evaluate against a context, describe in words, list the inputs read.

    `evaluate` gives the state with its basis (matched inputs, or missing ones) and is the
    reference. `compiled` is a closure built once from the condition tree (attributes and
    operators looked up at compile time, no Outcome built) that gives the verdict: the state, with
    the missing inputs standing in for unknown. The engine runs it for every rule of every case;
    `test` and `missing` read it. `compiled_basis` builds, for a condition that holds, the matched
    inputs `evaluate` would report; the engine runs it for the few rules that fired. A property
    test holds the compiled paths to `evaluate`.
    """

    def evaluate(self, ctx: Context) -> Outcome:  # pragma: no cover - abstract
        """The state with its basis: the inputs matched, or the inputs whose absence left it open."""
        raise NotImplementedError

    def test(self, ctx: Context) -> bool | None:
        """The state alone, without building the basis: the fast path (same answer as evaluate)."""
        verdict = self.compiled(ctx)
        return verdict if verdict.__class__ is bool else None

    def missing(self, ctx: Context) -> frozenset[str]:
        """For an unknown condition, what `evaluate(ctx).missing` says; empty otherwise."""
        verdict = self.compiled(ctx)
        return frozenset() if verdict.__class__ is bool else verdict

    @cached_property
    def compiled(self) -> Compiled:
        """The verdict closure, built on first use."""
        return self._compile()

    @cached_property
    def compiled_basis(self) -> Basis:
        """For a condition that holds: the inputs it matched (`evaluate(ctx).matched`)."""
        return self._compile_basis()

    def _compile(self) -> Compiled:  # pragma: no cover - abstract
        raise NotImplementedError

    def _compile_basis(self) -> Basis:
        return _NO_BASIS

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def inputs(self) -> frozenset[str]:
        return frozenset()

    def rule_refs(self) -> frozenset[str]:
        return frozenset()


@dataclass(frozen=True)
class Compare(Condition):
    """A numeric fact compared with a named limit (missing fact → unknown)."""

    fact: str
    op: str
    limit: str

    def _compile(self) -> Compiled:
        key, compare, limit, missing = self.fact, _OPS[self.op], self.limit, frozenset({self.fact})

        def verdict(ctx: Context) -> Verdict:
            fact = ctx.facts.get(key)
            return missing if fact is None else compare(fact.value, ctx.limits[limit].value)

        return verdict

    def _compile_basis(self) -> Basis:
        key, op_text, limit = self.fact, _OP_TEXT[self.op], self.limit

        def basis(ctx: Context) -> tuple[MatchedInput, ...]:
            resolved = ctx.limits[limit]
            threshold = resolved.threshold
            return (
                ctx.facts[key].matched(op_text, threshold.name, resolved.value, threshold.unit, resolved.origin),
            )

        return basis

    def evaluate(self, ctx: Context) -> Outcome:
        fact = ctx.facts.get(self.fact)
        if fact is None:
            return Outcome(None, missing=frozenset({self.fact}))
        limit = ctx.limits[self.limit]
        if not _OPS[self.op](fact.value, limit.value):  # type: ignore[arg-type]
            return FALSE
        return Outcome(
            True,
            (
                fact.matched(
                    _OP_TEXT[self.op], limit.threshold.name, limit.value, limit.threshold.unit, limit.origin
                ),
            ),
        )

    def describe(self) -> str:
        return f"{self.fact} {_OP_TEXT[self.op]} {self.limit}"

    def inputs(self) -> frozenset[str]:
        return frozenset({self.fact})


@dataclass(frozen=True)
class Is(Condition):
    """A categorical or boolean fact equals one of the given values."""

    fact: str
    values: tuple[object, ...]

    def _compile(self) -> Compiled:
        key, values, missing = self.fact, self.values, frozenset({self.fact})

        def verdict(ctx: Context) -> Verdict:
            fact = ctx.facts.get(key)
            return missing if fact is None else fact.value in values

        return verdict

    def _compile_basis(self) -> Basis:
        return _fact_basis(self.fact)

    def evaluate(self, ctx: Context) -> Outcome:
        fact = ctx.facts.get(self.fact)
        if fact is None:
            return Outcome(None, missing=frozenset({self.fact}))
        if fact.value not in self.values:
            return FALSE
        return Outcome(True, (fact.matched(),))

    def describe(self) -> str:
        shown = " or ".join(str(v).lower() for v in self.values)
        return f"{self.fact} = {shown}"

    def inputs(self) -> frozenset[str]:
        return frozenset({self.fact})


def is_(fact: str, *values: object) -> Is:
    return Is(fact, tuple(values))


def flag(fact: str) -> Is:
    return Is(fact, (True,))


@dataclass(frozen=True)
class Known(Condition):
    """The fact was entered (never unknown itself: it answers the completeness question)."""

    fact: str
    excluding: tuple[object, ...] = ()

    def _compile(self) -> Compiled:
        key, excluding = self.fact, self.excluding

        def verdict(ctx: Context) -> Verdict:
            fact = ctx.facts.get(key)
            return fact is not None and fact.value not in excluding

        return verdict

    def evaluate(self, ctx: Context) -> Outcome:
        fact = ctx.facts.get(self.fact)
        if fact is None or fact.value in self.excluding:
            return Outcome(False, missing=frozenset({self.fact}))
        return TRUE

    def describe(self) -> str:
        return f"{self.fact} entered"

    def inputs(self) -> frozenset[str]:
        return frozenset({self.fact})


@dataclass(frozen=True)
class Fired(Condition):
    """Another rule, evaluated earlier in the table, fired."""

    rule_id: str

    def _compile(self) -> Compiled:
        rule_id = self.rule_id
        return lambda ctx: rule_id in ctx.fired

    def evaluate(self, ctx: Context) -> Outcome:
        return TRUE if self.rule_id in ctx.fired else FALSE

    def describe(self) -> str:
        return f"{self.rule_id} fired"

    def rule_refs(self) -> frozenset[str]:
        return frozenset({self.rule_id})


@dataclass(frozen=True)
class AnyFired(Condition):
    """Any earlier rule whose id starts with the prefix fired."""

    prefix: str

    def _compile(self) -> Compiled:
        prefix = self.prefix
        return lambda ctx: any(r.startswith(prefix) for r in ctx.fired)

    def evaluate(self, ctx: Context) -> Outcome:
        return TRUE if any(r.startswith(self.prefix) for r in ctx.fired) else FALSE

    def describe(self) -> str:
        return f"any {self.prefix}* fired"


@dataclass(frozen=True)
class Always(Condition):
    """The last row of a first-match table: holds for every case."""

    def _compile(self) -> Compiled:
        return lambda ctx: True

    def evaluate(self, ctx: Context) -> Outcome:
        return TRUE

    def describe(self) -> str:
        return "otherwise"


@dataclass(frozen=True)
class DispositionIs(Condition):
    disposition: str

    def _compile(self) -> Compiled:
        disposition = self.disposition
        return lambda ctx: ctx.disposition == disposition

    def evaluate(self, ctx: Context) -> Outcome:
        return TRUE if ctx.disposition == self.disposition else FALSE

    def describe(self) -> str:
        return f"disposition = {self.disposition}"


@dataclass(frozen=True)
class AnyOf(Condition):
    """Kleene OR: true if any part is true, unknown if none is true but one is unknown."""

    parts: tuple[Condition, ...]

    def _compile(self) -> Compiled:
        return _kleene_verdict(self.parts, decisive=True)

    def _compile_basis(self) -> Basis:
        # evaluate() reports every part that holds, not only the first.
        return _basis_of_holding_parts(self.parts)

    def evaluate(self, ctx: Context) -> Outcome:
        holds, matched, missing = False, [], []
        for part in self.parts:
            outcome = part.evaluate(ctx)
            if outcome.state:
                holds = True
                matched.extend(outcome.matched)
            elif outcome.state is None:
                missing.append(outcome.missing)
        if holds:
            return Outcome(True, tuple(matched))
        unknown = frozenset().union(*missing)
        return Outcome(None, missing=unknown) if unknown else FALSE

    def describe(self) -> str:
        return "(" + " OR ".join(p.describe() for p in self.parts) + ")"

    def inputs(self) -> frozenset[str]:
        return frozenset().union(*(p.inputs() for p in self.parts))

    def rule_refs(self) -> frozenset[str]:
        return frozenset().union(*(p.rule_refs() for p in self.parts))


@dataclass(frozen=True)
class AllOf(Condition):
    """Kleene AND: false if any part is false, unknown if none is false but one is unknown."""

    parts: tuple[Condition, ...]

    def _compile(self) -> Compiled:
        return _kleene_verdict(self.parts, decisive=False)

    def _compile_basis(self) -> Basis:
        return _basis_of_holding_parts(self.parts)  # all parts hold when the conjunction does

    def evaluate(self, ctx: Context) -> Outcome:
        # Conditions only read the context, so the first false part settles it.
        outcomes, unknown = [], False
        for part in self.parts:
            outcome = part.evaluate(ctx)
            if outcome.state is False:
                return FALSE
            unknown = unknown or outcome.state is None
            outcomes.append(outcome)
        if unknown:
            return Outcome(None, missing=frozenset().union(*(o.missing for o in outcomes)))
        matched: list[MatchedInput] = []
        for outcome in outcomes:
            matched.extend(outcome.matched)
        return Outcome(True, tuple(matched))

    def describe(self) -> str:
        return "(" + " AND ".join(p.describe() for p in self.parts) + ")"

    def inputs(self) -> frozenset[str]:
        return frozenset().union(*(p.inputs() for p in self.parts))

    def rule_refs(self) -> frozenset[str]:
        return frozenset().union(*(p.rule_refs() for p in self.parts))


@dataclass(frozen=True)
class Not(Condition):
    """Kleene NOT: unknown stays unknown."""

    part: Condition

    def _compile(self) -> Compiled:
        part = self.part.compiled

        def verdict(ctx: Context) -> Verdict:
            state = part(ctx)
            return not state if state.__class__ is bool else state

        return verdict

    def evaluate(self, ctx: Context) -> Outcome:
        outcome = self.part.evaluate(ctx)
        if outcome.state is None:
            return outcome
        return FALSE if outcome.state else TRUE

    def describe(self) -> str:
        return f"NOT {self.part.describe()}"

    def inputs(self) -> frozenset[str]:
        return self.part.inputs()

    def rule_refs(self) -> frozenset[str]:
        return self.part.rule_refs()


@dataclass(frozen=True)
class IfKnown(Condition):
    """An optional check: holds when its input is missing, otherwise as the part says."""

    part: Condition

    def _compile(self) -> Compiled:
        part = self.part.compiled

        def verdict(ctx: Context) -> Verdict:
            state = part(ctx)
            return state if state.__class__ is bool else True

        return verdict

    def _compile_basis(self) -> Basis:
        return _basis_of_holding_parts((self.part,))  # nothing when it holds by absence

    def evaluate(self, ctx: Context) -> Outcome:
        outcome = self.part.evaluate(ctx)
        return TRUE if outcome.state is None else outcome

    def describe(self) -> str:
        return f"(if entered) {self.part.describe()}"

    def inputs(self) -> frozenset[str]:
        return self.part.inputs()


def any_of(*parts: Condition) -> AnyOf:
    return AnyOf(tuple(parts))


def all_of(*parts: Condition) -> AllOf:
    return AllOf(tuple(parts))


@dataclass(frozen=True)
class NonEmpty(Condition):
    """A set-valued fact has at least one member; the basis names the members."""

    fact: str

    def _compile(self) -> Compiled:
        key = self.fact

        def verdict(ctx: Context) -> Verdict:
            fact = ctx.facts.get(key)
            return fact is not None and bool(fact.value)

        return verdict

    def _compile_basis(self) -> Basis:
        return _fact_basis(self.fact)

    def evaluate(self, ctx: Context) -> Outcome:
        fact = ctx.facts.get(self.fact)
        if fact is None or not fact.value:
            return FALSE
        return Outcome(True, (fact.matched(),))

    def describe(self) -> str:
        return f"{self.fact} not empty"

    def inputs(self) -> frozenset[str]:
        return frozenset({self.fact})



def _kleene_verdict(conditions: tuple[Condition, ...], *, decisive: bool) -> Compiled:
    """Kleene OR (decisive True) and AND (decisive False): the first part at the decisive value
    settles it; otherwise any unknown part makes it unknown, missing what those parts miss."""
    parts = tuple(part.compiled for part in conditions)
    otherwise = not decisive

    def verdict(ctx: Context) -> Verdict:
        missing = None  # the union of the unknown parts' missing inputs
        for part in parts:
            state = part(ctx)
            if state is decisive:
                return decisive
            if state is not otherwise:
                missing = state if missing is None else missing | state
        return otherwise if missing is None else missing

    return verdict


def _fact_basis(key: str) -> Basis:
    """The fact itself, as matched without a threshold."""
    return lambda ctx: (ctx.facts[key].matched(),)


def _basis_of_holding_parts(conditions: tuple[Condition, ...]) -> Basis:
    """The matched inputs of each part that holds, in order."""
    parts = tuple((part.compiled, part.compiled_basis) for part in conditions)

    def basis(ctx: Context) -> tuple[MatchedInput, ...]:
        matched: list[MatchedInput] = []
        for verdict, part_basis in parts:
            if verdict(ctx) is True:
                matched.extend(part_basis(ctx))
        return tuple(matched)

    return basis
