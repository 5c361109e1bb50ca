"""Coded lab results in: FHIR R4 Observations (LOINC code + UCUM unit) → pathway inputs (no Django).

One table says which LOINC codes feed which pathway input and which UCUM unit codes mean which
unit the pathway accepts. An Observation whose code or unit is not in the table is never guessed:
it is skipped with a reason that names the entry. For each input the newest result wins.

One code feeds two inputs: a quantified M-spike (33358-3) is both SPEP "detected" and the M-protein
concentration, which the published-criteria cross-check reads (spec 2.2, 10). Both come from the
same Observation, the one chosen for SPEP: a concentration is never taken from an older result
than the M-spike it belongs to.

Sources: LOINC codes and names from loinc.org (the "Mass/volume" and "Moles/volume" variants are
separate codes); UCUM unit codes as LOINC's example units use them ("umol/L", "10*9/L",
"10*3/uL", "mL/min/{1.73_m2}"). 10*3/uL is the same quantity as 10*9/L (10³/µL = 10⁹/L).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from workup.ehr import ucum
from workup.pathway.units import ANALYTES, REFERENCE_LIMIT_ANALYTE
from workup.pathway.wording import record_say

LOINC_SYSTEM = "http://loinc.org"
UCUM_SYSTEM = "http://unitsofmeasure.org"
USABLE_STATUSES = frozenset({"final", "amended", "corrected"})
# A search result or a collection of results; a batch, transaction or history Bundle is a request
# log, not a set of results, so the JSON API refuses it.
RESULT_BUNDLE_TYPES = ("searchset", "collection")


@dataclass(frozen=True, slots=True)
class LabCode:
    """A LOINC code that feeds one pathway input."""

    code: str
    key: str
    display: str
    # A quantity input that the same Observation's number also feeds (the M-spike's concentration).
    quantity_key: str | None = None


LAB_CODES: tuple[LabCode, ...] = (
    LabCode("718-7", "hemoglobin", "Hemoglobin [Mass/volume] in Blood"),
    LabCode("59260-0", "hemoglobin", "Hemoglobin [Moles/volume] in Blood"),
    LabCode("6690-2", "wbc", "Leukocytes [#/volume] in Blood by Automated count"),
    LabCode("26464-8", "wbc", "Leukocytes [#/volume] in Blood"),
    LabCode("777-3", "platelets", "Platelets [#/volume] in Blood by Automated count"),
    LabCode("26515-7", "platelets", "Platelets [#/volume] in Blood"),
    LabCode("778-1", "platelets", "Platelets [#/volume] in Blood by Manual count"),
    LabCode("751-8", "anc", "Neutrophils [#/volume] in Blood by Automated count"),
    LabCode("36916-5", "flc_kappa", "Kappa light chains.free [Mass/volume] in Serum"),
    LabCode("33944-0", "flc_lambda", "Lambda light chains.free [Mass/volume] in Serum"),
    LabCode("48378-4", "flc_ratio", "Kappa light chains.free/Lambda light chains.free [Mass Ratio] in Serum"),
    LabCode("17861-6", "calcium", "Calcium [Mass/volume] in Serum or Plasma"),
    LabCode("2000-8", "calcium", "Calcium [Moles/volume] in Serum or Plasma"),
    LabCode("1751-7", "albumin", "Albumin [Mass/volume] in Serum or Plasma"),
    LabCode("61151-7", "albumin", "Albumin [Mass/volume] in Serum or Plasma by Bromocresol green (BCG) dye binding method"),
    LabCode("61152-5", "albumin", "Albumin [Mass/volume] in Serum or Plasma by Bromocresol purple (BCP) dye binding method"),
    LabCode("2862-1", "albumin", "Albumin [Mass/volume] in Serum or Plasma by Electrophoresis"),
    LabCode("2160-0", "creatinine", "Creatinine [Mass/volume] in Serum or Plasma"),
    LabCode("14682-9", "creatinine", "Creatinine [Moles/volume] in Serum or Plasma"),
    LabCode("33914-3", "egfr", "GFR/1.73 sq M.predicted by Creatinine-based formula (MDRD)"),
    LabCode("62238-1", "egfr", "GFR/1.73 sq M.predicted by Creatinine-based formula (CKD-EPI)"),
    LabCode("98979-8", "egfr", "GFR/1.73 sq M.predicted by Creatinine-based formula (CKD-EPI 2021)"),
    LabCode("48642-3", "egfr", "GFR/1.73 sq M.predicted among non-blacks (MDRD)"),
    LabCode("48643-1", "egfr", "GFR/1.73 sq M.predicted among blacks (MDRD)"),
    LabCode("88293-6", "egfr", "GFR/1.73 sq M.predicted among blacks (CKD-EPI)"),
    LabCode("88294-4", "egfr", "GFR/1.73 sq M.predicted among non-blacks (CKD-EPI)"),
    LabCode("1952-1", "beta2_microglobulin", "Beta-2-Microglobulin [Mass/volume] in Serum or Plasma"),
    LabCode("2465-3", "igg", "IgG [Mass/volume] in Serum or Plasma"),
    LabCode("2458-8", "iga", "IgA [Mass/volume] in Serum or Plasma"),
    LabCode("2472-9", "igm", "IgM [Mass/volume] in Serum or Plasma"),
    # Qualitative results: read only from a coded value (SNOMED CT detected / not detected). A
    # narrative report is never interpreted; the input stays unknown and the card says so.
    LabCode("33358-3", "spep", "Protein.monoclonal [Mass/volume] in Serum or Plasma by Electrophoresis",
            quantity_key="mprotein_concentration"),
    LabCode("25700-6", "ife", "Immunofixation [interpretation] for Serum or Plasma"),
    LabCode("49275-1", "ife", "Immunofixation [interpretation] for Serum or Plasma Narrative"),
    LabCode("13440-3", "urine_mprotein", "Immunofixation [interpretation] for Urine"),
)
CODED_KEYS = frozenset({"spep", "ife", "urine_mprotein"})
SNOMED_SYSTEM = "http://snomed.info/sct"
# SNOMED CT qualifier values, as the HL7 "Detected, Not-detected" value set lists them.
DETECTED_CODES = {"260373001": "detected", "260415000": "not_detected"}
LAB_CODE_BY_LOINC: dict[str, LabCode] = {lab.code: lab for lab in LAB_CODES}
LAB_KEYS: tuple[str, ...] = tuple(dict.fromkeys(lab.key for lab in LAB_CODES))  # one prefetch search each
# Every input a reading can fill: the LOINC-coded ones, then those read beside them.
READ_KEYS: tuple[str, ...] = tuple(dict.fromkeys([*LAB_KEYS, *(lab.quantity_key for lab in LAB_CODES if lab.quantity_key)]))

# The free light chain panel: κ and λ as components of one Observation (one collection by construction).
FLC_PANEL = "72581-2"
PANEL_COMPONENT_KEYS = {FLC_PANEL: ("flc_kappa", "flc_lambda")}
# The UCUM code of each pathway unit (its canonical spelling); any other valid UCUM code of the same
# dimension is converted by workup.ehr.ucum.
UCUM_UNITS: dict[str, str] = {code: unit for unit, code in ucum.PATHWAY_UCUM.items()}
# Lab reference-range limits: which end of an input's range feeds which override (SPEC 2.2).
RANGE_LIMITS: dict[str, dict[str, str]] = {}
for _limit, _analyte in REFERENCE_LIMIT_ANALYTE.items():
    if _limit.endswith(("_lln", "_uln")):
        RANGE_LIMITS.setdefault(_analyte, {})["low" if _limit.endswith("_lln") else "high"] = _limit
RATIO_UNITS = frozenset({"{ratio}", "1"})  # the FLC ratio is unitless
# Bounds on a client's number, checked before anything converts it: no lab value needs more digits
# or a larger magnitude, and converting "1e999999999" to an int would take the server minutes.
MAX_VALUE_DIGITS = 20
MAX_VALUE_MAGNITUDE = 12  # |value| < 10^12 and, unless zero, ≥ 10^-12


def codes_for(key: str) -> tuple[str, ...]:
    """The LOINC codes that feed one pathway input, in table order."""
    return tuple(lab.code for lab in LAB_CODES if lab.key == key)


def search_codes_for(key: str) -> tuple[str, ...]:
    """The LOINC codes to search for one input: its own, and a panel that carries it as a component."""
    return codes_for(key) + tuple(panel for panel, keys in PANEL_COMPONENT_KEYS.items() if key in keys)


@dataclass(frozen=True, slots=True)
class LabResult:
    """One usable Observation: the pathway input it feeds, the value as entered, and its origin."""

    key: str
    value: Decimal | str  # a str for a coded qualitative result ("detected", "not_detected")
    unit: str | None  # None for the unitless FLC ratio and coded results
    loinc: str
    effective: str | None
    ref: str
    issued: str | None = None
    specimen: str | None = None
    subject: str | None = None
    low: Decimal | None = None  # the lab's own reference range, in `unit`
    high: Decimal | None = None
    converted_from: str | None = None  # the UCUM code the value was reported in, when converted

    @property
    def when(self) -> dt.datetime | None:
        return parse_effective(self.effective) if self.effective else None

    def as_input(self) -> object:
        if isinstance(self.value, str):
            return self.value
        number = int(self.value) if self.value == self.value.to_integral_value() else float(self.value)
        return number if self.unit is None else {"value": number, "unit": self.unit}


@dataclass(frozen=True, slots=True)
class Skipped:
    """An Observation that was not used, and why (a RECORD_TEXT sentence, said to the reader)."""

    ref: str
    reason: str


@dataclass(frozen=True, slots=True)
class LabReading:
    """The chosen result per pathway input, everything not used, and what the reader must know."""

    results: dict[str, LabResult]
    skipped: tuple[Skipped, ...]
    notes: tuple[str, ...] = ()  # RECORD_TEXT sentences, e.g. calcium used uncorrected; said in the card
    old_only: tuple[str, ...] = ()  # inputs whose only results were older than the look-back window
    set_aside: tuple[Skipped, ...] = ()  # part of a used Observation that was not read, and why

    def inputs(self) -> dict[str, object]:
        """The chosen results as JSON API inputs, with the lab's own reference ranges as limit overrides."""
        inputs: dict[str, object] = {key: result.as_input() for key, result in self.results.items()}
        limits = range_limits(self.results)
        if limits:
            inputs["reference_limits"] = limits
        return inputs


