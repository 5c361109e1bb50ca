"""The pathway map: a graph computed from the rule table, drawn as SVG or as a nested outline.

Nothing here is placed by hand. Nodes come from the inputs each condition reads, the rules it
refers to (Fired, AnyFired, DispositionIs), the named combined conditions of rules.py and the
precedence table; columns come from the rule kind, rows from table order and, for inputs, from
the mean row of the rules that read them. A new rule appears on the map without a change here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from html import escape

from workup.pathway.conditions import Condition
from workup.pathway.inputs import INPUTS_BY_KEY
from workup.pathway.rules import (
    CORE_COMPLETE,
    CORE_NORMAL,
    DISPOSITIONS,
    FLC_RATIO_ABNORMAL,
    MALIGNANCY_SUSPECTED,
    PLASMA_CELL_SUSPECTED,
    RULES,
    RULES_BY_ID,
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
    ("rules", "Triggers and considerations", ("trigger", "deferral", "mri-sign")),
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
    "deferral": "Deferral considerations",
    "mri-sign": "MRI signal signs (informational)",
    "disposition": "Precedence, top to bottom",
    "derived-late": "Combined conditions on triggers",
    "follow_up": "Follow-up",
    "imaging": "Imaging options",
    "pitfall": "Pitfalls",
    "warning": "Scope guards and entry checks",
    "criterion": "Published criteria (cross-check; never change the result)",
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


def condition_parts(cond: Condition) -> Iterator[Condition]:
    for f in dataclasses.fields(cond):  # type: ignore[arg-type]
        value = getattr(cond, f.name)
        values = value if isinstance(value, tuple) else (value,)
        yield from (v for v in values if isinstance(v, Condition))


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
    rule_nodes = [Node(r.id, r.kind, _KIND_BAND.get(r.kind, r.kind), r.id, r.title) for r in RULES]
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
    return Graph(tuple(nodes), tuple(sorted(edges, key=lambda e: (e.target, e.source))))


# --- Layout -----------------------------------------------------------------------------------

COLUMN_WIDTHS = {"inputs": 240, "combined": 215, "rules": 290, "dispositions": 235, "after": 295}
COLUMN_GAP = 70
TOP = 64
BAND_HEADER = 26
ROW_GAP = 6
NODE_HEIGHT = {"input": 22, "derived": 30}
DEFAULT_NODE_HEIGHT = 40
MARGIN = 16


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
                height = NODE_HEIGHT.get(node.kind, DEFAULT_NODE_HEIGHT)
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
    parts = [
        f"<g {attrs}>",
        f'<rect x="{box.x}" y="{box.y}" width="{box.width}" height="{box.height}" rx="4" '
        'fill="#ffffff" stroke="#6c757d"/>',
    ]
    first_line = box.y + (15 if node.sublabel else box.height / 2 + 4)
    parts.append(f'<text class="node-label" x="{box.x + 6}" y="{first_line:.0f}">{escape(node.label)}</text>')
    if node.sublabel:
        parts.append(
            f'<text class="node-sublabel" x="{box.x + 6}" y="{box.y + 31}">{escape(node.sublabel)}</text>'
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
    return text


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
    )
