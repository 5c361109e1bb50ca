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
"value also meets the IMWG CRAB threshold" label): that needs attention whatever the marrow finding. Every other
trigger is `warning`: the pathway is "not for time-critical decisions" (SPEC §1), and a
`patient-view` card shows on every chart opening, so overusing `critical` would train people to
ignore it.

The service never queries the FHIR server itself: without any of its prefetch keys it answers
412 with an OperationOutcome. A key that is present but null means "no result" (an unknown); a
key that is absent is listed in the card as not supplied.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from workup.ehr import fhir
from workup.ehr.orders import (
    LabOrder,
    biopsy_orders,
    drafted_keys,
    lab_order_codes,
    lab_suggestion,
    reason_outside_pathway,
)
from workup.models import CardFeedback, IssuedCard
from workup.pathway import wording
from workup.pathway.engine import PATHWAY_INFO
from workup.pathway.inputs import INPUTS_BY_KEY, Case
from workup.pathway.parsing import CaseInvalid, case_from_json
from workup.pathway.result import Assessment, Finding, MatchedInput
from workup.pathway.wording import CriterionStatus, card_say, record_say, say
from workup.saved import drafts
from workup.saved.identifiers import free_text_error
from workup.services import workup_evaluate

SERVICE_ID = "marrow-workup"
HOOK = "patient-view"
SUMMARY_MAX = 139  # the specification: "<140-character summary"
OVERRIDE_REASON_PATH = "/cds-services/override-reasons"  # served as a FHIR CodeSystem at this path


def override_reason_system(base_url: str) -> str:
    """The override reasons' code system: a URL of this service that answers with the CodeSystem."""
    return f"{base_url}{OVERRIDE_REASON_PATH}"


def override_reason_code_system(*, base_url: str) -> dict[str, Any]:
    """The FHIR R4 CodeSystem of the override reasons that cards offer."""
    return {
        "resourceType": "CodeSystem",
        "url": override_reason_system(base_url),
        "name": "MarrowWorkupOverrideReason",
        "title": "Why a marrow workup card was not followed",
        "status": "active",
        "content": "complete",
        "concept": [{"code": code, "display": display} for code, display in OVERRIDE_REASONS],
    }
EXTENSION_KEY = "org.marrow-workup.assessment"
SCOPE_NOTE = say("scope_note")

INDICATOR_BY_DISPOSITION = {
    "PROCEED_TO_BIOPSY": "warning",
    "BIOPSY_STRONGLY_CONSIDERED": "warning",
    "COMPLETE_WORKUP": "info",
    "DEFERRAL_REASONABLE": "info",
}
OVERRIDE_REASONS = tuple(wording.CARD_OVERRIDE_REASONS.items())  # pathway content: hashed


PREFETCH_COUNT = 5  # several recent results, so κ can be paired with λ and calcium with albumin


def prefetch_template(key: str) -> str:
    """The recent final results for one pathway input, by any of its LOINC codes, newest first."""
    codes = ",".join(f"{fhir.LOINC_SYSTEM}|{code}" for code in fhir.search_codes_for(key))
    return (f"Observation?patient={{{{context.patientId}}}}&code={codes}"
            f"&status={','.join(sorted(fhir.USABLE_STATUSES))}&_sort=-date&_count={PREFETCH_COUNT}")


PATIENT_KEY = "patient"  # age (from birthDate) and sex, for the adult-scope guard and sex-specific limits
PREFETCH: dict[str, str] = {key: prefetch_template(key) for key in fhir.LAB_KEYS}
PREFETCH[PATIENT_KEY] = "Patient/{{context.patientId}}"


@dataclass(frozen=True, slots=True)
class Service:
    """One CDS Service: an id, the hook it answers, and what discovery says about it."""

    id: str
    hook: str
    title: str
    description: str


ORDER_HOOKS = ("order-select", "order-sign")
SERVICES: tuple[Service, ...] = (
    Service(SERVICE_ID, HOOK, "Marrow workup: diffuse marrow heterogeneity on lumbar MRI",
            "Reads the patient's recent pathway labs and answers only when they meet a bone marrow biopsy "
            "trigger (otherwise no card). Off unless the site enables it: a card on every chart opening "
            "would be alert fatigue. " + SCOPE_NOTE),
    Service("marrow-workup-order-select", "order-select", "Marrow workup: bone marrow biopsy order selected",
            "When a bone marrow biopsy is selected, says whether the pathway supports it now, which core "
            "labs are missing, and offers to order them. " + SCOPE_NOTE),
    Service("marrow-workup-order-sign", "order-sign", "Marrow workup: bone marrow biopsy order signed",
            "When a bone marrow biopsy order is about to be signed, says whether the pathway supports it "
            "now, which core labs are missing, and offers to order them. " + SCOPE_NOTE),
)
USAGE_REQUIREMENTS = (
    "Send the prefetch (this service does not query the FHIR server). Results older than the look-back "
    "window, about another patient, or not final are not used. " + SCOPE_NOTE
)


