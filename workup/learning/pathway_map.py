"""The pathway map: a graph computed from the rule table, drawn as SVG or as a nested outline.

Nothing here is placed by hand. Nodes come from the inputs each condition reads, the rules it
refers to (Fired, AnyFired, DispositionIs), the named combined conditions of rules.py and the
precedence table; columns come from the rule kind, rows from table order and, for inputs, from
the mean row of the rules that read them. A new rule appears on the map without a change here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from html import escape

from workup.learning.library import NOT_IN_SOURCE, SOURCE_CITATION
from workup.pathway.conditions import Compare, Condition, Is, condition_parts
from workup.pathway.engine import DEFAULT_LIMITS, OVERRIDDEN_LIMIT
from workup.pathway.inputs import CHOICE_LABELS, INPUTS_BY_KEY
from workup.pathway.rules import (
    CORE_COMPLETE,
    CORE_NORMAL,
    DISPOSITIONS,
    FLC_RATIO_ABNORMAL,
    MALIGNANCY_SUSPECTED,
    PLASMA_CELL_SUSPECTED,
    RULES,
    RULES_BY_ID,
    Rule,
)

# The named combinations of rules.py get a node of their own, so the map shows "core labs
# complete" once instead of eight lines from the labs to every row that needs it.
_DERIVED: tuple[tuple[Condition, str, str], ...] = (
    (CORE_COMPLETE, "core-complete", "Core labs complete"),
    (CORE_NORMAL, "core-normal", "Core labs completely normal"),
    (FLC_RATIO_ABNORMAL, "flc-abnormal", "FLC ratio outside the normal range"),
    (PLASMA_CELL_SUSPECTED, "plasma-cell", "Plasma-cell disorder suspected"),
    (MALIGNANCY_SUSPECTED, "malignancy", "Malignancy suspected"),
)
_DERIVED_BY_OBJECT = {id(cond): (f"dv:{slug}", label) for cond, slug, label in _DERIVED}

DISPOSITION_LABELS = {
    "PROCEED_TO_BIOPSY": "Proceed to bone marrow biopsy",
    "COMPLETE_WORKUP": "Complete the work-up first",
    "DEFERRAL_REASONABLE": "Deferral is reasonable",
    "BIOPSY_STRONGLY_CONSIDERED": "Strongly consider biopsy",
}

# (column id, heading, the bands it holds in order); a band is a rule kind or an input group.
COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("inputs", "Inputs", ("mri", "labs", "context", "derived-fact")),
    ("combined", "Combined findings", ("derived",)),
    ("rules", "Triggers and considerations", ("trigger", "urgent", "deferral", "mri-sign")),
    ("dispositions", "Disposition (first match wins)", ("disposition", "derived-late")),
    ("after", "Follow-up, imaging and cautions", ("follow_up", "imaging", "pitfall", "warning", "criterion")),
)
BAND_TITLES = {
    "mri": "MRI findings",
    "labs": "Laboratory values",
    "context": "Clinical context",
    "derived-fact": "Computed by the engine",
    "derived": "Combined conditions",
    "trigger": "Biopsy triggers (any one)",
    "urgent": "Urgent findings (lead every output)",
    "deferral": "Deferral considerations",
    "mri-sign": "MRI signal signs (informational)",
    "disposition": "Precedence, top to bottom",
    "derived-late": "Combined conditions on triggers",
    "follow_up": "Follow-up",
    "imaging": "Imaging options",
    "pitfall": "Pitfalls",
    "warning": "Scope guards and entry checks",
    "criterion": "Published criteria (cross-check)",  # short enough for its 295-px column
}
# Rule kinds whose band name differs from the kind (the MRI input group is also called "mri").
_KIND_BAND = {"mri": "mri-sign"}
ACTIVE_MARKERS = {"pitfall": "! active", "disposition": "▶ reached"}
DEFAULT_MARKER = "✓ fired"


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    kind: str  # "input" | "derived" | "disposition" | a rule kind
    band: str
    label: str
    sublabel: str = ""
    # Where a published criterion and a rule it sits beside part ways (SPEC §10): the short mark
    # drawn on the box, and the sentences that say how (the box's <title>, the outline).
    mark: str = ""
    mark_lines: tuple[str, ...] = ()

    @property
    def rule_id(self) -> str | None:
        return self.id if self.id in RULES_BY_ID else None


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    negated: bool = False  # the target needs the source *not* to hold


@dataclass(frozen=True, slots=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    crosschecks: tuple[Divergence, ...] = ()

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)

    def sources(self, target: str) -> tuple[Edge, ...]:
        return tuple(e for e in self.edges if e.target == target)

    def targets(self, source: str) -> tuple[Edge, ...]:
        return tuple(e for e in self.edges if e.source == source)


# --- The graph --------------------------------------------------------------------------------


def _refs(cond: Condition, *, negated: bool = False, root: bool = True) -> Iterator[tuple[str, bool]]:
    """Every node a condition reads, with its polarity; named combinations stop the walk."""
    if not root and id(cond) in _DERIVED_BY_OBJECT:
        yield _DERIVED_BY_OBJECT[id(cond)][0], negated
        return
    if hasattr(cond, "fact"):
        yield f"in:{cond.fact}", negated
    if hasattr(cond, "rule_id"):
        yield cond.rule_id, negated
    if hasattr(cond, "prefix"):
        yield from ((r.id, negated) for r in RULES if r.id.startswith(cond.prefix))
    if hasattr(cond, "disposition"):
        yield cond.disposition, negated
    flip = type(cond).__name__ == "Not"
    for part in condition_parts(cond):
        yield from _refs(part, negated=negated ^ flip, root=False)


def _input_node(key: str) -> Node:
    spec = INPUTS_BY_KEY.get(key)
    if spec is None:
        return Node(f"in:{key}", "input", "derived-fact", key.replace("_", " ").capitalize())
    return Node(f"in:{key}", "input", spec.group, spec.label)


@cache
def pathway_graph() -> Graph:
    """Nodes and edges of the whole pathway, computed from RULES and DISPOSITIONS."""
    owners: list[tuple[str, Condition]] = [(r.id, r.condition) for r in RULES]
    owners += [(f"dv:{slug}", cond) for cond, slug, _ in _DERIVED]
    owners += list(DISPOSITIONS)
    edges = {
        Edge(source, target, negated)
        for target, cond in owners
        for source, negated in _refs(cond)
        if source != target
    }
    crosschecks = crosscheck_pairs()
    rule_nodes = [
        Node(r.id, r.kind, _KIND_BAND.get(r.kind, r.kind), r.id, r.title, *_crosscheck_mark(r, crosschecks))
        for r in RULES
    ]
    reads_rules = {e.target for e in edges if e.source in RULES_BY_ID}
    derived_nodes = [
        Node(f"dv:{slug}", "derived", "derived-late" if f"dv:{slug}" in reads_rules else "derived", label)
        for _, slug, label in _DERIVED
    ]
    disposition_nodes = [
        Node(
            name, "disposition", "disposition", DISPOSITION_LABELS.get(name, name), ""
        )  # words, not the code
        for name, _ in DISPOSITIONS
    ]
    input_keys = sorted({e.source[3:] for e in edges if e.source.startswith("in:")})
    nodes = [_input_node(k) for k in input_keys] + derived_nodes + rule_nodes + disposition_nodes
    return Graph(tuple(nodes), tuple(sorted(edges, key=lambda e: (e.target, e.source))), crosschecks)


# --- Where the source and the published criteria part ways (SPEC §10) ---------------------------
#
# Worked out from the table alone: a criterion's `related_rules` name the rules it sits beside, and
# the two conditions say what each tests on every input. Nothing here names a rule or a criterion.

CROSSCHECK_SYMBOL = "≠"
CRITERIA_ONLY = "criteria only"
_SEXES = ("female", "male")
# How the tests of one input are joined, by the combination they sit in.
_JOINERS = {"AnyOf": "or", "Alternatives": "or", "CountOf": "or", "AllOf": "and"}


@dataclass(frozen=True, slots=True)
class Divergence:
    """A published criterion beside a rule (its `related_rules`), with each input the two test
    differently, in words; `rule_in_source` is False for the app's own extension of the source."""

    criterion_id: str
    rule_id: str
    rule_in_source: bool
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        beside = "" if self.rule_in_source else f" ({self.rule_id} is the app's own rule, not the source's)"
        return f"{self.criterion_id} parts ways with {self.rule_id}{beside}: {' '.join(self.lines)}"


