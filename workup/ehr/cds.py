"""CDS Hooks 2.0 service `marrow-workup` on `patient-view`: discovery, prefetch → pathway, cards.

The service reads the pathway's labs from prefetched FHIR R4 Observation searches (one prefetch
key per pathway input, by LOINC code; see `workup.fhir` for the code and unit table), evaluates
them with the same engine as the screen and the JSON API, and answers with one card.

Indicator by disposition (CDS Hooks orders info < warning < critical by urgency):

| disposition                  | indicator | why                                                     |
|------------------------------|-----------|---------------------------------------------------------|
| `PROCEED_TO_BIOPSY` + CRAB   | critical  | calcium or creatinine at the IMWG CRAB (end-organ) level |
| `PROCEED_TO_BIOPSY`          | warning   | a biopsy trigger is met: act, but not an emergency      |
| `BIOPSY_STRONGLY_CONSIDERED` | warning   | no trigger, yet deferral criteria are not met either    |
| `COMPLETE_WORKUP`            | info      | labs missing; nothing abnormal found so far             |
| `DEFERRAL_REASONABLE`        | info      | deferral with repeat labs is reasonable                 |

`critical` is kept for end-organ damage at the IMWG CRAB level (BX-CALCIUM or BX-RENAL carrying the
"meets IMWG CRAB level" label): that needs attention whatever the marrow finding. Every other
trigger is `warning`: the pathway is "not for time-critical decisions" (SPEC §1), and a
`patient-view` card shows on every chart opening, so overusing `critical` would train people to
ignore it.

The service never queries the FHIR server itself: without any of its prefetch keys it answers
412 with an OperationOutcome. A key that is present but null means "no result" (an unknown); a
key that is absent is listed in the card as not supplied.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime

from workup.ehr import fhir
from workup.models import CardFeedback
from workup.pathway.engine import PATHWAY_INFO
from workup.pathway.inputs import INPUTS_BY_KEY, Case
from workup.pathway.parsing import CaseInvalid, case_from_json
from workup.pathway.result import Assessment, Finding, MatchedInput
from workup.pathway.wording import CARD_HEADLINES, say
from workup.saved import drafts
from workup.services import workup_evaluate

SERVICE_ID = "marrow-workup"
HOOK = "patient-view"
PATHWAY_TITLE = "Marrow heterogeneity pathway"
SUMMARY_MAX = 139  # the specification: "<140-character summary"
OVERRIDE_REASON_SYSTEM = "urn:marrow-workup:cds:override-reason"
EXTENSION_KEY = "org.marrow-workup.assessment"
SCOPE_NOTE = say("scope_note")

INDICATOR_BY_DISPOSITION = {
    "PROCEED_TO_BIOPSY": "warning",
    "BIOPSY_STRONGLY_CONSIDERED": "warning",
    "COMPLETE_WORKUP": "info",
    "DEFERRAL_REASONABLE": "info",
}
HEADLINE_BY_DISPOSITION = CARD_HEADLINES  # pathway content: covered by the rule-content hash
OVERRIDE_REASONS = (
    ("not-applicable", "No diffuse marrow finding on MRI: pathway does not apply"),
    ("etiology-known", "Etiology of the marrow finding is already known"),
    ("already-evaluated", "Already biopsied or under haematology care"),
    ("clinical-judgement", "Clinical judgement differs"),
)


def prefetch_template(key: str) -> str:
    """The newest Observation for one pathway input, by any of its LOINC codes."""
    codes = ",".join(f"{fhir.LOINC_SYSTEM}|{code}" for code in fhir.codes_for(key))
    return f"Observation?patient={{{{context.patientId}}}}&code={codes}&_sort=-date&_count=1"


PREFETCH: dict[str, str] = {key: prefetch_template(key) for key in fhir.LAB_KEYS}


def cds_discovery() -> dict[str, Any]:
    """The discovery document: one patient-view service with one prefetch key per lab input."""
    return {
        "services": [
            {
                "hook": HOOK,
                "id": SERVICE_ID,
                "title": "Marrow workup: diffuse marrow heterogeneity on lumbar MRI",
                "description": (
                    "Reads the patient's latest pathway labs and says whether they meet a bone "
                    "marrow biopsy trigger, what is missing, and what is unknown. " + SCOPE_NOTE
                ),
                "prefetch": dict(PREFETCH),
            }
        ]
    }


class CdsError(Exception):
    """A request the service cannot answer; the view sends it as an OperationOutcome."""

    status = 400
    issue_code = "invalid"


class HookRequestInvalid(CdsError):
    """The request is not a CDS Hooks call this service can answer."""


class PrefetchMissing(CdsError):
    """None of the service's prefetch keys were sent, and the service does not query FHIR itself."""

    status = 412
    issue_code = "required"