def enabled_services() -> dict[str, Service]:
    """The services this deployment offers: patient-view only when CDS_PATIENT_VIEW_ENABLED is set."""
    return {service.id: service for service in SERVICES
            if service.hook != HOOK or settings.CDS_PATIENT_VIEW_ENABLED}


def cds_discovery() -> dict[str, Any]:
    """The discovery document: each enabled service with its prefetch templates and usage requirements."""
    return {
        "services": [
            {
                "hook": service.hook,
                "id": service.id,
                "title": service.title,
                "description": service.description,
                "prefetch": dict(PREFETCH),
                "usageRequirements": USAGE_REQUIREMENTS,
            }
            for service in enabled_services().values()
        ]
    }


class CdsError(Exception):
    """A request the service cannot answer; the view sends it as an OperationOutcome."""

    status = 400
    issue_code = "invalid"


class HookRequestInvalid(CdsError):
    """The request is not a CDS Hooks call this service can answer."""


class ServiceUnknown(CdsError):
    """No service with this id is offered here."""

    status = 404
    issue_code = "not-found"


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
    ehr_messages: tuple[str, ...] = ()  # OperationOutcomes the EHR sent instead of (or beside) results
    demographics: tuple[str, ...] = ()  # what was read from the Patient, or why not
    partial: tuple[fhir.Skipped, ...] = ()  # searches the EHR answered with only a first page: not used


def cds_hook_respond(*, body: Any, base_url: str, source: str = "", service_id: str = SERVICE_ID) -> dict[str, Any]:
    """Answer one call: read labs, evaluate, and return a card, or no card when nothing is actionable.

    `source` is "" for a verified client, else a keyed hash of the caller's address: such a caller
    gets at most SIGNED_OUT_DRAFTS_PER_ADDRESS live drafts and recorded cards, as "Sign in to save"
    allows; past that the card comes without a link and without feedback.
    """
    service = enabled_services().get(service_id)
    if service is None:
        raise ServiceUnknown(f"No CDS Service “{service_id[:60]}” here; see GET /cds-services.")
    _check_hook_request(body, service.hook)
    context = body["context"]
    patient_id = context["patientId"]
    orders: list[dict] = []
    if service.hook in ORDER_HOOKS:
        selections = context.get("selections") if service.hook == "order-select" else None
        orders = [order for order in biopsy_orders(context.get("draftOrders"),
                                                   selections if isinstance(selections, list) else None)
                  if not reason_outside_pathway(order)]  # SPEC 1.2 §6.3: ordered for another reason, no card
        if not orders:
            return {"cards": []}
    labs = labs_from_prefetch(prefetch=body.get("prefetch"), selection=record_selection(patient_id=patient_id))
    assessment = workup_evaluate(case=labs.case)
    if any(w.id == PEDIATRIC for w in assessment.warnings):
        return {"cards": []}  # SPEC 1.2 §6.3: the pathway does not apply under 18, urgent findings included
    if service.hook == HOOK and not (assessment.triggers or assessment.urgent):
        return {"cards": []}  # patient-view: only a met trigger (or an urgent finding) is worth interrupting for
    within_cap = not source or (drafts.drafts_allowed(source=source) and _cards_allowed(source=source))
    token = drafts.draft_create(case_data=labs.inputs, source=source) if labs.inputs and within_cap else None
    card = card_build(assessment=assessment, labs=labs, base_url=base_url, draft_token=token,
                      capped=not within_cap)
    if orders:
        card = order_card(card, assessment=assessment, patient_id=patient_id,
                          drafted=drafted_keys(context.get("draftOrders")),
                          requester=context.get("userId"), encounter_id=context.get("encounterId"))
    if within_cap:
        card_issue_record(card=card, source=source, service_id=service.id)
    return {"cards": [card]}


PEDIATRIC = "SCOPE-PEDIATRIC"
SCOPE_PREFIX = "SCOPE-"
BLOOD_COUNT = ("hemoglobin", "wbc", "platelets")  # core labs of pathway 1.2, suggested whatever the engine's flag