def _or_list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def _limit_phrase(compare: Compare) -> str:
    """"< 12.0 g/dL", with the value for each sex when it differs; a limit the lab's own replaces,
    or one stated relative to such a limit, is said so, with its default value."""
    by_sex = {sex: DEFAULT_LIMITS[(sex, False)][compare.limit] for sex in _SEXES}
    limit = by_sex[_SEXES[0]]
    unit = limit.threshold.unit

    def amount(value: str) -> str:
        return f"{value} {unit}".rstrip()

    if len({each.value for each in by_sex.values()}) == 1:
        values = amount(limit.text)
    else:
        values = ", ".join(f"{amount(each.text)} if {CHOICE_LABELS[sex].lower()}" for sex, each in by_sex.items())
    step = limit.threshold
    if step.value != limit.value:  # e.g. "more than 2.0 g/dL below the lower limit"
        side = "lower limit −" if compare.op in ("<", "<=") else "upper limit +"
        return f"{compare.op_text} the {side} {step.value} {step.unit} (by default {values})"
    if compare.limit in OVERRIDDEN_LIMIT.values():
        return f"{compare.op_text} the lab's limit (by default {values})"
    return f"{compare.op_text} {values}"


def _test_phrase(cond: Condition) -> str:
    if isinstance(cond, Compare):
        return _limit_phrase(cond)
    if isinstance(cond, Is):
        if cond.values == (True,):
            return CHOICE_LABELS["yes"].lower()
        return "is " + _or_list([CHOICE_LABELS.get(str(v), str(v)) for v in cond.values])
    return "entered"


