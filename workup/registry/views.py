"""Outcome registry: thin views. Each parses the request, calls services and renders the page, or
only its fragment ("page.html#fragment") when htmx asks. Hematologists and staff only."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from workup.models import AuditAction, WorkupStatus
from workup.pathway.evidence import EVIDENCE_NOTES
from workup.registry import report as registry_report
from workup.registry import services as registry
from workup.registry.forms import OutcomeForm, RegistryFilterForm
from workup.registry.models import RegistryEntry
from workup.saved import services as saved
from workup.saved.views import HtmxHttpRequest, _template, login_required

PAGE = "registry/registry.html"
OUTCOME = "registry/outcome.html"
QUEUE_LIMIT = 100


def _require_registry_user(request: HtmxHttpRequest) -> None:
    if not registry.user_may_use_registry(user=request.user):
        raise PermissionDenied


def _filters(request: HtmxHttpRequest) -> tuple[RegistryFilterForm, registry_report.Filters]:
    form = RegistryFilterForm(request.GET, versions=registry_report.versions_recorded())
    if not form.is_valid():
        return form, registry_report.Filters()
    start, end = form.cleaned_data["period"]
    return form, registry_report.Filters(start=start, end=end, version=form.cleaned_data["version"],
                                         role=form.cleaned_data["role"])  # fmt: skip


@require_GET
@login_required
def registry_page(request: HtmxHttpRequest) -> HttpResponse:
    """Yield per trigger, disposition and criterion, with intervals, reference figures and a chart."""
    _require_registry_user(request)
    form, filters = _filters(request)
    report = registry_report.registry_report(filters=filters)
    context = {
        "form": form, "report": report, "chart": registry_report.registry_chart(report=report),
        "yield_note": EVIDENCE_NOTES["EN-YIELD"], "query": request.GET.urlencode(),
        "source_yield": registry_report.SOURCE_YIELD, "literature_yield": registry_report.LITERATURE_YIELD,
    }  # fmt: skip
    response = render(request, _template(request, PAGE, "registry-report"), context)
    response["Vary"] = "HX-Request, HX-History-Restore-Request"
    return response


@require_GET
@login_required
def registry_export_csv(request: HtmxHttpRequest) -> HttpResponse:
    report = _exported_report(request)
    return _attachment(registry_report.registry_csv(report=report), "text/csv; charset=utf-8",
                       "marrow-workup-registry.csv")


@require_GET
@login_required
def registry_export_fhir(request: HtmxHttpRequest) -> HttpResponse:
    resource = registry_report.registry_measure_report(report=_exported_report(request), now=timezone.now())
    return _attachment(json.dumps(resource, ensure_ascii=False, indent=2), "application/fhir+json",
                       "marrow-workup-registry-measurereport.json")


def _exported_report(request: HtmxHttpRequest):
    """The report an export carries: registry users only, with the page's filters."""
    _require_registry_user(request)
    _, filters = _filters(request)
    return registry_report.registry_report(filters=filters)


def _attachment(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def registry_followups(request: HtmxHttpRequest) -> HttpResponse:
    """Deferred cases due for follow-up, the safety signal, and outcomes not yet recorded."""
    _require_registry_user(request)
    due = registry.followups_due()
    awaited = registry.outcomes_awaited()
    signal = registry.deferred_then_neoplasm()
    context = {
        "due": due[:QUEUE_LIMIT], "due_count": due.count(), "awaited": awaited[:QUEUE_LIMIT],
        "awaited_count": awaited.count(), "signal": signal[:QUEUE_LIMIT], "signal_count": signal.count(),
        "limit": QUEUE_LIMIT, "awaited_truncated": awaited.count() > QUEUE_LIMIT,
    }  # fmt: skip
    return render(request, "registry/followups.html", context)


@require_GET
@login_required
def registry_case(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """From a saved case to its registry entry (made now if the case was reviewed before the registry)."""
    _require_registry_user(request)
    workup = saved.workup_get_visible(reference=reference, user=request.user)
    if workup.status != WorkupStatus.REVIEWED:
        return render(request, OUTCOME, {"workup": workup, "not_reviewed": True}, status=409)
    return redirect("registry:outcome", reference=registry.registry_index(workup=workup).reference)


def _outcome_context(entry: RegistryEntry, form: OutcomeForm | None = None, **extra: Any) -> dict[str, Any]:
    initial = {name: getattr(entry, name) for name in registry.OUTCOME_FIELDS}
    initial["biopsy_month"] = entry.biopsy_month.strftime("%Y-%m") if entry.biopsy_month else ""
    return {
        "entry": entry,
        "triggers": list(entry.triggers.values_list("trigger_id", flat=True)),
        "form": form or OutcomeForm(initial={**initial, "revision": entry.revision}),
        "history": registry.outcome_history(entry=entry),
        **extra,
    }


@require_http_methods(["GET", "POST"])
@login_required
def registry_outcome(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """GET: the entry and its outcome form. POST: record or correct the outcome in one step."""
    entry = registry.entry_get(reference=reference, user=request.user)
    if request.method == "GET":
        if entry.workup is not None:
            saved.audit_record(workup=entry.workup, actor=request.user, action=AuditAction.VIEW, details="registry outcome")
        return render(request, OUTCOME, _outcome_context(entry))
    form = OutcomeForm(request.POST)
    error = None
    if form.is_valid():
        try:
            entry = registry.outcome_record(entry=entry, actor=request.user, revision=form.cleaned_data["revision"],
                                            outcome=form.cleaned_data)  # fmt: skip
        except registry.OutcomeConflict as conflict:
            error = str(conflict)
            entry.refresh_from_db()
        else:
            if not request.htmx:
                return redirect("registry:outcome", reference=entry.reference)
            return render(request, f"{OUTCOME}#outcome-panel", _outcome_context(entry, saved_now=True))
    context = _outcome_context(entry, None if error else form, error=error)
    # Without JS a refused form is a 400 (409 for a conflict) page; htmx only swaps 2xx.
    status = 200 if request.htmx else (409 if error else 400)
    return render(request, _template(request, OUTCOME, "outcome-panel"), context, status=status)


@require_GET
def learn_registry(request: HtmxHttpRequest) -> HttpResponse:
    """The learning page: how to read the registry's yields."""
    return render(request, "registry/learn.html", {
        "yield_note": EVIDENCE_NOTES["EN-YIELD"], "source_yield": registry_report.SOURCE_YIELD,
        "literature_yield": registry_report.LITERATURE_YIELD,
    })  # fmt: skip