def lead_lines(assessment: Assessment) -> list[str]:
    """What leads every output (SPEC 1.2 §1): the engine's lead lines, else its urgent findings and then
    its scope guards, in the engine's order."""
    if assessment.lead:
        return list(assessment.lead)
    return [u.text for u in assessment.urgent] + [w.message for w in assessment.warnings if w.id.startswith(SCOPE_PREFIX)]


def order_summary(assessment: Assessment) -> str:
    """SPEC 1.2 §6.3: an urgent finding is the summary; otherwise the condition first, then the headline."""
    if assessment.urgent:
        text = assessment.urgent[0].text
    else:
        headline = wording.ORDER_CARD_HEADLINES[assessment.disposition]
        ids = ", ".join(f.id for f in assessment.triggers)
        with_ids = card_say("order_summary_with_ids", headline=headline, ids=ids) if ids else headline
        text = card_say("order_summary", headline=with_ids)
        if len(text) > SUMMARY_MAX:
            text = card_say("order_summary", headline=headline)
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"


def order_card(card: dict, *, assessment: Assessment, patient_id: str, drafted: frozenset[str] = frozenset(),
               requester: Any = None, encounter_id: Any = None) -> dict:
    """The card for a biopsy order (SPEC 1.2 §6.3): never offers deferral; names the missing core labs
    (the blood count included) and offers to order those not already among the draft orders."""
    missing = [line for line in assessment.labs
               if (line.core or line.key in BLOOD_COUNT) and line.status == "missing"]
    to_order = [line for line in missing if line.key not in drafted and lab_order_codes(line.key)]
    suggestions = [
        lab_suggestion(order=LabOrder(line.key, line.label, lab_order_codes(line.key)), patient_id=patient_id,
                       requester=requester, encounter_id=encounter_id)
        for line in to_order
    ]
    missing_text = (card_say("order_missing", labels=", ".join(md_escape(line.label) for line in missing))
                    if missing else card_say("order_none_missing"))
    already = [line for line in missing if line.key in drafted]
    if already:
        missing_text += " " + card_say("order_already_drafted", labels=", ".join(md_escape(item.label) for item in already))
    headline = wording.ORDER_CARD_HEADLINES[assessment.disposition]
    order = {
        **card,
        "summary": order_summary(assessment),
        "indicator": "critical" if assessment.urgent else "info",
        "detail": _lead_block(assessment) + card_say("order_result", headline=md_escape(headline), missing=missing_text)
        + f"\n\n{_without_lead(card['detail'], assessment)}",
    }
    if suggestions:
        order |= {"suggestions": suggestions, "selectionBehavior": "any"}
    return order


def _lead_block(assessment: Assessment) -> str:
    lines = lead_lines(assessment)
    return "".join(f"**{md_escape(line)}**\n\n" for line in lines)


def _without_lead(detail: str, assessment: Assessment) -> str:
    block = _lead_block(assessment)
    return detail[len(block):] if block and detail.startswith(block) else detail


ISSUED_CARD_LIFETIME = dt.timedelta(days=1)  # feedback for a card is accepted for a day


def _cards_allowed(*, source: str) -> bool:
    live = IssuedCard.objects.filter(source=source, expires_at__gt=timezone.now())
    return live.count() < drafts.SIGNED_OUT_DRAFTS_PER_ADDRESS


def card_issue_record(*, card: dict, source: str, service_id: str = SERVICE_ID) -> None:
    """Remember a card's uuid (and its suggestions') and the service that issued it, so feedback can be
    matched at that service's feedback URL only; prune expired ones."""
    now = timezone.now()
    IssuedCard.objects.filter(expires_at__lte=now).delete()
    IssuedCard.objects.create(
        card_uuid=card["uuid"], suggestion_uuids=[s["uuid"] for s in card.get("suggestions", []) if "uuid" in s],
        issued_at=now, expires_at=now + ISSUED_CARD_LIFETIME, source=source, service_id=service_id,
    )


def _check_hook_request(body: Any, hook: str) -> None:
    if not isinstance(body, dict):
        raise HookRequestInvalid("The body must be a JSON object (a CDS Hooks request).")
    if body.get("hook") != hook:
        raise HookRequestInvalid(f"This service answers the “{hook}” hook only.")
    if not isinstance(body.get("hookInstance"), str) or not body["hookInstance"]:
        raise HookRequestInvalid("hookInstance is required.")
    if not isinstance(body.get("context"), dict):
        raise HookRequestInvalid("context is required and must be an object.")
    patient_id = body["context"].get("patientId")
    if not isinstance(patient_id, str) or not 0 < len(patient_id) <= 64:
        raise HookRequestInvalid("context.patientId is required: the FHIR id of the patient.")