def range_limits(results: dict[str, LabResult]) -> dict[str, object]:
    """Each chosen result's reference range as the matching limit override, in the result's unit."""
    limits: dict[str, object] = {}
    for key, result in results.items():
        ends = RANGE_LIMITS.get(key, {})
        for end in ("low", "high"):
            value = getattr(result, end)
            if end in ends and value is not None and result.unit:
                limits[ends[end]] = {"value": _number(value), "unit": result.unit}
    return limits


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass(frozen=True, slots=True)
class Selection:
    """How results from a patient's record are chosen (CDS Hooks, SMART launch).

    Only results about `patient_id`, dated, not after `evaluated_at`, and no older than the
    look-back window of their input are used; among the rest the newest wins (a later `issued`
    breaks a tie, so a corrected result beats the original).
    """

    patient_id: str
    evaluated_at: dt.datetime
    lookback_days: int = 90
    lookback_days_by_key: dict[str, int] | None = None

    def window_start(self, key: str) -> dt.datetime:
        days = (self.lookback_days_by_key or {}).get(key, self.lookback_days)
        return self.evaluated_at - dt.timedelta(days=days)


SAME_COLLECTION = dt.timedelta(hours=24)  # κ and λ: same specimen, or drawn within a day


def labs_from_observations(observations: list[tuple[str, Any]], selection: Selection | None = None) -> LabReading:
    """Map (reference, Observation) pairs to pathway inputs; the newest usable result per input wins.

    Without a `selection` (the JSON API, where the caller chose the results) every usable
    result counts; with one, the record rules of `Selection` apply and results that must be
    combined are paired (κ with λ, calcium with albumin).
    """
    candidates: dict[str, list[tuple[tuple, LabResult]]] = {}
    beside: dict[LabResult, tuple[LabResult | None, str | None]] = {}
    skipped: list[Skipped] = []
    old: set[str] = set()
    for index, (ref, resource) in enumerate(expand_panels(observations)):
        result, reason = observation_to_result(resource, ref)
        if result is None:
            skipped.append(Skipped(ref, reason))
            continue
        if selection is not None:
            reason = _outside_selection(result, selection)
            if reason == OLD:
                old.add(result.key)
                reason = record_say("older_than_window", display=LAB_CODE_BY_LOINC[result.loinc].display,
                                    effective=result.effective)
            if reason:
                skipped.append(Skipped(ref, reason))
                continue
        rank = (_effective_sort_key(result.effective), _effective_sort_key(result.issued), index)
        candidates.setdefault(result.key, []).append((rank, result))
        beside[result] = quantity_beside(resource, result)
    ranked = {key: [r for _, r in sorted(found, key=lambda item: item[0], reverse=True)]
              for key, found in candidates.items()}
    notes: list[str] = []
    if selection is not None:
        _pair_light_chains(ranked, notes)
        _pair_calcium_albumin(ranked, notes)
    results = {key: ranked[key][0] for key in LAB_KEYS if ranked.get(key)}
    set_aside: list[Skipped] = []
    for chosen in list(results.values()):  # what a chosen result also carries, from that result only
        quantity, reason = beside[chosen]
        if quantity is not None:
            results[quantity.key] = quantity
        elif reason:
            set_aside.append(Skipped(chosen.ref, reason))
    results = {key: results[key] for key in READ_KEYS if key in results}
    notes += [record_say("range_used", display=LAB_CODE_BY_LOINC[r.loinc].display, range=_range_text(r))
              for r in results.values() if r.key in RANGE_LIMITS and (r.low is not None or r.high is not None)]
    notes += [record_say("unit_converted", display=LAB_CODE_BY_LOINC[r.loinc].display, code=_text(r.converted_from),
                         value=r.value, unit=r.unit) for r in results.values() if r.converted_from]
    old_only = tuple(key for key in LAB_KEYS if key in old and key not in results)
    return LabReading(results, tuple(skipped), tuple(notes), old_only, tuple(set_aside))


