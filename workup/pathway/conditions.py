"""The declarative vocabulary of rule conditions, evaluated in three-valued (Kleene) logic.

A condition is True, False or None (unknown: an input it needs is missing). A rule fires only on
True; a rule left at None names the missing inputs that could still make it fire, which is how
the result lists what is unknown and what it could change.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import NamedTuple

from .result import MatchedInput
from .thresholds import Threshold
from .units import shown_value

_OPS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_OP_TEXT = {"<": "<", "<=": "≤", ">": ">", ">=": "≥"}


class Fact(NamedTuple):
    """One input as the rules read it: canonical value beside what the user entered."""

    key: str
    label: str
    value: object  # in the canonical unit, exact (never rounded before a comparison)
    unit: str = ""
    entered_value: object = None
    entered_unit: str = ""
    note: str = ""
    native: Decimal | None = None  # the value in the entered unit (after any correction)
    precision: Decimal | None = None  # reporting step of the canonical unit, for display only

    def shown(self, *limits: Decimal) -> object:
        """The canonical value as displayed: never rounded onto the other side of a limit."""
        if self.precision is None or not isinstance(self.value, Decimal):
            return self.value
        return shown_value(self.value, self.precision, limits)

    def matched(
        self,
        comparison: str | None = None,
        threshold: str | None = None,
        threshold_value: Decimal | None = None,
        threshold_unit: str | None = None,
        threshold_origin: str | None = None,
        canonical_limit: Decimal | None = None,
    ) -> MatchedInput:
        """This fact as a rule's basis, with the comparison and limit when a threshold was crossed."""
        shown = self.shown(canonical_limit) if canonical_limit is not None else self.shown()
        return MatchedInput(
            self.key, self.label, self.entered_value, self.entered_unit, shown, self.unit, self.note,
            comparison, threshold, threshold_value, threshold_unit, threshold_origin,
        )


@dataclass(frozen=True, slots=True)
class Limit:
    """A threshold resolved for this case: the default, a sex-specific default or the lab's own.

    `value` is in the canonical unit (a lab's limit converted exactly); `stated` holds the same
    limit in another unit, as SPEC §3 states it or as the lab wrote it, and a value entered in that
    unit is compared with it directly (SPEC §2.5).
    """

    threshold: Threshold
    value: Decimal
    origin: str
    stated: Mapping[str, Decimal] = field(default_factory=dict)
    text: str = ""  # the value as a reference range shows it

    def __post_init__(self) -> None:
        if not self.text:
            object.__setattr__(self, "text", str(self.value))


@dataclass(slots=True)
class Context:
    """What conditions read: the facts, the resolved limits and the rules fired so far."""

    facts: Mapping[str, Fact]
    limits: Mapping[str, Limit]
    fired: set[str] = field(default_factory=set)
    disposition: str | None = None
    named: dict[str, Outcome] = field(default_factory=dict)


# One input a condition matched, kept as a plain tuple while conditions combine (most never reach a
# result); `basis()` turns those of the rules that fired into MatchedInput. Fields: the fact, and
# for a comparison the operator text, the limit, the figure compared with and its unit.
Match = tuple


class Outcome(NamedTuple):
    """What a condition found: its state, the inputs that matched and those whose absence left it open.

    Read it by attribute (`state` is True, False or None), never by truthiness.
    """

    state: bool | None
    matched: tuple[Match, ...] = ()
    missing: frozenset[str] = frozenset()


def basis(matched: tuple[Match, ...]) -> tuple[MatchedInput, ...]:
    """The matched inputs as a result shows them."""
    out = []
    for fact, op_text, limit, against, unit in matched:
        if limit is None:
            out.append(fact.matched())
        else:
            threshold = limit.threshold
            out.append(fact.matched(op_text, threshold.name, against, unit, limit.origin, limit.value))
    return tuple(out)


TRUE = Outcome(True)
FALSE = Outcome(False)