def condition_tests(cond: Condition) -> dict[str, str]:
    """What a condition tests on each input it reads, in words, in the order it reads them."""
    found: dict[str, list[tuple[str, str]]] = {}

    def walk(part: Condition, joiner: str, negated: bool) -> None:
        fact = getattr(part, "fact", None)
        if isinstance(fact, str):
            phrase = _test_phrase(part)
            item = (joiner, f"not {phrase}" if negated else phrase)
            if item not in found.setdefault(fact, []):
                found[fact].append(item)
        name = type(part).__name__
        for inner in condition_parts(part):
            walk(inner, _JOINERS.get(name, joiner), negated ^ (name == "Not"))

    walk(cond, "and", False)
    joined = {}
    for fact, items in found.items():
        joiners = {joiner for joiner, _ in items}
        glue = f" {joiners.pop()} " if len(joiners) == 1 else "; "
        joined[fact] = glue.join(phrase for _, phrase in items)
    return joined


def divergence(criterion: Rule, rule: Rule) -> Divergence:
    """Where `criterion` and a rule it sits beside part ways: every input they test differently or
    that only one of them reads; with the same tests, when the criterion can be judged."""
    ours, theirs = condition_tests(rule.condition), condition_tests(criterion.condition)
    lines = []
    for fact in dict.fromkeys([*ours, *theirs]):
        label = _input_node(fact).label
        if fact in ours and fact in theirs:
            if ours[fact] != theirs[fact]:
                lines.append(f"{label}: {rule.id} {ours[fact]}; {criterion.id} {theirs[fact]}.")
        elif fact in theirs:
            lines.append(f"{label}: only {criterion.id} reads it ({theirs[fact]}).")
        else:
            lines.append(f"{label}: only {rule.id} reads it ({ours[fact]}).")
    if not lines:
        lines.append(f"Both test the same; {criterion.id} differs in when it can be judged. "
                     f"{criterion.not_evaluable_reason}")
    return Divergence(criterion.id, rule.id, SOURCE_CITATION in rule.citations, tuple(lines))