def record_selection(*, patient_id: str, evaluated_at: dt.datetime | None = None) -> fhir.Selection:
    """The selection rules for one patient's record, with the configured look-back windows."""
    return fhir.Selection(
        patient_id=patient_id,
        evaluated_at=evaluated_at or timezone.now(),
        lookback_days=settings.EHR_LOOKBACK_DAYS,
        lookback_days_by_key=dict(settings.EHR_LOOKBACK_DAYS_BY_ANALYTE),
    )


def labs_from_prefetch(*, prefetch: Any, selection: fhir.Selection) -> LabsFromPrefetch:
    """Prefetched searches → the chosen result per input (see fhir.Selection); implausible values are set aside."""
    lab_keys = [key for key in PREFETCH if key != PATIENT_KEY]
    if not isinstance(prefetch, dict) or not any(key in prefetch for key in lab_keys):
        raise PrefetchMissing(
            "No prefetch data for this service's lab searches (see GET /cds-services). "
            "This service does not query the FHIR server itself."
        )
    observations, messages, partial = prefetched_observations(prefetch, lab_keys)
    reading = fhir.labs_from_observations(observations, selection)
    demographics, lines = fhir.demographics_from_patient(prefetch.get(PATIENT_KEY), selection)
    labs_only = reading.inputs()
    case, inputs, refused = _validated({**labs_only, **demographics})
    not_supplied = tuple(key for key in PREFETCH if key not in prefetch)
    return LabsFromPrefetch(case, inputs, reading, refused, not_supplied, tuple(messages), tuple(lines),
                            tuple(partial))


def has_next_page(bundle: Any) -> bool:
    """A searchset whose `link` has relation "next": the server holds more results than it sent."""
    links = bundle.get("link") if isinstance(bundle, dict) else None
    return any(isinstance(link, dict) and link.get("relation") == "next" for link in links) \
        if isinstance(links, list) else False


def prefetched_observations(prefetch: dict, keys: list[str]
                            ) -> tuple[list[tuple[str, Any]], list[str], list[fhir.Skipped]]:
    """(reference, resource) pairs from the prefetch slots, the EHR's OperationOutcome messages, and
    the searches sent as a first page only (never read: the newest may be on a later page)."""
    observations: list[tuple[str, Any]] = []
    messages: list[str] = []
    partial: list[fhir.Skipped] = []
    for key in keys:
        value = prefetch.get(key)
        if isinstance(value, dict) and value.get("resourceType") == "Bundle" and has_next_page(value):
            partial.append(fhir.Skipped(f"prefetch.{key}", record_say("partial_page")))
            parts = fhir.bundle_parts(value, f"prefetch.{key}")
            messages += [card_say("ehr_message", ref=ref, message=md_escape(text)) for ref, text in parts.outcomes]
        elif isinstance(value, dict) and value.get("resourceType") == "Bundle":
            parts = fhir.bundle_parts(value, f"prefetch.{key}")
            observations += parts.matches
            messages += [card_say("ehr_message", ref=ref, message=md_escape(text)) for ref, text in parts.outcomes]
        elif fhir.is_outcome(value):
            messages.append(card_say("ehr_message", ref=f"prefetch.{key}", message=md_escape(fhir.outcome_text(value))))
        elif value is not None:
            observations.append((f"prefetch.{key}", value))
    return observations, messages, partial


def _validated(inputs: dict[str, object]) -> tuple[Case, dict[str, object], dict[str, list[str]]]:
    """Validate as the JSON API does; drop each refused input (with its messages) and retry."""
    inputs, refused = dict(inputs), {}
    limits = inputs.get("reference_limits")
    if isinstance(limits, dict):
        inputs["reference_limits"] = dict(limits)
    for _ in range(len(inputs) + len(limits or ()) + 1):  # each failed round removes at least one input
        try:
            return case_from_json(data=inputs), inputs, refused
        except CaseInvalid as invalid:
            for key, messages in invalid.errors.items():
                refused[key] = messages
                top, _, limit = key.partition(".")
                if limit and isinstance(inputs.get(top), dict):
                    inputs[top].pop(limit, None)
                    if not inputs[top]:
                        inputs.pop(top)
                else:
                    inputs.pop(key, None)
    return case_from_json(data={}), {}, refused


# --- The card -------------------------------------------------------------------------------------

CRAB_LABEL = "value also meets the IMWG CRAB threshold"


def card_indicator(assessment: Assessment) -> str:
    """`critical` for an urgent finding or CRAB-level end-organ damage, otherwise by disposition."""
    if assessment.urgent or any(CRAB_LABEL in trigger.labels for trigger in assessment.triggers):
        return "critical"
    return INDICATOR_BY_DISPOSITION[assessment.disposition]


