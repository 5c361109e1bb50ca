"""Lab analytes: accepted units, conversion to the canonical unit, plausibility bounds.

Conversions are exact: a patient's value is never rounded before it is compared (SPEC §2.5).
Where SPEC §3 states a threshold in a second unit, the value entered in that unit is compared with
that figure (thresholds.Threshold.stated). The reporting precision is used only to display a value,
and never rounds it onto the other side of a limit (`shown_value`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# ASCII and Greek-mu spellings of the micro sign.
UNIT_ALIASES = {"umol/L": "µmol/L", "μmol/L": "µmol/L", "10^3/uL": "10^3/µL", "10^3/μL": "10^3/µL"}


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit an analyte may be entered in, and how to reach the canonical unit from it."""

    symbol: str
    multiplier: Decimal  # canonical = value × multiplier ÷ divisor
    divisor: Decimal = Decimal(1)

    def to_canonical(self, value: Decimal) -> Decimal:
        # Dividing by the published constant (not multiplying by its rounded reciprocal)
        # keeps exact ties exact, so half-up rounding lands where a person's arithmetic would.
        return value * self.multiplier / self.divisor

    def from_canonical(self, value: Decimal) -> Decimal:
        return value * self.divisor / self.multiplier


@dataclass(frozen=True, slots=True)
class Bounds:
    """Plausibility bounds in the canonical unit (design heuristics, SPEC §2.4)."""

    low: Decimal
    high: Decimal
    low_inclusive: bool = True

    def contains(self, value: Decimal) -> bool:
        above_low = value >= self.low if self.low_inclusive else value > self.low
        return above_low and value <= self.high



@dataclass(frozen=True, slots=True)
class Analyte:
    """A measured quantity: its label, canonical unit, accepted units, precision and bounds."""

    key: str
    label: str
    canonical_unit: str
    units: tuple[Unit, ...]
    bounds: Bounds
    precision: Decimal | None = None  # reporting step of the canonical unit (display only)

    @property
    def unit_symbols(self) -> tuple[str, ...]:
        return tuple(unit.symbol for unit in self.units)

    def unit(self, symbol: str) -> Unit:
        symbol = UNIT_ALIASES.get(symbol, symbol)
        for unit in self.units:
            if unit.symbol == symbol:
                return unit
        raise KeyError(symbol)

    def canonical(self, value: Decimal, symbol: str) -> Decimal:
        """Convert to the canonical unit, exactly."""
        return self.convert(value, self.unit(symbol))

    def convert(self, value: Decimal, unit: Unit) -> Decimal:
        """`canonical` for a unit already looked up."""
        return value if unit.symbol == self.canonical_unit else unit.to_canonical(value)

    def is_plausible(self, value: Decimal, symbol: str) -> bool:
        return self.bounds.contains(self.unit(symbol).to_canonical(value))

    def probable_units(self, value: Decimal, symbol: str) -> tuple[str, ...]:
        """Other accepted units in which this number would be plausible (likely mix-ups)."""
        entered = self.unit(symbol).symbol
        return tuple(
            unit.symbol
            for unit in self.units
            if unit.symbol != entered and self.bounds.contains(unit.to_canonical(value))
        )


# How a unit is written in a sentence a person reads (SPEC §2 writes 10⁹/L; the API's keys stay ASCII).
UNIT_TEXT = {"10^9/L": "× 10⁹/L", "10^3/µL": "× 10³/µL", "mL/min/1.73m2": "mL/min/1.73 m²"}


def unit_text(symbol: str) -> str:
    """A unit symbol as prose writes it."""
    return UNIT_TEXT.get(symbol, symbol)


def _side(value: Decimal, limit: Decimal) -> int:
    return (value > limit) - (value < limit)


def shown_value(value: Decimal, precision: Decimal, limits: tuple[Decimal, ...] = ()) -> Decimal:
    """The value rounded half-up to its reporting step, with one more digit each time the rounded
    figure would sit on another side of (or on) a limit than the exact value (SPEC §2.5):
    7.44 mmol/L of hemoglobin is 11.988… g/dL, shown as 11.99, never as 12.0."""
    if value.as_tuple().exponent >= precision.as_tuple().exponent:
        return value  # no more digits than the reporting step: shown as it is
    step = precision
    for _ in range(12):
        rounded = value.quantize(step, rounding=ROUND_HALF_UP)
        if all(_side(rounded, limit) == _side(value, limit) for limit in limits):
            return rounded
        step = step / 10
    return value