OLD = "old"


def _range_text(result: LabResult) -> str:
    low = f"{result.low}" if result.low is not None else "…"
    high = f"{result.high}" if result.high is not None else "…"
    return f"{low}–{high} {result.unit}"


def expand_panels(observations: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """A κ/λ panel (72581-2) stands for its components, each read as an Observation of its own with the
    panel's status, subject, dates and specimen."""
    expanded: list[tuple[str, Any]] = []
    for ref, resource in observations:
        lab = _panel_code(resource.get("code")) if isinstance(resource, dict) else None
        components = resource.get("component") if lab else None
        if not isinstance(components, list):
            expanded.append((ref, resource))
            continue
        shared = {k: v for k, v in resource.items() if k not in ("code", "component", "valueQuantity", "id")}
        for index, component in enumerate(components):
            if isinstance(component, dict):
                part = {k: v for k, v in component.items() if k in ("code", "valueQuantity", "dataAbsentReason",
                                                                        "referenceRange", "valueCodeableConcept")}
                expanded.append((f"{ref}.component[{index}]", {**shared, **part}))
    return expanded


def _panel_code(code: Any) -> str | None:
    codings = code.get("coding") if isinstance(code, dict) else None
    for coding in codings if isinstance(codings, list) else []:
        code = coding.get("code") if isinstance(coding, dict) else None
        if isinstance(code, str) and coding.get("system") == LOINC_SYSTEM and code in PANEL_COMPONENT_KEYS:
            return code
    return None


def _outside_selection(result: LabResult, selection: Selection) -> str | None:
    """Why a result from the record is not used, OLD for "only too old", or None."""
    expected = f"Patient/{selection.patient_id}"
    if result.subject != expected and not (result.subject or "").endswith("/" + expected):
        return record_say("another_subject")
    when = result.when
    if when is None:
        return record_say("undated")
    if when > selection.evaluated_at + dt.timedelta(days=1):
        return record_say("dated_after_evaluation", effective=result.effective)
    return OLD if when < selection.window_start(result.key) else None


def _pair_light_chains(ranked: dict[str, list[LabResult]], notes: list[str]) -> None:
    """κ and λ must come from one collection; each is read in its own unit (the engine converts)."""
    kappas, lambdas = ranked.get("flc_kappa", []), ranked.get("flc_lambda", [])
    if not kappas or not lambdas:
        return
    pair = next(((k, lam) for k in kappas for lam in lambdas if _same_collection(k, lam)), None)
    if pair is None:
        notes.append(record_say("light_chains_apart", kappa=kappas[0].effective, lam=lambdas[0].effective))
        ranked["flc_kappa"], ranked["flc_lambda"] = [], []
        return
    kappa, lam = pair  # each keeps its own unit: the engine converts both to mg/L (spec 2.2)
    ranked["flc_kappa"], ranked["flc_lambda"] = [kappa], [lam]


def _same_collection(first: LabResult, second: LabResult) -> bool:
    """The same specimen, or drawn within SAME_COLLECTION (two specimen tubes of one draw are one collection)."""
    if first.specimen and second.specimen and first.specimen == second.specimen:
        return True
    a, b = first.when, second.when
    return a is not None and b is not None and abs(a - b) <= SAME_COLLECTION


def _pair_calcium_albumin(ranked: dict[str, list[LabResult]], notes: list[str]) -> None:
    """Calcium is corrected only with an albumin from the same day; otherwise it is used uncorrected."""
    calciums, albumins = ranked.get("calcium", []), ranked.get("albumin", [])
    if not calciums or not albumins:
        return
    day = calciums[0].when.date() if calciums[0].when else None
    same_day = [albumin for albumin in albumins if albumin.when and albumin.when.date() == day]
    if same_day:
        ranked["albumin"] = same_day[:1]
        return
    notes.append(record_say("no_same_day_albumin", effective=calciums[0].effective))
    ranked["albumin"] = []


def bundle_entries(bundle: Any, prefix: str) -> Iterator[tuple[str, Any]]:
    """(reference, resource) for each entry of a Bundle; the reference names the entry."""
    entries = bundle.get("entry", []) if isinstance(bundle, dict) else []
    if not isinstance(entries, list):
        return
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        yield f"{prefix}.entry[{index}]", resource


@dataclass(frozen=True, slots=True)
class BundleParts:
    """A searchset's entries: the matches, the server's messages, and `_include`d resources."""

    matches: list[tuple[str, Any]]
    outcomes: list[tuple[str, str]]  # (reference, message)
    included: list[str]  # references of entries that were only included (e.g. the Patient)


def bundle_parts(bundle: Any, prefix: str) -> BundleParts:
    """Split a Bundle by `entry.search.mode`; an OperationOutcome counts as a message wherever it is."""
    parts = BundleParts([], [], [])
    entries = bundle.get("entry", []) if isinstance(bundle, dict) else []
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        ref = f"{prefix}.entry[{index}]"
        resource = entry.get("resource") if isinstance(entry, dict) else None
        search = entry.get("search") if isinstance(entry, dict) else None
        mode = search.get("mode") if isinstance(search, dict) else None
        if is_outcome(resource):
            parts.outcomes.append((ref, outcome_text(resource)))
        elif mode == "include":
            parts.included.append(ref)
        else:
            parts.matches.append((ref, resource))
    return parts


def is_outcome(resource: Any) -> bool:
    return isinstance(resource, dict) and resource.get("resourceType") == "OperationOutcome"


def outcome_text(outcome: dict) -> str:
    """The messages of an OperationOutcome's issues (diagnostics or details.text), shortened."""
    issues = outcome.get("issue")
    texts = []
    for issue in issues if isinstance(issues, list) else []:
        if not isinstance(issue, dict):
            continue
        details = issue.get("details")
        text = issue.get("diagnostics") or (details.get("text") if isinstance(details, dict) else None)
        severity = issue.get("severity") if isinstance(issue.get("severity"), str) else "issue"
        if isinstance(text, str) and text:
            texts.append(f"{_text(severity)}: {text[:200]}")
    return "; ".join(texts[:5]) or record_say("outcome_without_message")


def demographics_from_patient(patient: Any, selection: Selection) -> tuple[dict[str, object], list[str]]:
    """Age at the evaluation date (from a full birthDate) and sex (from gender), with what was read.

    A partial birth date gives no age, and gender other than male or female gives no sex: the
    pathway then treats them as unknown rather than guessing.
    """
    if patient is None:
        return {}, []
    if not isinstance(patient, dict) or patient.get("resourceType") != "Patient":
        return {}, [record_say("patient_not_a_patient")]
    if patient.get("id") != selection.patient_id:
        return {}, [record_say("patient_another")]
    inputs: dict[str, object] = {}
    lines: list[str] = []
    if patient.get("deceasedBoolean") is True or isinstance(patient.get("deceasedDateTime"), str):
        lines.append(record_say("patient_deceased"))
    birth = patient.get("birthDate")
    born = _full_date(birth)
    on = selection.evaluated_at.date()
    if born is not None and born <= on:
        inputs["age"] = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        lines.append(record_say("age_from_birth_date", age=inputs["age"], date=on.isoformat()))
    elif birth is not None:
        lines.append(record_say("birth_date_incomplete"))
    gender = patient.get("gender")
    if gender in ("male", "female"):
        inputs["sex"] = gender
        lines.append(record_say("sex_from_gender", sex=gender))
    elif gender is not None:
        lines.append(record_say("gender_not_male_or_female"))
    return inputs, lines


def _full_date(raw: Any) -> dt.date | None:
    if not isinstance(raw, str) or len(raw) != 10:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


Usable = tuple[LabResult, None] | tuple[None, str]  # exactly one of the two: a result, or why not


def observation_to_result(resource: Any, ref: str) -> Usable:
    """One Observation → a LabResult, or None and the reason it cannot be used."""
    if not isinstance(resource, dict) or resource.get("resourceType") != "Observation":
        return None, record_say("not_an_observation")
    status = resource.get("status")
    if not isinstance(status, str) or status not in USABLE_STATUSES:
        return None, record_say("status_not_usable", status=_text(status))
    lab = _lab_code(resource.get("code"))
    if lab is None:
        return None, record_say("no_pathway_loinc")
    if lab.key in CODED_KEYS:
        return _coded_result(lab, resource, ref)
    quantity = resource.get("valueQuantity")
    absent = _absent_reason(resource.get("dataAbsentReason"))
    if not isinstance(quantity, dict) and absent:
        return None, record_say("data_absent", display=lab.display, reason=absent)
    if not isinstance(quantity, dict):
        return None, record_say("no_value_quantity", display=lab.display)
    if "comparator" in quantity:
        return None, record_say("reported_as_bound", display=lab.display, comparator=_text(quantity.get("comparator")))
    value, problem = bounded_decimal(quantity.get("value"))
    if problem:
        return None, record_say(problem, display=lab.display, digits=MAX_VALUE_DIGITS, magnitude=MAX_VALUE_MAGNITUDE)
    unit, reason = _unit(lab, quantity)
    if reason:
        return None, reason
    if unit is None:  # the unitless FLC ratio
        return LabResult(lab.key, value, None, lab.code, _effective(resource), ref, *_provenance(resource)), None
    unit_name, factor = unit
    low, high = _reference_range(resource, lab, quantity)
    converted = quantity.get("code") if factor != 1 else None
    return LabResult(lab.key, _scaled(value, factor), unit_name, lab.code, _effective(resource), ref,
                     *_provenance(resource), low=low, high=high, converted_from=converted), None


def _scaled(value: Decimal, factor: Decimal) -> Decimal:
    scaled = value * factor
    return scaled.normalize() if scaled == scaled.to_integral_value() else scaled


def _absent_reason(concept: Any) -> str | None:
    """The lab's words for why there is no value: its text, else a coding's display or code."""
    if not isinstance(concept, dict):
        return None
    if isinstance(concept.get("text"), str) and concept["text"]:
        return _text(concept["text"])
    codings = concept.get("coding") if isinstance(concept.get("coding"), list) else []
    for coding in codings:
        if isinstance(coding, dict):
            word = coding.get("display") or coding.get("code")
            if isinstance(word, str) and word:
                return _text(word)
    return None


def _reference_range(resource: dict, lab: LabCode, quantity: dict) -> tuple[Decimal | None, Decimal | None]:
    """The lab's own normal range (the first referenceRange without a non-normal type), its low and
    high each converted by its own UCUM code (or the value's, when the range gives none). A range for
    a population (`appliesTo`, `age`) is not used: which one fits this patient is not for us to guess."""
    ranges = resource.get("referenceRange")
    for item in ranges if isinstance(ranges, list) else []:
        if not isinstance(item, dict) or not _normal_range(item.get("type")) or "appliesTo" in item or "age" in item:
            continue
        target = _unit(lab, quantity)[0]
        ends = []
        for end in ("low", "high"):
            bound = item.get(end)
            value, problem = bounded_decimal(bound.get("value")) if isinstance(bound, dict) else (None, "absent")
            code = bound.get("code", quantity.get("code")) if isinstance(bound, dict) else None
            system = bound.get("system", quantity.get("system")) if isinstance(bound, dict) else None
            conversion = (ucum.conversion(code, (target[0],)) if target and value is not None and not problem
                          and system == UCUM_SYSTEM else None)
            ends.append(_scaled(value, conversion[1]) if conversion else None)
        return ends[0], ends[1]
    return None, None


def _normal_range(kind: Any) -> bool:
    """A range with no type, or typed "normal" (HL7 referencerange-meaning)."""
    if kind is None:
        return True
    codings = kind.get("coding") if isinstance(kind, dict) else None
    return any(isinstance(c, dict) and c.get("code") == "normal" for c in codings if isinstance(codings, list)) \
        if isinstance(codings, list) else False


def _coded_result(lab: LabCode, resource: dict, ref: str) -> Usable:
    """SPEP, IFE, urine M-protein: a SNOMED CT detected / not-detected code, or a quantified M-spike."""
    if lab.key == "spep" and isinstance(resource.get("valueQuantity"), dict):
        quantity = resource["valueQuantity"]
        value, problem = bounded_decimal(quantity.get("value"))
        if problem or "comparator" in quantity or value is None or value <= 0:
            return None, record_say("spep_quantity_not_positive", display=lab.display)
        return LabResult(lab.key, "detected", None, lab.code, _effective(resource), ref, *_provenance(resource)), None
    concept = resource.get("valueCodeableConcept")
    codings = concept.get("coding") if isinstance(concept, dict) else None
    for coding in codings if isinstance(codings, list) else []:
        if (isinstance(coding, dict) and coding.get("system") == SNOMED_SYSTEM and isinstance(coding.get("code"), str)
                and coding["code"] in DETECTED_CODES):
            value = DETECTED_CODES[coding["code"]]
            return LabResult(lab.key, value, None, lab.code, _effective(resource), ref, *_provenance(resource)), None
    return None, record_say("no_coded_result", display=lab.display)


def quantity_beside(resource: Any, result: LabResult) -> tuple[LabResult | None, str | None]:
    """The concentration a quantified M-spike also is, from the same Observation (its value and UCUM
    unit); (None, reason) when that unit is not one the input accepts; (None, None) when the result
    carries no number (a coded result) or its code feeds nothing else."""
    lab = LAB_CODE_BY_LOINC[result.loinc]
    quantity = resource.get("valueQuantity") if isinstance(resource, dict) else None
    if lab.quantity_key is None or not isinstance(quantity, dict):
        return None, None
    value, problem = bounded_decimal(quantity.get("value"))
    if problem or value is None:  # _coded_result refuses these before: nothing to read
        return None, None
    unit, unit_problem = _unit(LabCode(lab.code, lab.quantity_key, lab.display), quantity)
    if unit_problem or unit is None:
        accepted = " or ".join(ANALYTES[lab.quantity_key].unit_symbols)
        return None, record_say("quantity_unit_set_aside", display=lab.display, units=accepted)
    return LabResult(lab.quantity_key, _scaled(value, unit[1]), unit[0], lab.code, result.effective, result.ref,
                     result.issued, result.specimen, result.subject), None


def _provenance(resource: dict) -> tuple[str | None, str | None, str | None]:
    """(issued, specimen reference, subject reference) as strings, when present and well formed."""
    issued = resource.get("issued")
    issued = issued if isinstance(issued, str) and parse_effective(issued) else None
    specimen, subject = resource.get("specimen"), resource.get("subject")
    specimen_ref = specimen.get("reference") if isinstance(specimen, dict) else None
    subject_ref = subject.get("reference") if isinstance(subject, dict) else None
    return (issued, specimen_ref if isinstance(specimen_ref, str) else None,
            subject_ref if isinstance(subject_ref, str) else None)


def _lab_code(code: Any) -> LabCode | None:
    codings = code.get("coding") if isinstance(code, dict) else None
    if not isinstance(codings, list):
        return None
    for coding in codings:
        if isinstance(coding, dict) and coding.get("system") == LOINC_SYSTEM:
            lab = LAB_CODE_BY_LOINC.get(coding.get("code")) if isinstance(coding.get("code"), str) else None
            if lab:
                return lab
    return None


def _unit(lab: LabCode, quantity: dict) -> tuple[tuple[str, Decimal] | None, str | None]:
    """(pathway unit, factor) for this quantity, read from its UCUM code only (never from free text)
    and converted when it is another valid UCUM spelling or scale of an accepted unit (workup.ehr.ucum)."""
    code, system = quantity.get("code"), quantity.get("system")
    if lab.key == "flc_ratio":
        if (code is None and system is None) or (
            system == UCUM_SYSTEM and isinstance(code, str) and code in RATIO_UNITS
        ):
            return None, None
        return None, record_say("not_a_ratio_unit", display=lab.display, unit=_text(code))
    if system != UCUM_SYSTEM or not isinstance(code, str):
        return None, record_say("no_ucum_unit", display=lab.display)
    unit = ucum.conversion(code, ANALYTES[lab.key].unit_symbols)
    if unit is None:
        return None, record_say("unit_not_accepted", display=lab.display, unit=_text(code))
    return unit, None


def _effective(resource: dict) -> str | None:
    value = resource.get("effectiveDateTime") or resource.get("effectiveInstant")
    if value is None and isinstance(resource.get("effectivePeriod"), dict):
        value = resource["effectivePeriod"].get("start")
    return value if isinstance(value, str) and parse_effective(value) else None


def parse_effective(text: str) -> dt.datetime | None:
    """FHIR dateTime (YYYY, YYYY-MM, YYYY-MM-DD or a full timestamp) as an aware UTC datetime."""
    for length, fmt in ((4, "%Y"), (7, "%Y-%m"), (10, "%Y-%m-%d")):
        if len(text) == length:
            try:
                return dt.datetime.strptime(text, fmt).replace(tzinfo=dt.UTC)
            except ValueError:
                return None
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _effective_sort_key(effective: str | None) -> tuple:
    parsed = parse_effective(effective) if effective else None
    return (1, parsed) if parsed else (0, dt.datetime.min.replace(tzinfo=dt.UTC))


def bounded_decimal(raw: Any) -> tuple[Decimal | None, str | None]:
    """A JSON number as a Decimal, or None and the RECORD_TEXT key of why it is refused (not a
    number, not finite, or beyond MAX_VALUE_DIGITS / MAX_VALUE_MAGNITUDE).

    Only the digit count and the exponent are read, so even `1e999999999` is refused at once.
    """
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        return None, "value_not_a_number"
    if isinstance(raw, int) and raw.bit_length() > 64:  # ≥ 2^64, so beyond the magnitude bound too
        return None, "value_out_of_range"
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(repr(raw) if isinstance(raw, float) else raw)
    except (InvalidOperation, ValueError):
        return None, "value_not_a_number"
    if not value.is_finite():
        return None, "value_not_finite"
    if value and (len(value.as_tuple().digits) > MAX_VALUE_DIGITS
                  or not -MAX_VALUE_MAGNITUDE <= value.adjusted() < MAX_VALUE_MAGNITUDE):
        return None, "value_out_of_range"
    return value, None


def _text(raw: Any) -> str:
    """A client-supplied value, shortened, for use inside a message."""
    text = str(raw)
    return text if len(text) <= 40 else text[:39] + "…"