@dataclass(frozen=True, slots=True)
class LabsFromPrefetch:
    case: Case
    inputs: dict[str, object]
    reading: fhir.LabReading
    refused: dict[str, list[str]]
    not_supplied: tuple[str, ...]


def cds_hook_respond(*, body: Any, base_url: str) -> dict[str, Any]:
    """Answer one patient-view call: read labs, evaluate, store a draft, return one card."""
    _check_hook_request(body)
    labs = labs_from_prefetch(prefetch=body.get("prefetch"))
    assessment = workup_evaluate(case=labs.case)
    token = drafts.draft_create(case_data=labs.inputs)
    return {"cards": [card_build(assessment=assessment, labs=labs, base_url=base_url, draft_token=token)]}


def _check_hook_request(body: Any) -> None:
    if not isinstance(body, dict):
        raise HookRequestInvalid("The body must be a JSON object (a CDS Hooks request).")
    if body.get("hook") != HOOK:
        raise HookRequestInvalid(f"This service answers the “{HOOK}” hook only.")
    if not isinstance(body.get("hookInstance"), str) or not body["hookInstance"]:
        raise HookRequestInvalid("hookInstance is required.")
    if not isinstance(body.get("context"), dict):
        raise HookRequestInvalid("context is required and must be an object.")


def labs_from_prefetch(*, prefetch: Any) -> LabsFromPrefetch:
    """Prefetched searches → the newest usable result per input; implausible values are set aside."""
    if not isinstance(prefetch, dict) or not any(key in prefetch for key in PREFETCH):
        raise PrefetchMissing(
            "No prefetch data for this service's lab searches (see GET /cds-services). "
            "This service does not query the FHIR server itself."
        )
    observations: list[tuple[str, Any]] = []
    for key in PREFETCH:
        value = prefetch.get(key)
        if isinstance(value, dict) and value.get("resourceType") == "Bundle":
            observations.extend(fhir.bundle_entries(value, f"prefetch.{key}"))
        elif value is not None:
            observations.append((f"prefetch.{key}", value))
    reading = fhir.labs_from_observations(observations)
    case, inputs, refused = _validated(reading.inputs())
    not_supplied = tuple(key for key in PREFETCH if key not in prefetch)
    return LabsFromPrefetch(case, inputs, reading, refused, not_supplied)


def _validated(inputs: dict[str, object]) -> tuple[Case, dict[str, object], dict[str, list[str]]]:
    """Validate as the JSON API does; drop each refused input (with its messages) and retry."""
    inputs, refused = dict(inputs), {}
    for _ in range(len(inputs) + 1):  # each failed round removes at least one input
        try:
            return case_from_json(data=inputs), inputs, refused
        except CaseInvalid as invalid:
            for key, messages in invalid.errors.items():
                refused[key] = messages
                inputs.pop(key, None)
    return case_from_json(data={}), {}, refused


# --- The card -------------------------------------------------------------------------------------

CRAB_LABEL = "meets IMWG CRAB level"


def card_indicator(assessment: Assessment) -> str:
    """`critical` for CRAB-level end-organ damage, otherwise by disposition (module docstring)."""
    if any(CRAB_LABEL in trigger.labels for trigger in assessment.triggers):
        return "critical"
    return INDICATOR_BY_DISPOSITION[assessment.disposition]


def card_build(*, assessment: Assessment, labs: LabsFromPrefetch, base_url: str, draft_token: str) -> dict:
    """One card per the specification; optional fields appear only when they have content."""
    card = {
        "uuid": str(uuid.uuid4()),
        "summary": card_summary(assessment),
        "indicator": card_indicator(assessment),
        "detail": card_detail(assessment, labs),
        "source": {
            "label": f"{PATHWAY_TITLE} v{PATHWAY_INFO.version}",
            "url": f"{base_url}/api/v1/pathway",
        },
        "overrideReasons": [
            {"system": OVERRIDE_REASON_SYSTEM, "code": code, "display": display}
            for code, display in OVERRIDE_REASONS
        ],
        "links": [
            {
                "label": "Open the marrow workup prefilled with these labs",
                "url": f"{base_url}/?draft={draft_token}",
                "type": "absolute",
            }
        ],
        "extension": {
            EXTENSION_KEY: {
                "disposition": assessment.disposition,
                "ruleIds": sorted(assessment.fired_ids),
                "activePitfalls": sorted(assessment.active_pitfall_ids),
                "pathway": f"{PATHWAY_INFO.id} {PATHWAY_INFO.version} {PATHWAY_INFO.hash}",
            }
        },
    }
    return prune_empty(card)