def crosscheck_pairs() -> tuple[Divergence, ...]:
    """Every published criterion beside every rule it names in `related_rules`, in table order."""
    return tuple(
        divergence(criterion, RULES_BY_ID[rule_id])
        for criterion in RULES
        if criterion.kind == "criterion"
        for rule_id in criterion.related_rules
        if rule_id in RULES_BY_ID
    )


def criteria_only() -> tuple[str, ...]:
    """The published criteria with no rule of the source beside them (none, or only the app's own)."""
    beside_source = {d.criterion_id for d in crosscheck_pairs() if d.rule_in_source}
    return tuple(r.id for r in RULES if r.kind == "criterion" and r.id not in beside_source)


def _crosscheck_mark(rule: Rule, pairs: tuple[Divergence, ...]) -> tuple[str, tuple[str, ...]]:
    """The mark on a rule's box and the sentences behind it (none when it has no part in the cross-check)."""
    if rule.kind == "criterion":
        mine = tuple(d.text for d in pairs if d.criterion_id == rule.id)
        source = [d.rule_id for d in pairs if d.criterion_id == rule.id and d.rule_in_source]
        if source:
            return f"{CROSSCHECK_SYMBOL} {', '.join(source)}", mine
        beside = [d.rule_id for d in pairs if d.criterion_id == rule.id]
        mark = f"{CRITERIA_ONLY} · beside {', '.join(beside)}" if beside else CRITERIA_ONLY
        return mark, (f"{rule.id}: {CRITERIA_ONLY}, no rule of the source beside it.", *mine)
    beside = [d.criterion_id for d in pairs if d.rule_id == rule.id]
    if not beside:
        return "", ()
    count = f"{len(beside)} published criteri{'on' if len(beside) == 1 else 'a'}"
    return f"{CROSSCHECK_SYMBOL} {count}", (
        f"{rule.id} and the published criteria beside it part ways: {', '.join(beside)}.",
    )


# The legend beside the map: (the kind of line shown as its sample, or "" for none; the text sample;
# what it means). The line kinds are the classes the map gives its edges besides "edge".
MAP_LEGEND: tuple[tuple[str, str, str], ...] = (
    ("plain", "", "Solid line: the box on the right reads the box on the left."),
    ("negated", "", "Dashed line: the box on the right needs the box on the left not to hold."),
    ("crosscheck", CROSSCHECK_SYMBOL,
     f"Dotted line and “{CROSSCHECK_SYMBOL}”: a published criterion and the rule it sits beside part ways; "
     "the mark on each box names the other, and the text version says how they differ."),
    ("", CRITERIA_ONLY, "A published criterion with no rule of the source beside it."),
    ("", "", "The published criteria are a cross-check only: they never change the result."),
)


def crosscheck_description() -> str:
    """The cross-check in one paragraph, for the map's <desc>."""
    pairs = pathway_graph().crosschecks
    by_rule: dict[str, list[str]] = {}
    for d in pairs:
        by_rule.setdefault(d.rule_id, []).append(d.criterion_id)
    beside = "; ".join(f"{' and '.join(ids)} beside {rule_id}" for rule_id, ids in by_rule.items())
    only = ", ".join(criteria_only()) or "none"
    return (f"Dotted lines and “{CROSSCHECK_SYMBOL}” marks join each published criterion to the rule it sits "
            f"beside, where the two part ways: {beside}. Criteria only, with no rule of the source beside "
            f"them: {only}. The text version says how each differs.")


# --- Layout -----------------------------------------------------------------------------------

COLUMN_WIDTHS = {"inputs": 240, "combined": 230, "rules": 305, "dispositions": 235, "after": 310}  # 12 px text fits
COLUMN_GAP = 70
TOP = 64
BAND_HEADER = 26
ROW_GAP = 6
NODE_HEIGHT = {"input": 22, "derived": 30}
DEFAULT_NODE_HEIGHT = 40
MARK_LINE = 15  # a box with a cross-check mark is one line taller
MARGIN = 16