def card_build(*, assessment: Assessment, labs: LabsFromPrefetch, base_url: str, draft_token: str | None,
               capped: bool = False) -> dict:
    """One card per the specification; optional fields appear only when they have content.

    The link to the prefilled screen is offered only when a draft was stored (some lab was read).
    """
    link = {
        "label": card_say("link_label"),
        "url": f"{base_url}/?draft={draft_token}",
        "type": "absolute",
    } if draft_token else None
    card = {
        "uuid": str(uuid.uuid4()),
        "summary": card_summary(assessment),
        "indicator": card_indicator(assessment),
        "detail": card_detail(assessment, labs) + (f"\n\n_{card_say('capped')}_" if capped else ""),
        "source": {
            "label": card_say("source_label", version=PATHWAY_INFO.version),
            "url": f"{base_url}{reverse('learn-rules')}",
        },
        "overrideReasons": [
            {"system": override_reason_system(base_url), "code": code, "display": display}
            for code, display in OVERRIDE_REASONS
        ],
        "links": [link],
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
    """An urgent finding first; else the headline by disposition, with the trigger IDs when they fit."""
    if assessment.urgent:
        text = assessment.urgent[0].text
        return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"
    headline = wording.CARD_HEADLINES[assessment.disposition]
    ids = ", ".join(f.id for f in assessment.triggers)
    with_ids = card_say("summary_with_ids", headline=headline, ids=ids) if ids else headline
    text = with_ids if len(with_ids) <= SUMMARY_MAX else headline
    return text if len(text) <= SUMMARY_MAX else text[: SUMMARY_MAX - 1] + "…"


def card_detail(assessment: Assessment, labs: LabsFromPrefetch) -> str:
    """GitHub-flavoured markdown: the result, its basis, the labs read, the unknowns, what was not used."""
    record = record_sections(labs, CardVoice())
    sections = [
        _lead_block(assessment).rstrip("\n"),
        card_say("result", disposition=wording.CARD_DISPOSITIONS[assessment.disposition],
                 summary=md_escape(plain(assessment.summary))),
        f"_{say('scope_note')}_",
        _section("section_basis", _basis_lines(assessment)),
        _section("section_criteria", _criteria_lines(assessment)),
        _section("section_labs", record["section_labs"]),
        _section("section_patient", record["section_patient"]),
        _section("section_selection", record["section_selection"]),
        _section("section_ehr_messages", list(labs.ehr_messages)),
        _section("section_unknowns", _unknown_lines(assessment)),
        _section("section_not_used", record["section_not_used"]),
        card_say("provenance", id=PATHWAY_INFO.id, version=PATHWAY_INFO.version,
                 source_date=PATHWAY_INFO.source_date, hash=PATHWAY_INFO.hash[:19]),
    ]
    return "\n\n".join(section for section in sections if section)


def _section(title_key: str, lines: list[str]) -> str:
    return f"**{card_say(title_key)}**\n\n" + "\n".join(f"- {line}" for line in lines) if lines else ""


def _basis_lines(assessment: Assessment) -> list[str]:
    groups: tuple[tuple[Finding, ...], ...] = (
        assessment.triggers, assessment.deferral_considerations, assessment.imaging, assessment.follow_up,
    )
    lines = []
    for finding in (f for group in groups for f in group):
        matched = "; ".join(_describe_match(m) for m in finding.matched)
        lines.append(card_say("basis_finding_matched", id=finding.id, title=md_escape(finding.title),
                              matched=md_escape(matched)) if matched
                     else card_say("basis_finding", id=finding.id, title=md_escape(finding.title)))
    triggered = {m.key for f in assessment.triggers for m in f.matched}
    lines += [
        card_say("basis_abnormal",
                 value=md_escape(plain(_value_text(line.label, line.entered_value, line.entered_unit, line.canonical_value))),
                 reference=md_escape(line.reference))
        for line in assessment.labs
        if line.status == "abnormal" and line.key not in triggered
    ]
    return lines or [card_say("basis_none")]


def _criteria_lines(assessment: Assessment) -> list[str]:
    """The published criteria beside the fired triggers (met or not, or what they still need) and any
    criterion met where no related trigger fired, in table order: where the source and criteria part ways."""
    fired = {t.id for t in assessment.triggers}
    lines = []
    for item in assessment.criteria:
        if not (set(item.related_rules) & fired or item.status == CriterionStatus.MET):
            continue
        fields = {"id": item.id, "title": md_escape(item.title), "status": say(f"criteria_status_{item.status}")}
        line = card_say("criterion_stratum", value=item.value, **fields) if item.value else card_say("criterion", **fields)
        if item.missing and (item.status != CriterionStatus.MET or item.value):  # a stratum from partial factors
            labels = ", ".join(md_escape(INPUTS_BY_KEY[key].label) for key in item.missing)
            line = card_say("criterion_not_measured", line=line, not_measured=say("criteria_not_measured", items=labels))
        lines.append(line)
    return lines


def _value_text(label: str, entered: object, unit: str, canonical: object) -> str:
    """“label value unit”; a derived value (e.g. the FLC ratio from κ and λ) has no entry, so show the result."""
    value = entered if entered is not None else canonical
    return " ".join(plain(part) for part in (label, value, unit) if part not in (None, ""))


def plain(value: object) -> str:
    """A categorical value in plain words (`not_detected` → “not detected”); other values as they are."""
    text = str(value)
    return text.replace("_", " ") if isinstance(value, str) and text.replace("_", "").isalpha() else text


def _describe_match(match: MatchedInput) -> str:
    text = _value_text(match.label, match.entered_value, match.entered_unit, match.canonical_value)
    if match.entered_value is not None and match.canonical_unit and match.canonical_unit != match.entered_unit:
        text = card_say("match_converted", value=text, canonical=f"{match.canonical_value} {match.canonical_unit}")
    if match.note:
        text = card_say("match_note", value=text, note=match.note)
    if match.comparison and match.threshold_value is not None:
        threshold = f"{match.threshold_value} {match.threshold_unit or ''}".rstrip()
        text = card_say("match_threshold", value=text, comparison=match.comparison, threshold=threshold,
                        origin=match.threshold_origin or say("origin_default"))
    return text


class RecordVoice(Protocol):
    """How the record sections are said where they are shown: the card, or the launch notice."""

    def escape(self, text: object) -> str:
        """A value from the record or a label, made safe for where it is shown."""

    def sentence(self, sentence: str) -> str:
        """A record sentence (RECORD_TEXT): a Patient line, a pairing note, a reason."""

    def when(self, result: fhir.LabResult) -> str:
        """When the result was taken."""

    def set_aside(self, item: fhir.Skipped) -> str:
        """A result from the record that was not used, and why."""

    def refused(self, key: str, result: fhir.LabResult | None, messages: list[str]) -> str:
        """An input read from the record that validation refused, with its messages."""

    def missing(self, labs: LabsFromPrefetch) -> list[str]:
        """What the record did not supply."""


def record_sections(labs: LabsFromPrefetch, voice: RecordVoice) -> dict[str, list[str]]:
    """What was read from the record and what was not, by section (its CARD_TEXT title key), in one voice:
    the labs read, the Patient lines, how results were chosen, and what was not used."""
    labs_read = [
        card_say("lab_read", label=voice.escape(INPUTS_BY_KEY[key].label), loinc=result.loinc, when=voice.when(result),
                 value=f"{result.value} {voice.escape(result.unit)}" if result.unit else plain(result.value))
        for key, result in labs.reading.results.items() if key in labs.inputs
    ]
    selection = [voice.sentence(note) for note in labs.reading.notes]
    if labs.reading.old_only:
        labels = ", ".join(voice.escape(INPUTS_BY_KEY[key].label) for key in labs.reading.old_only)
        selection.append(card_say("old_only", days=settings.EHR_LOOKBACK_DAYS, labels=labels))
    not_used = [voice.set_aside(item) for item in (*labs.partial, *labs.reading.skipped, *labs.reading.set_aside)]
    not_used += [voice.refused(key, labs.reading.results.get(key), messages) for key, messages in labs.refused.items()]
    return {
        "section_labs": labs_read,
        "section_patient": [voice.sentence(line) for line in labs.demographics],
        "section_selection": selection,
        "section_not_used": not_used + voice.missing(labs),
    }


class CardVoice:
    """The card's voice: markdown escaped, the record's own dates, results named by their entry reference."""

    def escape(self, text: object) -> str:
        return md_escape(text)

    def sentence(self, sentence: str) -> str:
        return md_escape(sentence)

    def when(self, result: fhir.LabResult) -> str:
        return md_escape(result.effective) if result.effective else card_say("lab_undated")

    def set_aside(self, item: fhir.Skipped) -> str:
        return card_say("set_aside", ref=item.ref, reason=md_escape(item.reason))

    def refused(self, key: str, result: fhir.LabResult | None, messages: list[str]) -> str:
        reason = md_escape(" ".join(messages))
        return (card_say("set_aside", ref=result.ref, reason=reason) if result
                else card_say("set_aside_input", key=md_escape(key), reason=reason))

    def missing(self, labs: LabsFromPrefetch) -> list[str]:
        """The prefetch keys the EHR did not send (a key sent as null is a search without a result)."""
        if not labs.not_supplied:
            return []
        return [card_say("not_supplied", keys=", ".join(f"`{key}`" for key in labs.not_supplied))]


UNKNOWN_TEMPLATE = {  # (has a note, could change a rule) -> the card sentence
    (False, False): "unknown", (True, False): "unknown_note",
    (False, True): "unknown_could_change", (True, True): "unknown_note_could_change",
}


def _unknown_lines(assessment: Assessment) -> list[str]:
    return [
        card_say(UNKNOWN_TEMPLATE[bool(u.note), bool(u.could_change)], label=md_escape(u.label),
                 note=md_escape(u.note or ""), rules=", ".join(u.could_change))
        for u in assessment.unknowns
    ]


_MD_SPECIAL = set("\\`*_[]<>#|~")  # enough to stop emphasis, links, HTML and tables
_LINE_BREAKS = re.compile(r"[\r\n\u0085\u2028\u2029\v\f]+")
_BARE_URL = re.compile(r"(?i)\b(https?|ftp|mailto|javascript|data)(:)|\bwww(\.)")


def md_escape(text: object) -> str:
    """Escape markdown syntax in text that may come from the client; a line break becomes a space (a
    value cannot start a heading, list or table of its own) and a bare URL is broken so that no
    renderer autolinks it."""
    flat = _LINE_BREAKS.sub(" ", str(text))
    escaped = "".join(f"\\{char}" if char in _MD_SPECIAL else char for char in flat)
    return _BARE_URL.sub(lambda m: m.group(0)[:-1] + "\u200b" + m.group(0)[-1], escaped)


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


MAX_FEEDBACK_ENTRIES = 20  # a card is accepted or overridden; a real client sends one or two


def card_feedback_record(*, body: Any, base_url: str = "", service_id: str | None = None) -> int:
    """Store the feedback entries for cards this service issued, once per card and outcome.

    The whole body is refused (400, naming the entry) when an entry breaks the specification's
    rules or names a card this service did not issue (or issued over a day ago); a repeated
    outcome for a card is answered 200 but not stored again. Returns the number of rows stored.
    """
    entries = body.get("feedback") if isinstance(body, dict) else None
    if not isinstance(entries, list) or not entries or len(entries) > MAX_FEEDBACK_ENTRIES:
        raise FeedbackInvalid([f"The body must be an object with a “feedback” array of 1 to {MAX_FEEDBACK_ENTRIES} entries."])
    parsed, messages = [], []
    for index, entry in enumerate(entries):
        row, suggestions, problems = _feedback_row(entry, override_reason_system(base_url))
        messages += [f"feedback[{index}]: {problem}" for problem in problems]
        if row:
            parsed.append((index, row, suggestions))
    if messages:
        raise FeedbackInvalid(messages)
    now = timezone.now()
    stored = 0
    with transaction.atomic():
        issued = {card.card_uuid: card for card in IssuedCard.objects.filter(
            card_uuid__in=[row.card_uuid for _, row, _ in parsed], expires_at__gt=now)
            if service_id is None or card.service_id == service_id}
        for index, row, suggestions in parsed:
            card = issued.get(row.card_uuid)
            if card is None:
                messages.append(f"feedback[{index}]: “card” is not a card this service issued in the last day (feedback goes to the feedback URL of the service that issued the card).")
            elif not set(suggestions) <= set(card.suggestion_uuids):
                messages.append(f"feedback[{index}]: “acceptedSuggestions” names a suggestion this card did not offer.")
        if messages:
            raise FeedbackInvalid(messages)
        for _, row, _ in parsed:
            stamp = "accepted_at" if row.outcome == CardFeedback.Outcome.ACCEPTED else "overridden_at"
            first = IssuedCard.objects.filter(card_uuid=row.card_uuid, **{f"{stamp}__isnull": True}).update(
                **{stamp: now})
            if first:  # the conditional update succeeds once per card and outcome, whatever the race
                row.save()
                stored += 1
    return stored


def _feedback_row(entry: Any, reason_system: str) -> tuple[CardFeedback | None, list[str], list[str]]:
    if not isinstance(entry, dict):
        return None, [], ["must be an object."]
    problems = []
    card = _uuid(entry.get("card"))
    if card is None:
        problems.append("“card” must be the card's uuid.")
    outcome = entry.get("outcome")
    if outcome not in CardFeedback.Outcome.values:
        problems.append("“outcome” must be “accepted” or “overridden”.")
    timestamp = _timestamp(entry.get("outcomeTimestamp"))
    if timestamp is None:
        problems.append("“outcomeTimestamp” must be an ISO 8601 timestamp with a time zone.")
    suggestions, suggestion_problems = _accepted_suggestions(entry.get("acceptedSuggestions"), outcome)
    problems += suggestion_problems
    reason, reason_problems = _override_reason(entry.get("overrideReason"), outcome, reason_system)
    problems += reason_problems
    if problems:
        return None, [], problems
    return CardFeedback(card_uuid=card, outcome=outcome, outcome_timestamp=timestamp, **reason), suggestions, []


def _accepted_suggestions(raw: Any, outcome: Any) -> tuple[list[str], list[str]]:
    """CDS Hooks: `acceptedSuggestions` (objects with the suggestion's `id`) is required when accepted."""
    if outcome != CardFeedback.Outcome.ACCEPTED:
        return [], ([] if raw is None else ["“acceptedSuggestions” goes only with an “accepted” outcome."])
    if not isinstance(raw, list) or not raw or len(raw) > MAX_FEEDBACK_ENTRIES or not all(
        isinstance(item, dict) and isinstance(item.get("id"), str) and len(item["id"]) <= 64 for item in raw
    ):
        return [], ["an “accepted” outcome needs “acceptedSuggestions”: a list of objects with the suggestion's “id”."]
    return [item["id"] for item in raw], []


# What a client's own reason code system may be: an http(s) URL of plain path segments (no query, no
# fragment, no spaces), an OID (urn:oid:) or a UUID (urn:uuid:), the forms FHIR gives code systems.
_SYSTEM_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::\d{1,5})?(?P<path>(?:/[A-Za-z0-9._~-]*)*)")
_SYSTEM_URN = re.compile(r"urn:oid:[0-2](?:\.(?:0|[1-9]\d*))+|urn:uuid:[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")