class Condition:
    """Base class: evaluate against a context, describe in words, list the inputs read.

    `evaluate` is the one implementation: it gives the state together with its basis (the inputs
    matched when it holds) or the inputs whose absence left it unknown.
    """

    def evaluate(self, ctx: Context) -> Outcome:  # pragma: no cover - abstract
        """The state with its basis: the inputs matched, or the inputs whose absence left it open."""
        raise NotImplementedError

    def holds(self, ctx: Context) -> bool:
        """True only when the condition is known to hold."""
        return self.evaluate(ctx).state is True

    def describe(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def inputs(self) -> frozenset[str]:
        return frozenset()

    def rule_refs(self) -> frozenset[str]:
        return frozenset()

    def checked(self, ctx: Context) -> Match | None:
        """The input this leaf compares, as a basis shows it (None: not a leaf, or not entered)."""
        return None

    def leaves(self) -> tuple[Condition, ...]:
        """The comparisons and value checks inside, in order (a criterion's basis lists them)."""
        parts = getattr(self, "parts", None)
        if parts is None:
            part = getattr(self, "part", None)
            parts = () if part is None else (part,)
        if not parts:
            return (self,)
        return tuple(leaf for p in parts for leaf in p.leaves())


@dataclass(frozen=True)
class Compare(Condition):
    """A numeric fact compared with a named limit (missing fact → unknown)."""

    fact: str
    op: str
    limit: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "_unknown", Outcome(None, (), frozenset({self.fact})))
        object.__setattr__(self, "_compare", _OPS[self.op])

    def evaluate(self, ctx: Context) -> Outcome:
        fact = ctx.facts.get(self.fact)
        if fact is None:
            return self._unknown  # type: ignore[attr-defined]
        limit = ctx.limits[self.limit]
        stated = limit.stated.get(fact.entered_unit) if limit.stated else None
        if stated is None or fact.native is None:
            value, against, unit = fact.value, limit.value, limit.threshold.unit
        else:
            value, against, unit = fact.native, stated, fact.entered_unit
        if not self._compare(value, against):  # type: ignore[attr-defined]
            return FALSE
        return Outcome(True, ((fact, _OP_TEXT[self.op], limit, against, unit),))

    def checked(self, ctx: Context) -> Match | None:
        """The comparison as a basis shows it, held or not (None: the fact was not entered)."""
        fact = ctx.facts.get(self.fact)
        if fact is None:
            return None
        limit = ctx.limits[self.limit]
        stated = limit.stated.get(fact.entered_unit) if limit.stated else None
        if stated is None or fact.native is None:
            return (fact, _OP_TEXT[self.op], limit, limit.value, limit.threshold.unit)
        return (fact, _OP_TEXT[self.op], limit, stated, fact.entered_unit)

    def describe(self) -> str:
        return f"{self.fact} {_OP_TEXT[self.op]} {self.limit}"

    @property
    def op_text(self) -> str:
        """The comparison as a reader writes it (≥, not >=)."""
        return _OP_TEXT[self.op]

    def inputs(self) -> frozenset[str]:
        return frozenset({self.fact})