def card_summary(assessment: Assessment) -> str:
    """Headline by disposition, with the trigger IDs when they fit under 140 characters."""
    headline = HEADLINE_BY_DISPOSITION[assessment.disposition]
    ids = ", ".join(f.id for f in assessment.triggers)
    with_ids = f"{headline} ({ids})" if ids else headline
    text = with_ids if len(with_ids) <= SUMMARY_MAX else headline
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"


def card_detail(assessment: Assessment, labs: LabsFromPrefetch) -> str:
    """GitHub-flavoured markdown: the result, its basis, the labs read, the unknowns, what was not used."""
    sections = [
        f"**{assessment.disposition.replace('_', ' ').capitalize()}.** {md_escape(assessment.summary)}",
        f"_{SCOPE_NOTE}_",
        _section("Basis", _basis_lines(assessment)),
        _section("Lab values read from the record", _lab_lines(labs)),
        _section("Unknowns (could change the result)", _unknown_lines(assessment)),
        _section("Not used", _not_used_lines(labs)),
        f"Pathway `{PATHWAY_INFO.id}` {PATHWAY_INFO.version} (source {PATHWAY_INFO.source_date}), "
        f"rules `{PATHWAY_INFO.hash[:19]}…`",
    ]
    return "\n\n".join(section for section in sections if section)


def _section(title: str, lines: list[str]) -> str:
    return f"**{title}**\n\n" + "\n".join(f"- {line}" for line in lines) if lines else ""


def _basis_lines(assessment: Assessment) -> list[str]:
    groups: tuple[tuple[Finding, ...], ...] = (
        assessment.triggers, assessment.deferral_considerations, assessment.imaging, assessment.follow_up,
    )
    lines = []
    for finding in (f for group in groups for f in group):
        matched = "; ".join(_describe_match(m) for m in finding.matched)
        lines.append(f"`{finding.id}` {md_escape(finding.title)}" + (f": {md_escape(matched)}" if matched else ""))
    triggered = {m.key for f in assessment.triggers for m in f.matched}
    lines += [
        f"Abnormal, not a trigger: {md_escape(_value_text(line.label, line.entered_value, line.entered_unit, line.canonical_value))}"
        f" (reference {md_escape(line.reference)})"
        for line in assessment.labs
        if line.status == "abnormal" and line.key not in triggered
    ]
    return lines or ["No biopsy trigger, deferral consideration or imaging option fired on these values."]


def _value_text(label: str, entered: object, unit: str, canonical: object) -> str:
    """“label value unit”; a derived value (e.g. the FLC ratio from κ and λ) has no entry, so show the result."""
    value = entered if entered is not None else canonical
    return " ".join(str(part) for part in (label, value, unit) if part not in (None, ""))


def _describe_match(match: MatchedInput) -> str:
    text = _value_text(match.label, match.entered_value, match.entered_unit, match.canonical_value)
    if match.entered_value is not None and match.canonical_unit and match.canonical_unit != match.entered_unit:
        text += f" (= {match.canonical_value} {match.canonical_unit})"
    if match.note:
        text += f" ({match.note})"
    if match.comparison and match.threshold_value is not None:
        text += f" {match.comparison} {match.threshold_value} {match.threshold_unit or ''}".rstrip()
        text += f" ({match.threshold_origin or 'default'} limit)"
    return text


def _lab_lines(labs: LabsFromPrefetch) -> list[str]:
    lines = []
    for key, result in labs.reading.results.items():
        if key not in labs.inputs:
            continue
        unit = f" {md_escape(result.unit)}" if result.unit else ""
        when = f", {md_escape(result.effective)}" if result.effective else ", undated"
        lines.append(f"{md_escape(INPUTS_BY_KEY[key].label)}: {result.value}{unit} (LOINC {result.loinc}{when})")
    return lines


def _unknown_lines(assessment: Assessment) -> list[str]:
    return [
        f"{md_escape(u.label)}" + (f" ({md_escape(u.note)})" if u.note else "")
        + (f": could change {', '.join(u.could_change)}" if u.could_change else "")
        for u in assessment.unknowns
    ]