def node_height(node: Node) -> int:
    return NODE_HEIGHT.get(node.kind, DEFAULT_NODE_HEIGHT) + (MARK_LINE if node.mark else 0)


@dataclass(frozen=True, slots=True)
class Box:
    node: Node
    column: str
    x: int
    y: int
    width: int
    height: int

    @property
    def mid_y(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True, slots=True)
class Layout:
    boxes: dict[str, Box]
    bands: tuple[tuple[str, int, int], ...]  # (band, x, y) of each band heading
    columns: tuple[tuple[str, str, int], ...]  # (column id, heading, x)
    width: int
    height: int


def _column_of_band() -> dict[str, str]:
    return {band: column for column, _, bands in COLUMNS for band in bands}


def _order(graph: Graph, placed: dict[str, float], band_nodes: list[Node]) -> list[Node]:
    """Table order for rules; inputs and combined findings by the mean row of what they feed."""

    def weight(node: Node) -> float:
        rows = [placed[e.target] for e in graph.targets(node.id) if e.target in placed]
        return sum(rows) / len(rows) if rows else float("inf")

    if band_nodes and band_nodes[0].kind in ("input", "derived"):
        return sorted(band_nodes, key=weight)
    return band_nodes


@cache
def pathway_layout() -> Layout:
    """Place every node: right-hand columns first, so the left ones can follow what they feed."""
    graph = pathway_graph()
    band_column = _column_of_band()
    x, column_x = MARGIN, {}
    for column, _, _ in COLUMNS:
        column_x[column] = x
        x += COLUMN_WIDTHS[column] + COLUMN_GAP
    boxes: dict[str, Box] = {}
    placed: dict[str, float] = {}
    bands: list[tuple[str, int, int]] = []
    bottom = 0
    for column, _, column_bands in reversed(COLUMNS):
        y = TOP
        for band in column_bands:
            members = [n for n in graph.nodes if n.band == band and band_column[band] == column]
            if not members:
                continue
            bands.append((band, column_x[column], y))
            y += BAND_HEADER
            for node in _order(graph, placed, members):
                height = node_height(node)
                boxes[node.id] = Box(node, column, column_x[column], y, COLUMN_WIDTHS[column], height)
                placed[node.id] = y + height / 2
                y += height + ROW_GAP
            y += ROW_GAP * 2
        bottom = max(bottom, y)
    headings = tuple((c, heading, column_x[c]) for c, heading, _ in COLUMNS)
    return Layout(boxes, tuple(bands), headings, x - COLUMN_GAP + MARGIN, bottom + MARGIN)


# --- What is lit for a case -------------------------------------------------------------------


def assessment_rule_ids(assessment) -> frozenset[str]:
    """Every rule that holds for an assessment: fired findings, active pitfalls, MRI signs, warnings."""
    return (
        assessment.fired_ids
        | assessment.active_pitfall_ids
        | {m.id for m in assessment.mri}
        | {w.id for w in assessment.warnings}
    )


def _active(node: Node, fired: Iterable[str], disposition: str | None) -> bool:
    if node.kind == "disposition":
        return node.id == disposition
    return node.id in fired


def _edge_on_path(edge: Edge, active: set[str]) -> bool:
    """An edge is on the path when its target holds and its source held (or is an input)."""
    if edge.target not in active or edge.negated:
        return False
    return edge.source in active or edge.source.startswith("in:")


# --- SVG --------------------------------------------------------------------------------------


def _classes(*names: str) -> str:
    return " ".join(n for n in names if n)


def _edge_path(a: Box, b: Box) -> str:
    if a.column == b.column:  # an arc to the right of the column, back into the same column
        x = a.x + a.width
        bulge = x + 40
        return f"M{x},{a.mid_y:.0f} C{bulge},{a.mid_y:.0f} {bulge},{b.mid_y:.0f} {x},{b.mid_y:.0f}"
    x1, x2 = a.x + a.width, b.x
    if x1 > x2:  # a back edge (e.g. a disposition read by a follow-up rule placed to its left)
        x1, x2 = a.x, b.x + b.width
    mid = (x1 + x2) / 2
    return f"M{x1},{a.mid_y:.0f} C{mid:.0f},{a.mid_y:.0f} {mid:.0f},{b.mid_y:.0f} {x2},{b.mid_y:.0f}"


