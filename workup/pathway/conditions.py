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

from .result import MatchedInput, direct_init
from .thresholds import Threshold

_OPS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_OP_TEXT = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}


@direct_init
@dataclass(frozen=True, slots=True)
class Fact:
    """One input as the rules read it: canonical value beside what the user entered."""

    key: str
    label: str
    value: object
    unit: str = ""
    entered_value: object = None
    entered_unit: str = ""
    note: str = ""

    def matched(self, **comparison: object) -> MatchedInput:
        return MatchedInput(
            key=self.key,
            label=self.label,
            entered_value=self.entered_value,
            entered_unit=self.entered_unit,
            canonical_value=self.value,
            canonical_unit=self.unit,
            note=self.note,
            **comparison,  # type: ignore[arg-type]
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

Test = Callable[[Context], "bool | None"]
Missing = Callable[[Context], frozenset[str]]
_NEVER_UNKNOWN: Missing = lambda ctx: frozenset()  # noqa: E731 - for conditions never unknown


class Condition:
    """Base class: evaluate against a context, describe in words, list the inputs read.

    Each condition has two paths. `evaluate` gives the state with its basis and is what a rule
    that fired reports. `test` gives the state alone: it runs a closure compiled once from the
    condition tree (attributes and operators looked up at compile time, no Outcome built), which
    is what the engine runs for every rule of every case. `missing` gives an unknown condition's
    missing inputs the same cheap way. A property test holds the paths to the same answers.
    """

    def evaluate(self, ctx: Context) -> Outcome:  # pragma: no cover - abstract
        """The state with its basis: the inputs matched, or the inputs whose absence left it open."""
        raise NotImplementedError

    def test(self, ctx: Context) -> bool | None:
        """The state alone, without building the basis: the fast path (same answer as evaluate)."""
        return self.compiled(ctx)

    def missing(self, ctx: Context) -> frozenset[str]:
        """For an unknown condition, what `evaluate(ctx).missing` says, without building outcomes."""
        return self.compiled_missing(ctx)

    @cached_property
    def compiled(self) -> Test:
        """The closure behind `test`, built on first use."""
        return self._compile()

    @cached_property
    def compiled_missing(self) -> Missing:
        """The closure behind `missing`, built on first use."""
        return self._compile_missing()

    def _compile(self) -> Test:  # pragma: no cover - abstract
        raise NotImplementedError

    def _compile_missing(self) -> Missing:
        return _NEVER_UNKNOWN

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

    def _compile(self) -> Test:
        key, compare, limit = self.fact, _OPS[self.op], self.limit

        def test(ctx: Context) -> bool | None:
            fact = ctx.facts.get(key)
            return None if fact is None else compare(fact.value, ctx.limits[limit].value)

        return test

    def _compile_missing(self) -> Missing:
        return _missing_fact(self.fact)

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
                    comparison=_OP_TEXT[self.op],
                    threshold=limit.threshold.name,
                    threshold_value=limit.value,
                    threshold_unit=limit.threshold.unit,
                    threshold_origin=limit.origin,
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

    def _compile(self) -> Test:
        key, values = self.fact, self.values

        def test(ctx: Context) -> bool | None:
            fact = ctx.facts.get(key)
            return None if fact is None else fact.value in values

        return test

    def _compile_missing(self) -> Missing:
        return _missing_fact(self.fact)

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

    def _compile(self) -> Test:
        key, excluding = self.fact, self.excluding

        def test(ctx: Context) -> bool | None:
            fact = ctx.facts.get(key)
            return fact is not None and fact.value not in excluding

        return test

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

    def _compile(self) -> Test:
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

    def _compile(self) -> Test:
        prefix = self.prefix
        return lambda ctx: any(r.startswith(prefix) for r in ctx.fired)

    def evaluate(self, ctx: Context) -> Outcome:
        return TRUE if any(r.startswith(self.prefix) for r in ctx.fired) else FALSE

    def describe(self) -> str:
        return f"any {self.prefix}* fired"


@dataclass(frozen=True)
class Always(Condition):
    """The last row of a first-match table: holds for every case."""

    def _compile(self) -> Test:
        return lambda ctx: True

    def evaluate(self, ctx: Context) -> Outcome:
        return TRUE

    def describe(self) -> str:
        return "otherwise"


@dataclass(frozen=True)
class DispositionIs(Condition):
    disposition: str

    def _compile(self) -> Test:
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

    def _compile(self) -> Test:
        parts = tuple(part.compiled for part in self.parts)

        def test(ctx: Context) -> bool | None:
            unknown = False
            for part in parts:
                state = part(ctx)
                if state:
                    return True
                unknown = unknown or state is None
            return None if unknown else False

        return test

    def _compile_missing(self) -> Missing:
        return _missing_of_unknown_parts(self.parts)

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

    def _compile(self) -> Test:
        parts = tuple(part.compiled for part in self.parts)

        def test(ctx: Context) -> bool | None:
            unknown = False
            for part in parts:
                state = part(ctx)
                if state is False:
                    return False
                unknown = unknown or state is None
            return None if unknown else True

        return test

    def _compile_missing(self) -> Missing:
        # Unknown means no part is false, and a true part has nothing missing.
        return _missing_of_unknown_parts(self.parts)

    def evaluate(self, ctx: Context) -> Outcome:
        # Conditions only read the context, so the first false part settles it.
        outcomes = []
        for part in self.parts:
            outcome = part.evaluate(ctx)
            if outcome.state is False:
                return FALSE
            outcomes.append(outcome)
        if any(o.state is None for o in outcomes):
            return Outcome(None, missing=frozenset().union(*(o.missing for o in outcomes)))
        return Outcome(True, tuple(m for o in outcomes for m in o.matched))

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

    def _compile(self) -> Test:
        part = self.part.compiled

        def test(ctx: Context) -> bool | None:
            state = part(ctx)
            return None if state is None else not state

        return test

    def _compile_missing(self) -> Missing:
        return self.part.compiled_missing

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

    def _compile(self) -> Test:
        part = self.part.compiled

        def test(ctx: Context) -> bool | None:
            state = part(ctx)
            return True if state is None else state

        return test

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

    def _compile(self) -> Test:
        key = self.fact

        def test(ctx: Context) -> bool | None:
            fact = ctx.facts.get(key)
            return fact is not None and bool(fact.value)

        return test

    def evaluate(self, ctx: Context) -> Outcome:
        fact = ctx.facts.get(self.fact)
        if fact is None or not fact.value:
            return FALSE
        return Outcome(True, (fact.matched(),))

    def describe(self) -> str:
        return f"{self.fact} not empty"

    def inputs(self) -> frozenset[str]:
        return frozenset({self.fact})


def _missing_fact(key: str) -> Missing:
    """A leaf is unknown only when its fact is missing."""
    missing = frozenset({key})
    return lambda ctx: missing


def _missing_of_unknown_parts(conditions: tuple[Condition, ...]) -> Missing:
    """Kleene AND and OR: an unknown result is missing what its unknown parts are missing."""
    parts = tuple((part.compiled, part.compiled_missing) for part in conditions)

    def missing(ctx: Context) -> frozenset[str]:
        found: frozenset[str] = frozenset()
        for test, part_missing in parts:
            if test(ctx) is None:
                found |= part_missing(ctx)
        return found

    return missing
