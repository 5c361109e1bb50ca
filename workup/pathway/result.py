"""The Assessment and its parts (SPEC §6): frozen, and serialisable to plain JSON types."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

import orjson


def direct_init(cls: type) -> type:
    """Give a frozen slots dataclass an __init__ that fills its slots directly.

    The generated __init__ of a frozen dataclass assigns every field through
    `object.__setattr__`, about ten times slower than a plain assignment, and the engine builds
    ~60 of these objects per evaluation. Writing through the slot descriptors stores exactly the
    same values; the class is otherwise untouched (same fields, defaults, eq, hash, repr), and
    assigning to an instance afterwards still raises FrozenInstanceError.
    """
    params, body, namespace = [], [], {}
    for f in dataclasses.fields(cls):
        if not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name}: only plain positional fields are supported")
        namespace[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        if f.default is dataclasses.MISSING:
            params.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        body.append(f"    _set_{f.name}(self, {f.name})")
    exec(f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body), namespace)  # noqa: S102
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init
    return cls


@direct_init
@dataclass(frozen=True, slots=True)
class MatchedInput:
    """Exactly what a rule matched: the entry, its canonical value and the limit it crossed."""

    key: str
    label: str
    entered_value: object
    entered_unit: str
    canonical_value: object
    canonical_unit: str
    note: str = ""
    comparison: str | None = None
    threshold: str | None = None
    threshold_value: Decimal | None = None
    threshold_unit: str | None = None
    threshold_origin: str | None = None


@dataclass(frozen=True, slots=True)
class Citation:
    id: str
    text: str
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class EvidenceNote:
    id: str
    text: str
    citations: tuple[Citation, ...] = ()


@direct_init
@dataclass(frozen=True, slots=True)
class Finding:
    """A rule that fired: trigger, deferral consideration, imaging option or follow-up."""

    id: str
    kind: str
    title: str
    statement: str
    matched: tuple[MatchedInput, ...]
    citations: tuple[Citation, ...]
    evidence_note: EvidenceNote | None
    labels: tuple[str, ...] = ()
    due_date: dt.date | None = None


@direct_init
@dataclass(frozen=True, slots=True)
class Pitfall:
    id: str
    title: str
    statement: str
    active: bool
    reason: str
    matched: tuple[MatchedInput, ...] = ()


@direct_init
@dataclass(frozen=True, slots=True)
class MriItem:
    id: str
    title: str
    figures: str
    applicability: str
    reliability: str  # "standard" | "low"
    citations: tuple[Citation, ...]
    evidence_note: EvidenceNote | None
    matched: tuple[MatchedInput, ...]


@direct_init
@dataclass(frozen=True, slots=True)
class Conflict:
    """A biopsy trigger and a deferral consideration that pull in opposite directions."""

    biopsy_rule: str
    deferral_rule: str
    policy: str
    anemia_caution: bool


@direct_init
@dataclass(frozen=True, slots=True)
class Option:
    rank: int
    action: str
    text: str
    rule_ids: tuple[str, ...] = ()


@direct_init
@dataclass(frozen=True, slots=True)
class LabLine:
    """One line of the core-lab checklist."""

    key: str
    label: str
    core: bool
    status: str  # "normal" | "abnormal" | "missing" | "not_done" | "informational"
    entered_value: object = None
    entered_unit: str = ""
    canonical_value: object = None
    canonical_unit: str = ""
    reference: str = ""
    reference_origin: str = ""
    note: str = ""


@direct_init
@dataclass(frozen=True, slots=True)
class Unknown:
    key: str
    label: str
    could_change: tuple[str, ...]
    note: str


@direct_init
@dataclass(frozen=True, slots=True)
class Warning:
    id: str
    message: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class PathwayInfo:
    id: str
    version: str
    source_date: str
    hash: str


@direct_init
@dataclass(frozen=True, slots=True)
class Assessment:
    disposition: str
    summary: str
    options: tuple[Option, ...]
    triggers: tuple[Finding, ...]
    deferral_considerations: tuple[Finding, ...]
    imaging: tuple[Finding, ...]
    follow_up: tuple[Finding, ...]
    conflicts: tuple[Conflict, ...]
    pitfalls: tuple[Pitfall, ...]
    mri: tuple[MriItem, ...]
    labs: tuple[LabLine, ...]
    unknowns: tuple[Unknown, ...]
    warnings: tuple[Warning, ...]
    pathway: PathwayInfo
    evaluation_date: dt.date
    plasma_cell_disorder_suspected: bool = False

    @property
    def fired_ids(self) -> frozenset[str]:
        groups = (self.triggers, self.deferral_considerations, self.imaging, self.follow_up)
        return frozenset(f.id for group in groups for f in group)

    @property
    def active_pitfall_ids(self) -> frozenset[str]:
        return frozenset(p.id for p in self.pitfalls if p.active)

    def to_dict(self) -> dict[str, Any]:
        """The JSON API's result: exactly the keys of SPEC §6, plain JSON types only."""
        return {name: to_jsonable(getattr(self, name)) for name in RESULT_KEYS}

    def to_json(self) -> bytes:
        """`to_dict()` encoded as UTF-8 JSON, in one pass (orjson walks the dataclasses natively).

        The same document as `json.dumps(self.to_dict())`, written compactly; a test holds the two
        equal on every golden case. It is the API's hot path, hence not built via `to_dict`.
        """
        return orjson.dumps({name: getattr(self, name) for name in RESULT_KEYS}, default=_json_default)


RESULT_KEYS = (
    "disposition", "summary", "options", "triggers", "deferral_considerations", "imaging", "follow_up",
    "conflicts", "pitfalls", "mri", "labs", "unknowns", "warnings", "pathway",
)  # fmt: skip


_PLAIN_TYPES = frozenset({str, int, bool, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}  # type -> dataclass field names, or None


def _field_names(value: Any) -> tuple[str, ...] | None:
    """The field names if value is a dataclass instance; decided once per type."""
    kind = type(value)
    try:
        return _FIELD_NAMES[kind]
    except KeyError:
        is_instance = dataclasses.is_dataclass(value) and not isinstance(value, type)
        names = tuple(f.name for f in dataclasses.fields(value)) if is_instance else None
        _FIELD_NAMES[kind] = names
        return names


def _number(value: Decimal) -> int | float:
    """A Decimal as JSON: an integer when whole (and exactly representable), otherwise a float."""
    return int(value) if value == value.to_integral_value() and abs(value) < 10**15 else float(value)


def _json_default(value: Any) -> Any:
    """What orjson does not encode itself: Decimals and sets (sorted, as `to_jsonable` does)."""
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, frozenset | set):
        return sorted(to_jsonable(v) for v in value)
    raise TypeError(f"not serialisable: {type(value).__name__}")


def to_jsonable(value: Any) -> Any:
    """Dataclasses → dicts, Decimals → numbers, dates → ISO strings, enums → values.

    Runs on every API response (~500 values each), so plain values skip the call altogether and
    dataclass fields are looked up once per type.
    """
    if type(value) in _PLAIN_TYPES:
        return value
    names = _field_names(value)
    if names is not None:
        fields = {}
        for name in names:
            field = getattr(value, name)
            fields[name] = field if type(field) in _PLAIN_TYPES else to_jsonable(field)
        return fields
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, Decimal):
        return _number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [v if type(v) in _PLAIN_TYPES else to_jsonable(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(to_jsonable(v) for v in value)
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    raise TypeError(f"not serialisable: {type(value).__name__}")