def reason_system_error(system: Any) -> str | None:
    """Why a client's override reason system cannot be stored, or None when it is a URI we accept.

    The path of a URL is checked like free text too ("/mrn/4821973" is an identifier in a URL).
    """
    message = ("“overrideReason.reason.system” must be the URI of a code system: an http(s) URL, "
               "urn:oid: or urn:uuid:.")
    if not isinstance(system, str):
        return message
    url = _SYSTEM_URL.fullmatch(system)
    if url is None and _SYSTEM_URN.fullmatch(system) is None:
        return message
    if url is not None:
        return free_text_error(url.group("path").replace("/", " ").replace("-", " "), "overrideReason.reason.system")
    return None


def _override_reason(raw: Any, outcome: Any, reason_system: str) -> tuple[dict[str, str], list[str]]:
    """The coded reason only: a free-text userComment may hold patient details, so it is not kept.

    A reason this service offered is stored with the service's own wording; a client's own coded
    reason is stored only when no part of it looks like a patient identifier.
    """
    if raw is None:
        return {}, []
    if outcome != CardFeedback.Outcome.OVERRIDDEN:
        return {}, ["“overrideReason” goes only with an “overridden” outcome."]
    if not isinstance(raw, dict) or not set(raw) <= {"reason", "userComment"} or not isinstance(
        raw.get("userComment", ""), str
    ):
        return {}, ["“overrideReason” must be an object with “reason” (a Coding) and optionally “userComment”."]
    coding = raw.get("reason")
    if coding is None:
        return {}, []
    limits = {"system": 200, "code": 100, "display": 200}
    if not isinstance(coding, dict) or not isinstance(coding.get("code"), str) or not coding["code"] or not all(
        isinstance(coding.get(field, ""), str) and len(coding.get(field, "")) <= size
        for field, size in limits.items()
    ):
        return {}, ["“overrideReason.reason” must be a Coding with a code (and short system and display)."]
    offered = dict(OVERRIDE_REASONS)
    if coding.get("system") == reason_system and coding["code"] in offered:
        return {"override_reason_system": reason_system, "override_reason_code": coding["code"],
                "override_reason_display": offered[coding["code"]]}, []
    # The system must be a URI (issue 21: names, record numbers, birth dates and e-mail addresses all
    # went in as a "system"); an OID's digit runs are not identifiers. The code and display are checked.
    system_error = reason_system_error(coding.get("system"))
    if system_error:
        return {}, [system_error]
    errors = [free_text_error(coding.get(field, ""), f"overrideReason.reason.{field}") for field in ("code", "display")]
    if any(errors):
        return {}, [error for error in errors if error]
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