def _svg_node(box: Box, active: bool) -> str:
    node = box.node
    attrs = f'class="{_classes("node", f"node-{node.kind}", "fired" if active else "")}"'
    attrs += f' id="map-{escape(node.id.replace(":", "-"))}"'
    if node.rule_id:
        attrs += f' data-rule-id="{escape(node.id)}"'
    if node.kind == "disposition":
        attrs += f' data-disposition="{escape(node.id)}"'
    if node.kind == "input":
        attrs += f' data-input-key="{escape(node.id[3:])}"'
    if node.mark:
        attrs += f' data-crosscheck="{escape(node.mark)}"'
    parts = [f"<g {attrs}>"]
    if node.mark_lines:  # the mark's words, as the box's tooltip (the outline says the same)
        parts.append(f"<title>{escape(' '.join(node.mark_lines))}</title>")
    parts.append(
        f'<rect x="{box.x}" y="{box.y}" width="{box.width}" height="{box.height}" rx="4" '
        'fill="#ffffff" stroke="#6c757d"/>'
    )
    text_height = box.height - (MARK_LINE if node.mark else 0)
    first_line = box.y + (15 if node.sublabel else text_height / 2 + 4)
    parts.append(f'<text class="node-label" x="{box.x + 6}" y="{first_line:.0f}">{escape(node.label)}</text>')
    if node.sublabel:
        parts.append(
            f'<text class="node-sublabel" x="{box.x + 6}" y="{box.y + 31}">{escape(node.sublabel)}</text>'
        )
    if node.mark:
        parts.append(
            f'<text class="crosscheck-mark" x="{box.x + 6}" y="{box.y + text_height + 7}">{escape(node.mark)}</text>'
        )
    if active:
        marker = ACTIVE_MARKERS.get(node.kind, DEFAULT_MARKER)
        parts.append(
            f'<text class="marker" x="{box.x + box.width - 6}" y="{box.y + 15}" '
            f'text-anchor="end">{escape(marker)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def map_description(*, fired: Iterable[str], disposition: str | None) -> str:
    """The <desc> of the map: what it shows and, for a case, what is highlighted."""
    graph = pathway_graph()
    inputs = sum(n.kind == "input" for n in graph.nodes)
    text = (
        f"Computed from the rule table: {inputs} inputs feed {len(RULES)} rules and "
        f"{len(DISPOSITIONS)} dispositions, read left to right."
    )
    lit = sorted(set(fired) & set(RULES_BY_ID))
    if lit or disposition:
        text += f" Highlighted for this case: {', '.join(lit) or 'no rule'}."
        text += f" Disposition reached: {DISPOSITION_LABELS.get(disposition, disposition) if disposition else 'none'}."
    else:
        text += " No case is loaded, so nothing is highlighted."
    return f"{text} {crosscheck_description()}"


def pathway_map_svg(*, fired: Iterable[str] = frozenset(), disposition: str | None = None) -> str:
    """The whole pathway as an accessible SVG, highlighting the fired rules and the disposition."""
    fired = frozenset(fired)
    graph, layout = pathway_graph(), pathway_layout()
    active = {n.id for n in graph.nodes if _active(n, fired, disposition)}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pathway-map" role="img" '
        f'viewBox="0 0 {layout.width} {layout.height}" width="{layout.width}" height="{layout.height}" '
        'aria-labelledby="pathway-map-title pathway-map-desc">',
        '<title id="pathway-map-title">Pathway map: inputs, triggers, dispositions and follow-up</title>',
        f'<desc id="pathway-map-desc">{escape(map_description(fired=fired, disposition=disposition))}</desc>',
    ]
    for _column, heading, x in layout.columns:
        out.append(f'<text class="column-heading" x="{x}" y="24">{escape(heading)}</text>')
    for band, x, y in layout.bands:
        out.append(f'<text class="band-heading" x="{x}" y="{y + 17}">{escape(BAND_TITLES[band])}</text>')
    out.append('<g class="edges">')
    for edge in graph.edges:
        classes = _classes(
            "edge", "negated" if edge.negated else "", "on-path" if _edge_on_path(edge, active) else ""
        )
        path = _edge_path(layout.boxes[edge.source], layout.boxes[edge.target])
        out.append(
            f'<path class="{classes}" d="{path}" fill="none" stroke="#adb5bd" '
            f'data-source="{escape(edge.source)}" data-target="{escape(edge.target)}"/>'
        )
    for pair in graph.crosschecks:
        path = _edge_path(layout.boxes[pair.rule_id], layout.boxes[pair.criterion_id])
        out.append(
            f'<path class="edge crosscheck" d="{path}" fill="none" stroke="#6f42c1" stroke-dasharray="1 3" '
            f'data-source="{escape(pair.rule_id)}" data-target="{escape(pair.criterion_id)}"/>'
        )
    out.append("</g>")
    out.extend(_svg_node(layout.boxes[n.id], n.id in active) for n in graph.nodes)
    out.append("</svg>")
    return "".join(out)