def _u(symbol: str, multiplier: str | int = 1, divisor: str | int = 1) -> Unit:
    return Unit(symbol=symbol, multiplier=Decimal(multiplier), divisor=Decimal(divisor))


_B = Bounds
_COUNT_UNITS = (_u("10^9/L"), _u("10^3/µL"), _u("/nL"))

ANALYTES: dict[str, Analyte] = {
    a.key: a
    for a in (
        Analyte(
            "hemoglobin",
            "Hemoglobin",
            "g/dL",
            (_u("g/dL"), _u("g/L", divisor=10), _u("mmol/L", divisor="0.6206")),
            _B(Decimal(2), Decimal(25)),
            Decimal("0.1"),
        ),
        # A blood count is the same number in 10^9/L, 10^3/µL and /nL (SPEC 1.2 §2.2).
        Analyte("wbc", "White cells", "10^9/L", _COUNT_UNITS, _B(Decimal(0), Decimal(500))),
        Analyte("platelets", "Platelets", "10^9/L", _COUNT_UNITS, _B(Decimal(0), Decimal(3000))),
        Analyte("anc", "Neutrophils (ANC)", "10^9/L", _COUNT_UNITS, _B(Decimal(0), Decimal(500))),
        Analyte(
            "flc_kappa",
            "Free κ light chain",
            "mg/L",
            (_u("mg/L"), _u("mg/dL", 10)),
            _B(Decimal(0), Decimal(100000), low_inclusive=False),
            Decimal("0.1"),
        ),
        Analyte(
            "flc_lambda",
            "Free λ light chain",
            "mg/L",
            (_u("mg/L"), _u("mg/dL", 10)),
            _B(Decimal(0), Decimal(100000), low_inclusive=False),
            Decimal("0.1"),
        ),
        Analyte(
            "mprotein_concentration",
            "M-protein concentration",
            "g/dL",
            (_u("g/dL"), _u("g/L", divisor=10)),
            _B(Decimal(0), Decimal(15)),
            Decimal("0.1"),
        ),
        Analyte(
            "calcium",
            "Calcium (total)",
            "mg/dL",
            (_u("mg/dL"), _u("mmol/L", divisor="0.2495")),
            _B(Decimal(3), Decimal(20)),
            Decimal("0.1"),
        ),
        Analyte(
            "albumin",
            "Albumin",
            "g/dL",
            (_u("g/dL"), _u("g/L", divisor=10)),
            _B(Decimal("0.5"), Decimal(7)),
            Decimal("0.1"),
        ),
        Analyte(
            "creatinine",
            "Creatinine",
            "mg/dL",
            (_u("mg/dL"), _u("µmol/L", divisor="88.4")),
            _B(Decimal("0.1"), Decimal(25)),
            Decimal("0.01"),
        ),
        Analyte(
            "egfr", "eGFR", "mL/min/1.73m2", (_u("mL/min/1.73m2"),), _B(Decimal(1), Decimal(200))
        ),
        Analyte(
            "beta2_microglobulin",
            "β2-microglobulin",
            "mg/L",
            (_u("mg/L"),),
            _B(Decimal(0), Decimal(150), low_inclusive=False),
        ),
        *(
            Analyte(
                key,
                label,
                "mg/dL",
                (_u("mg/dL"), _u("g/L", 100)),
                _B(Decimal(0), Decimal(15000)),
                Decimal(1),
            )
            for key, label in (("igg", "IgG"), ("iga", "IgA"), ("igm", "IgM"))
        ),
    )
}

# Unitless numbers, checked with the same machinery.
AGE_BOUNDS = Bounds(Decimal(0), Decimal(120))
FLC_RATIO_BOUNDS = Bounds(Decimal(0), Decimal("1e9"), low_inclusive=False)

# Which analyte each lab reference-limit override belongs to.
REFERENCE_LIMIT_ANALYTE = {
    "hemoglobin_lln": "hemoglobin",
    "hemoglobin_uln": "hemoglobin",
    "calcium_uln": "calcium",
    "creatinine_uln": "creatinine",
    "albumin_lln": "albumin",
    "b2m_uln": "beta2_microglobulin",
    "igg_lln": "igg",
    "iga_lln": "iga",
    "igm_lln": "igm",
    "wbc_lln": "wbc",
    "wbc_uln": "wbc",
    "platelets_lln": "platelets",
    "platelets_uln": "platelets",
    "anc_lln": "anc",
    # The lab's critical values (SPEC 1.2 §1: urgent findings).
    "urgent_anc": "anc",
    "urgent_platelets": "platelets",
}