def _not_used_lines(labs: LabsFromPrefetch) -> list[str]:
    lines = [f"`{item.ref}`: {md_escape(item.reason)}" for item in labs.reading.skipped]
    for key, messages in labs.refused.items():
        result = labs.reading.results.get(key)
        where = f"`{result.ref}`" if result else md_escape(key)
        lines.append(f"{where}: {md_escape(' '.join(messages))}")
    if labs.not_supplied:
        lines.append("Not supplied by the EHR: " + ", ".join(f"`{key}`" for key in labs.not_supplied))
    return lines


_MD_SPECIAL = set("\\`*_[]<>#|~")  # enough to stop emphasis, links, HTML and tables


def md_escape(text: object) -> str:
    """Escape markdown syntax in text that may come from the client."""
    return "".join(f"\\{char}" if char in _MD_SPECIAL else char for char in str(text))


def prune_empty(value: Any) -> Any:
    """Drop None, empty strings, lists and objects: optional fields are omitted, never empty."""
    if isinstance(value, dict):
        pruned = {k: prune_empty(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (prune_empty(item) for item in value) if v not in (None, "", [], {})]
    return value


def operation_outcome(*, code: str, diagnostics: str) -> dict[str, Any]:
    """A FHIR R4 OperationOutcome with one error issue."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": code, "diagnostics": diagnostics}],
    }


# --- Feedback -------------------------------------------------------------------------------------


class FeedbackInvalid(CdsError):
    """The feedback body does not follow the specification; the message says where."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))


def card_feedback_record(*, body: Any) -> int:
    """Store every feedback entry (card uuid, outcome, coded override reason) or none of them."""
    entries = body.get("feedback") if isinstance(body, dict) else None
    if not isinstance(entries, list) or not entries:
        raise FeedbackInvalid(["The body must be an object with a non-empty “feedback” array."])
    rows, messages = [], []
    for index, entry in enumerate(entries):
        row, problems = _feedback_row(entry)
        messages += [f"feedback[{index}]: {problem}" for problem in problems]
        if row:
            rows.append(row)
    if messages:
        raise FeedbackInvalid(messages)
    with transaction.atomic():
        CardFeedback.objects.bulk_create(rows)
    return len(rows)


def _feedback_row(entry: Any) -> tuple[CardFeedback | None, list[str]]:
    if not isinstance(entry, dict):
        return None, ["must be an object."]
    problems = []
    card = _uuid(entry.get("card"))
    if card is None:
        problems.append("“card” must be the card's uuid.")
    outcome = entry.get("outcome")
    if outcome not in CardFeedback.Outcome.values:
        problems.append("“outcome” must be “accepted” or “overridden”.")
    stamp = entry.get("outcomeTimestamp")
    timestamp = _timestamp(stamp)
    if timestamp is None:
        problems.append("“outcomeTimestamp” must be an ISO 8601 timestamp with a time zone.")
    reason, reason_problems = _override_reason(entry.get("overrideReason"), outcome)
    problems += reason_problems
    if problems:
        return None, problems
    return CardFeedback(card_uuid=card, outcome=outcome, outcome_timestamp=timestamp, **reason), []


def _override_reason(raw: Any, outcome: Any) -> tuple[dict[str, str], list[str]]:
    """The coded reason only: a free-text userComment may hold patient details, so it is not kept."""
    if raw is None:
        return {}, []
    if outcome != CardFeedback.Outcome.OVERRIDDEN:
        return {}, ["“overrideReason” goes only with an “overridden” outcome."]
    coding = raw.get("reason") if isinstance(raw, dict) else None
    if coding is None and isinstance(raw, dict):
        return {}, []
    limits = {"system": 200, "code": 100, "display": 200}
    if not isinstance(coding, dict) or not isinstance(coding.get("code"), str) or not all(
        isinstance(coding.get(field, ""), str) and len(coding.get(field, "")) <= size
        for field, size in limits.items()
    ):
        return {}, ["“overrideReason.reason” must be a Coding with a code (and short system and display)."]
    return {f"override_reason_{field}": coding.get(field, "") for field in limits}, []


def _uuid(raw: Any) -> uuid.UUID | None:
    if not isinstance(raw, str):
        return None
    try:
        return uuid.UUID(raw.removeprefix("urn:uuid:"))
    except ValueError:
        return None


def _timestamp(raw: Any):
    if not isinstance(raw, str):
        return None
    try:
        parsed = parse_datetime(raw)
    except ValueError:
        return None
    return parsed if parsed and parsed.tzinfo else None
