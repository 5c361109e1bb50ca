"""Checks on entered values, shared by the JSON API and the forms (no Django here).

Each check returns a message for the person or program that entered the value, or None. A unit
is never guessed silently: an implausible number is refused, naming the unit it probably is. The
messages are pathway content (wording.INPUT_TEXT), covered by the rule-content hash.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .units import AGE_BOUNDS, ANALYTES, FLC_RATIO_BOUNDS, UNIT_ALIASES
from .wording import input_say


def normalise_unit(key: str, unit: str) -> str | None:
    """The accepted spelling of the unit, or None when the analyte does not take it."""
    unit = UNIT_ALIASES.get(unit, unit)
    return unit if unit in ANALYTES[key].unit_symbols else None


def unit_error(key: str, unit: object) -> str | None:
    analyte = ANALYTES[key]
    if not isinstance(unit, str) or normalise_unit(key, unit) is None:
        return input_say("unit_not_accepted", unit=unit, label=analyte.label, units=", ".join(analyte.unit_symbols))
    return None


# No laboratory value in any unit is beyond 10^±100; past that, unit arithmetic could overflow the
# decimal context (1e999999999 g/dL raised decimal.Overflow), so such a number is refused unconverted.
MAX_MAGNITUDE_EXPONENT = 100


# The longest number text read at all: an honest laboratory value, with sign, decimals and an
# exponent, is far shorter. Bounding the text first bounds the work any number can cost (a digit
# string of 10^6 characters, or an exponent of 10^9, is refused before any arithmetic on it).
MAX_NUMBER_TEXT_LENGTH = 40
# How many characters of a refused value are echoed back: enough to recognise it, never 5 MB.
ECHO_LENGTH = 24


class NumberRefused(ValueError):
    """Number text refused at parse time; the message says why, with the value shortened."""


def number_text_error(text: str) -> str | None:
    """Refuse number text that is over-long, not a finite decimal, or beyond 10^±MAX_MAGNITUDE_EXPONENT.

    Checked on the text before any conversion, so it costs time proportional to at most
    MAX_NUMBER_TEXT_LENGTH characters whatever is sent.
    """
    stripped = text.strip()
    if len(stripped) > MAX_NUMBER_TEXT_LENGTH:
        return input_say("number_too_long", text=echo_value(stripped), limit=MAX_NUMBER_TEXT_LENGTH)
    try:
        number = Decimal(stripped)
    except ArithmeticError:
        return input_say("not_a_number", text=echo_value(stripped))
    if not number.is_finite():
        return input_say("not_a_number", text=echo_value(stripped))
    if not is_computable(number):
        return input_say("beyond_any_range", text=echo_value(stripped), exponent=MAX_MAGNITUDE_EXPONENT)
    return None


def bounded_decimal(text: str) -> Decimal:
    """The Decimal of number text within the bounds of number_text_error; raises NumberRefused."""
    message = number_text_error(text)
    if message:
        raise NumberRefused(message)
    return Decimal(text.strip())


def echo_value(value: object, limit: int = ECHO_LENGTH) -> str:
    """A refused value shortened for echoing in a message or a form: its start, then its length."""
    text = str(value)
    if len(text) <= limit:
        return text
    return input_say("shortened", start=text[:limit], length=f"{len(text):,}")


def is_computable(value: Decimal) -> bool:
    """A finite number small enough to convert between units and compare with bounds."""
    return value.is_finite() and abs(value.adjusted()) <= MAX_MAGNITUDE_EXPONENT


def quantity_error(key: str, value: Decimal, unit: str) -> str | None:
    """Refuse an implausible value, naming the value, the unit and a probable mix-up.

    NaN, infinities and absurd exponents are refused with the same message, never raised on.
    """
    analyte = ANALYTES[key]
    computable = is_computable(value)
    if computable and analyte.is_plausible(value, unit):
        return None
    unit = analyte.unit(unit).symbol
    bounds = analyte.bounds
    low, high = (analyte.unit(unit).from_canonical(b) for b in (bounds.low, bounds.high))
    fields = {"label": analyte.label, "value": value, "unit": unit, "low": _fmt(low), "high": _fmt(high)}
    probable = analyte.probable_units(value, unit) if computable else ()
    if probable:
        return input_say("implausible_probable_unit", units=input_say("units_or").join(probable), **fields)
    return input_say("implausible", **fields)


def canonical_count(quantity) -> Decimal:
    """A blood count in 10^9/L (every accepted unit is the same number, but say so once)."""
    return ANALYTES["wbc"].canonical(quantity.value, quantity.unit)


def number_error(text: str) -> str | None:
    """Refuse text that is not a bounded finite decimal number (form fields arrive as text)."""
    return number_text_error(text)


def ratio_error(value: Decimal) -> str | None:
    """Refuse an FLC ratio that is not finite, not above 0, or above FLC_RATIO_BOUNDS.high."""
    if not value.is_finite():
        return input_say("ratio_not_finite", value=value)
    if FLC_RATIO_BOUNDS.contains(value):
        return None
    if value > FLC_RATIO_BOUNDS.high:
        return input_say("ratio_too_large", high=_fmt(FLC_RATIO_BOUNDS.high), value=value)
    return input_say("ratio_not_positive", value=value)


def age_error(value: Decimal) -> str | None:
    """Refuse an age that is not a whole number of years or is outside AGE_BOUNDS."""
    if not value.is_finite() or value != value.to_integral_value():
        return input_say("age_not_whole", value=value)
    if not AGE_BOUNDS.contains(value):
        return input_say("age_out_of_range", value=value, low=_fmt(AGE_BOUNDS.low), high=_fmt(AGE_BOUNDS.high))
    return None


def parse_iso_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _fmt(value: Decimal) -> str:
    value = value.normalize()
    text = f"{value:f}"
    if "." in text and len(text.split(".")[1]) > 2:
        text = f"{value:.2f}"
    return text