# --- The text alternative ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutlineItem:
    """One node in the text alternative, with what it reads and what reads it."""

    id: str
    rule_id: str | None
    kind: str
    label: str
    sublabel: str
    active: bool
    marker: str
    reads: tuple[str, ...]
    reads_not: tuple[str, ...]
    feeds: tuple[str, ...]
    # The cross-check (SPEC §10): the mark, where the criterion and the rule beside it part ways,
    # and for a criterion its learning page's account of how it differs from the source.
    crosscheck_mark: str = ""
    crosscheck: tuple[str, ...] = ()
    crosscheck_note: str = ""


@dataclass(frozen=True, slots=True)
class OutlineSection:
    heading: str
    bands: tuple[tuple[str, tuple[OutlineItem, ...]], ...]


def _name(graph: Graph, node_id: str) -> str:
    node = graph.node(node_id)
    return node.label if node.kind in ("input", "derived") else node.id


def pathway_map_outline(
    *, fired: Iterable[str] = frozenset(), disposition: str | None = None
) -> tuple[OutlineSection, ...]:
    """The same map as nested lists: column → band → node, with its inputs and its consumers."""
    fired = frozenset(fired)
    graph, layout = pathway_graph(), pathway_layout()
    sections = []
    for column, heading, column_bands in COLUMNS:
        bands = []
        for band in column_bands:
            boxes = sorted(
                (b for b in layout.boxes.values() if b.column == column and b.node.band == band),
                key=lambda b: b.y,
            )
            items = tuple(_outline_item(graph, b.node, fired, disposition) for b in boxes)
            if items:
                bands.append((BAND_TITLES[band], items))
        sections.append(OutlineSection(heading, tuple(bands)))
    return tuple(sections)


def _outline_item(graph: Graph, node: Node, fired: frozenset[str], disposition: str | None) -> OutlineItem:
    active = _active(node, fired, disposition)
    sources = graph.sources(node.id)
    return OutlineItem(
        id=node.id,
        rule_id=node.rule_id,
        kind=node.kind,
        label=node.label,
        sublabel=node.sublabel,
        active=active,
        marker=ACTIVE_MARKERS.get(node.kind, DEFAULT_MARKER) if active else "",
        reads=tuple(_name(graph, e.source) for e in sources if not e.negated),
        reads_not=tuple(_name(graph, e.source) for e in sources if e.negated),
        feeds=tuple(_name(graph, e.target) for e in graph.targets(node.id)),
        crosscheck_mark=node.mark,
        crosscheck=node.mark_lines,
        crosscheck_note=NOT_IN_SOURCE.get(node.id, "") if node.kind == "criterion" else "",
    )