@dataclass(frozen=True)
class Is(Condition):
    """A categorical or boolean fact equals one of the given values."""

    fact: str
    values: tuple[object, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_unknown", Outcome(None, (), frozenset({self.fact})))

    def evaluate(self, ctx: Context) -> Outcome:
        fact = ctx.facts.get(self.fact)
        if fact is None:
            return self._unknown  # type: ignore[attr-defined]
        if not self.matches(fact.value):
            return FALSE
        return Outcome(True, ((fact, None, None, None, None),))

    def matches(self, value: object) -> bool:
        return value in self.values

    def checked(self, ctx: Context) -> Match | None:
        fact = ctx.facts.get(self.fact)
        return None if fact is None else (fact, None, None, None, None)

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

    def __post_init__(self) -> None:
        object.__setattr__(self, "_absent", Outcome(False, (), frozenset({self.fact})))

    def evaluate(self, ctx: Context) -> Outcome:
        fact = ctx.facts.get(self.fact)
        if fact is None or fact.value in self.excluding:
            return self._absent  # type: ignore[attr-defined]
        return TRUE

    def describe(self) -> str:
        return f"{self.fact} entered"

    def inputs(self) -> frozenset[str]:
        return frozenset({self.fact})


@dataclass(frozen=True)
class Fired(Condition):
    """Another rule, evaluated earlier in the table, fired."""

    rule_id: str

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

    def evaluate(self, ctx: Context) -> Outcome:
        return TRUE if any(r.startswith(self.prefix) for r in ctx.fired) else FALSE

    def describe(self) -> str:
        return f"any {self.prefix}* fired"


@dataclass(frozen=True)
class Always(Condition):
    """The last row of a first-match table: holds for every case."""

    def evaluate(self, ctx: Context) -> Outcome:
        return TRUE

    def describe(self) -> str:
        return "otherwise"


@dataclass(frozen=True)
class DispositionIs(Condition):
    disposition: str

    def evaluate(self, ctx: Context) -> Outcome:
        return TRUE if ctx.disposition == self.disposition else FALSE

    def describe(self) -> str:
        return f"disposition = {self.disposition}"


@dataclass(frozen=True)
class AnyOf(Condition):
    """Kleene OR: true if any part is true, unknown if none is true but one is unknown."""

    parts: tuple[Condition, ...]

    def evaluate(self, ctx: Context) -> Outcome:
        matched: tuple[Match, ...] = ()
        holds, missing = False, None
        for part in self.parts:
            outcome = part.evaluate(ctx)
            state = outcome.state
            if state:
                holds = True
                matched += outcome.matched
            elif state is None:
                missing = outcome.missing if missing is None else missing | outcome.missing
        if holds:
            return Outcome(True, matched)
        return FALSE if missing is None else Outcome(None, (), missing)

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

    def evaluate(self, ctx: Context) -> Outcome:
        # Conditions only read the context, so the first false part settles it.
        matched: tuple[Match, ...] = ()
        missing = None
        for part in self.parts:
            outcome = part.evaluate(ctx)
            state = outcome.state
            if state is False:
                return FALSE
            if state is None:
                missing = outcome.missing if missing is None else missing | outcome.missing
            else:
                matched += outcome.matched
        return Outcome(True, matched) if missing is None else Outcome(None, (), missing)

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

    def evaluate(self, ctx: Context) -> Outcome:
        outcome = self.part.evaluate(ctx)
        return TRUE if outcome.state is None else outcome

    def describe(self) -> str:
        return f"(if entered) {self.part.describe()}"

    def inputs(self) -> frozenset[str]:
        return self.part.inputs()


@dataclass(frozen=True, eq=False)
class Named(Condition):
    """A combined condition that several rules share, evaluated once per case at its place in the
    table (`after`: the rule kind whose stage precedes it; empty: before any rule) and then read.

    Identity, not value, tells two named conditions apart (the pathway map draws each as a node).
    """

    name: str
    part: Condition
    after: str = ""

    def evaluate(self, ctx: Context) -> Outcome:
        return ctx.named[self.name]

    def describe(self) -> str:
        return self.part.describe()

    def inputs(self) -> frozenset[str]:
        return self.part.inputs()

    def rule_refs(self) -> frozenset[str]:
        return self.part.rule_refs()


def condition_parts(cond: Condition) -> Iterator[Condition]:
    """The conditions directly inside one (its dataclass fields that hold conditions), in order."""
    for f in fields(cond):  # type: ignore[arg-type]
        value = getattr(cond, f.name)
        values = value if isinstance(value, tuple) else (value,)
        yield from (v for v in values if isinstance(v, Condition))


def any_of(*parts: Condition) -> AnyOf:
    return AnyOf(tuple(parts))


def all_of(*parts: Condition) -> AllOf:
    return AllOf(tuple(parts))


@dataclass(frozen=True)
class NonEmpty(Condition):
    """A set-valued fact has at least one member; the basis names the members."""

    fact: str

    def evaluate(self, ctx: Context) -> Outcome:
        fact = ctx.facts.get(self.fact)
        if fact is None or not fact.value:
            return FALSE
        return Outcome(True, ((fact, None, None, None, None),))

    def describe(self) -> str:
        return f"{self.fact} not empty"

    def inputs(self) -> frozenset[str]:
        return frozenset({self.fact})




# --- Published criteria (SPEC §10) -------------------------------------------------------------


@dataclass(frozen=True)
class Alternatives(Condition):
    """"A or B" as SPEC §10 reads a published criterion: true when any measured alternative holds,
    false when none holds and at least one was measured, unknown when none was measured. The
    alternatives not measured are named (in `missing`) whatever the state."""

    parts: tuple[Condition, ...]

    def evaluate(self, ctx: Context) -> Outcome:
        matched: tuple[Match, ...] = ()
        measured, missing = False, frozenset()
        for part in self.parts:
            outcome = part.evaluate(ctx)
            if outcome.state is None:
                missing |= outcome.missing
                continue
            measured = True
            matched += outcome.matched
        if matched:
            return Outcome(True, matched, missing)
        return Outcome(False if measured else None, (), missing)

    def describe(self) -> str:
        return "(" + " OR ".join(p.describe() for p in self.parts) + "; any measured alternative)"

    def inputs(self) -> frozenset[str]:
        return frozenset().union(*(p.inputs() for p in self.parts))


@dataclass(frozen=True)
class Entered(Condition):
    """The fact was entered: true, otherwise unknown (never false), so that inside all_of every
    missing one is named."""

    fact: str

    def evaluate(self, ctx: Context) -> Outcome:
        return TRUE if self.fact in ctx.facts else Outcome(None, (), frozenset({self.fact}))

    def describe(self) -> str:
        return f"{self.fact} entered"

    def inputs(self) -> frozenset[str]:
        return frozenset({self.fact})

    def leaves(self) -> tuple[Condition, ...]:
        return ()


@dataclass(frozen=True)
class Requires(Condition):
    """A criterion evaluable only when `gate` holds: otherwise unknown, naming the gate's missing
    inputs and the part's (the criterion's own reason explains the rest)."""

    gate: Condition
    part: Condition

    def evaluate(self, ctx: Context) -> Outcome:
        gate = self.gate.evaluate(ctx)
        if gate.state is True:
            return self.part.evaluate(ctx)
        part = self.part.evaluate(ctx)
        return Outcome(None, (), gate.missing | (part.missing if part.state is None else frozenset()))

    def describe(self) -> str:
        return f"(evaluable only if {self.gate.describe()}) {self.part.describe()}"

    def inputs(self) -> frozenset[str]:
        return self.gate.inputs() | self.part.inputs()

    def leaves(self) -> tuple[Condition, ...]:
        return self.gate.leaves() + self.part.leaves()


@dataclass(frozen=True)
class NeverEvaluable(Condition):
    """A criterion that the inputs of this pathway can never decide (it needs the marrow)."""

    needs: str

    def evaluate(self, ctx: Context) -> Outcome:
        return Outcome(None)

    def describe(self) -> str:
        return f"needs {self.needs}: never evaluable from these inputs"

    def leaves(self) -> tuple[Condition, ...]:
        return ()


@dataclass(frozen=True)
class CountOf(Condition):
    """Risk factors counted: true when at least one is known to hold (the matched ones form the
    basis, the unknown ones are named), false when all are known and none holds, else unknown."""

    parts: tuple[Condition, ...]

    def count(self, ctx: Context) -> int:
        """How many factors are known to hold."""
        return sum(1 for part in self.parts if part.evaluate(ctx).state is True)

    def evaluate(self, ctx: Context) -> Outcome:
        matched: tuple[Match, ...] = ()
        held, missing = 0, frozenset()
        for part in self.parts:
            outcome = part.evaluate(ctx)
            if outcome.state is None:
                missing |= outcome.missing
            elif outcome.state:
                held += 1
                matched += outcome.matched
        if held:
            return Outcome(True, matched, missing)
        return Outcome(None, (), missing) if missing else FALSE

    def describe(self) -> str:
        return "count of (" + "; ".join(p.describe() for p in self.parts) + ")"

    def inputs(self) -> frozenset[str]:
        return frozenset().union(*(p.inputs() for p in self.parts))


# --- SPEC 1.2: sets, counts of lineages, and findings known to hold -----------------------------


@dataclass(frozen=True)
class Contains(Is):
    """A set-valued fact (the blood film) holds at least one of the values; the basis names the set."""

    def matches(self, value: object) -> bool:
        return bool(value & frozenset(self.values))  # type: ignore[operator]

    def describe(self) -> str:
        return f"{self.fact} includes " + " or ".join(str(v) for v in self.values)


def contains(fact: str, *values: str) -> Contains:
    return Contains(fact, tuple(values))


@dataclass(frozen=True)
class AtLeast(Condition):
    """At least `count` of the parts hold (Kleene): true once that many are true, false when even the
    unknown ones could not make up the count, otherwise unknown."""

    count: int
    parts: tuple[Condition, ...]

    def evaluate(self, ctx: Context) -> Outcome:
        matched: tuple[Match, ...] = ()
        held, open_, missing = 0, 0, frozenset()
        for part in self.parts:
            outcome = part.evaluate(ctx)
            if outcome.state is True:
                held += 1
                matched += outcome.matched
            elif outcome.state is None:
                open_ += 1
                missing |= outcome.missing
        if held >= self.count:
            return Outcome(True, matched)
        return FALSE if held + open_ < self.count else Outcome(None, (), missing)

    def describe(self) -> str:
        return f"at least {self.count} of (" + "; ".join(p.describe() for p in self.parts) + ")"

    def inputs(self) -> frozenset[str]:
        return frozenset().union(*(p.inputs() for p in self.parts))

    def rule_refs(self) -> frozenset[str]:
        return frozenset().union(*(p.rule_refs() for p in self.parts))


@dataclass(frozen=True)
class KnownToHold(Condition):
    """True only when the part is known to hold; an unknown part counts as not holding (its missing
    inputs are still named). Used for what blocks a deferral: a blocker that was not entered does not
    block, but the unknowns list says it could."""

    part: Condition

    def evaluate(self, ctx: Context) -> Outcome:
        outcome = self.part.evaluate(ctx)
        if outcome.state is None:
            return Outcome(False, (), outcome.missing)
        return outcome

    def describe(self) -> str:
        return f"known: {self.part.describe()}"

    def inputs(self) -> frozenset[str]:
        return self.part.inputs()

    def rule_refs(self) -> frozenset[str]:
        return self.part.rule_refs()


@dataclass(frozen=True)
class Explanation:
    """One row of SPEC 1.2 §5.1's table: a benign cause explains a lab's abnormal value when `when` holds."""

    cause: str
    lab: str
    when: Condition


@dataclass(frozen=True)
class EveryAbnormalExplained(Condition):
    """Every lab known to be abnormal is explained by a benign cause that is present (SPEC 1.2 §5.1).

    `checks` pairs each lab with its "normal" condition; a lab whose normal condition is false is
    abnormal, and it is explained only by an explanation row of a cause in `causes_fact` that holds.
    """

    checks: tuple[tuple[str, Condition], ...]
    causes_fact: str
    explanations: tuple[Explanation, ...]

    def explained_by(self, ctx: Context) -> dict[str, tuple[str, ...]]:
        """Each abnormal lab with the present causes that explain it (an empty tuple: none does)."""
        causes = ctx.facts.get(self.causes_fact)
        present = causes.value if causes is not None else frozenset()
        out = {}
        for key, normal in self.checks:
            if normal.evaluate(ctx).state is not False:
                continue
            out[key] = tuple(
                row.cause for row in self.explanations
                if row.lab == key and row.cause in present and row.when.holds(ctx)  # type: ignore[operator]
            )
        return out

    def evaluate(self, ctx: Context) -> Outcome:
        return FALSE if any(not causes for causes in self.explained_by(ctx).values()) else TRUE

    def describe(self) -> str:
        rows = "; ".join(f"{row.cause} explains {row.lab} when {row.when.describe()}" for row in self.explanations)
        return f"every abnormal lab is explained by a benign cause present in {self.causes_fact} ({rows})"

    def inputs(self) -> frozenset[str]:
        return frozenset({self.causes_fact}).union(*(c.inputs() for _, c in self.checks))
