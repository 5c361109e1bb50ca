"""Saved workups and referral review: thin views. Each parses the request, calls one service and
renders the page, or only its fragment ("page.html#fragment") when htmx asks. Access is decided
here, through the visible-cases selector: a case the user may not see is a 404 on every URL."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required as django_login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_htmx.middleware import HtmxDetails

from workup.models import AuditAction, SavedWorkup
from workup.pathway.parsing import CaseInvalid
from workup.saved import display
from workup.saved import services as saved
from workup.saved.forms import LabelForm, QueueFilterForm, ReviewForm, SaveWorkupForm, VersionForm
from workup.saved.pdf import html_to_pdf
from workup.saved.review import workup_review_record
from workup.throttle import PDF_RATE, rate_allowed

DETAIL = "workup/saved/detail.html"
SUMMARY = "workup/saved/summary.html"


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Django's login_required; for htmx, the whole page goes to sign-in (not a login form in a fragment)."""
    plain = django_login_required(view)

    @functools.wraps(view)
    def wrapper(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.htmx and not request.user.is_authenticated:
            return HttpResponseClientRedirect(redirect_to_login(request.htmx.current_url or request.get_full_path()).url)
        return plain(request, *args, **kwargs)

    return wrapper


def _template(request: HtmxHttpRequest, page: str, fragment: str) -> str:
    """The fragment for htmx, the whole page otherwise; htmx restoring history (Back) needs the page."""
    return f"{page}#{fragment}" if request.htmx and not request.htmx.history_restore_request else page


# --- Saving ------------------------------------------------------------------------------------


@require_GET
@login_required
def case_new(request: HtmxHttpRequest) -> HttpResponse:
    """A small page to save a case from its JSON inputs (the workup screen posts the same form)."""
    return render(request, "workup/saved/new.html", {"form": SaveWorkupForm()})


@require_POST
@login_required
def case_save(request: HtmxHttpRequest) -> HttpResponse:
    """Validate, evaluate and store; then the case page (or, for htmx, a 'saved as' fragment)."""
    form = SaveWorkupForm(request.POST)
    workup = None
    if form.is_valid():
        try:
            workup = saved.workup_save(
                author=request.user, inputs_json=form.cleaned_data["inputs_json"], label=form.cleaned_data["label"]
            )
        except CaseInvalid as invalid:
            for key, messages in invalid.errors.items():
                for message in messages:
                    form.add_error("inputs_json", f"{key}: {message}" if key != "inputs_json" else message)
    if workup is not None and not request.htmx:
        return redirect("cases:detail", reference=workup.reference)
    # Without JS a refused save is a 400 page with the form; htmx only swaps 2xx, so its fragment stays 200.
    status = 400 if workup is None and form.is_bound and not request.htmx else 200
    context = {"form": form, "saved": workup}
    return render(request, _template(request, "workup/saved/new.html", "save-result"), context, status=status)


@require_GET
@login_required
def case_landing(request: HtmxHttpRequest) -> HttpResponse:
    """Where sign-in leads: hematologists to the queue, everyone else to their own saved cases."""
    return redirect("cases:queue" if saved.user_can_review(user=request.user) else "cases:mine")


@require_GET
@login_required
def case_mine(request: HtmxHttpRequest) -> HttpResponse:
    """The signed-in user's own saved cases, newest first; reviewed ones say so at the top."""
    workups = saved.workup_list_for_author(user=request.user).prefetch_related("snapshots")
    rows = display.queue_rows(workups=workups)
    reviewed = [row for row in rows if row.workup.decision]
    return render(request, "workup/saved/mine.html", {"rows": rows, "reviewed": reviewed})


# --- The hematology queue ----------------------------------------------------------------------


@require_GET
@login_required
def case_queue(request: HtmxHttpRequest) -> HttpResponse:
    """Referred and in-review cases, most urgent first, for hematologists and staff."""
    if not saved.user_sees_all_workups(user=request.user):
        raise PermissionDenied
    form = QueueFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    workups = list(saved.workup_queue(status=filters.get("status", ""), disposition=filters.get("disposition", ""))
                   .prefetch_related("snapshots"))
    context = {"form": form, "rows": display.queue_rows(workups=workups)}
    saved.audit_reads(workups=workups, actor=request.user, details="queue")
    # htmx restoring a page from history (not in its cache) asks for the whole page, not the table.
    fragment = request.htmx and not request.htmx.history_restore_request
    template = "workup/saved/queue.html#queue-table" if fragment else "workup/saved/queue.html"
    response = render(request, template, context)
    response["Vary"] = "HX-Request, HX-History-Restore-Request"
    return response


# --- One case ----------------------------------------------------------------------------------


def _case_context(request: HtmxHttpRequest, workup: SavedWorkup, **extra: Any) -> dict[str, Any]:
    """Everything the case page shows. The audit trail is only put here for reviewers and staff."""
    snapshot = saved.snapshot_current(workup=workup)
    sees_all = saved.user_sees_all_workups(user=request.user)
    stale = saved.snapshot_is_stale(snapshot=snapshot)
    review_entries = extra.pop("review_entries", {})
    return {
        **display.case_display(workup=workup, evaluation_date=snapshot.evaluation_date, stale=stale),
        "workup": workup,
        "snapshot": snapshot,
        "result": snapshot.result,
        "stale": stale,
        "earlier_snapshots": workup.snapshots.exclude(pk=snapshot.pk),
        "is_author": workup.author_id == request.user.pk,
        # The author of a case never reviews it, hematologist or not (issue 21).
        "can_review": saved.user_can_review(user=request.user) and workup.author_id != request.user.pk,
        "audit_events": display.audit_rows(events=saved.audit_trail(workup=workup)) if sees_all else None,
        "label_form": LabelForm(initial={"label": workup.label, "version": workup.version}),
        "review_form": ReviewForm(initial={"version": workup.version, **review_entries}),
        "focus_status": request.GET.get("changed") == "status",
        **extra,
    }


def _review_entries(request: HttpRequest) -> dict[str, str]:
    """The decision and note the reviewer had chosen or typed, if this request posted any: a refused
    review and "Take into review without deciding yet" hand them back rather than clearing them."""
    if request.method != "POST":
        return {}
    entries = {"decision": request.POST.get("decision", ""), "note": request.POST.get("note", "")}
    return {key: value for key, value in entries.items() if value.strip()}


@require_GET
@login_required
def case_detail(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """The saved case as it was stored, its status, and (for reviewers) its audit trail."""
    workup = saved.workup_get_visible(reference=reference, user=request.user)
    saved.audit_record(workup=workup, actor=request.user, action=AuditAction.VIEW, details="case page")
    return render(request, DETAIL, _case_context(request, workup))


def _change(
    request: HtmxHttpRequest, reference: str, form_class: type[VersionForm], fragment: str,
    change: Callable[..., object], *, keeps_entries: bool = False,
) -> HttpResponse:  # fmt: skip
    """Run one locked change. Errors and conflicts are a 200 fragment for htmx, a 409 page without JS.

    With `keeps_entries` (taking a case into review), a decision chosen or a note typed in the review
    form comes back with the page; without JavaScript the page is then answered at once, not redirected.
    """
    workup = saved.workup_get_visible(reference=reference, user=request.user)
    form = form_class(request.POST)
    error = None
    if not form.is_valid():
        error = "Please correct the form: " + " ".join(m for ms in form.errors.values() for m in ms)
    else:
        try:
            change(workup=workup, actor=request.user, **form.cleaned_data)
        except (saved.WorkupConflict, saved.TransitionRefused) as refused:
            error = str(refused)
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
        workup.refresh_from_db()
    if error is None and not request.htmx and not (keeps_entries and _review_entries(request)):
        # After a status change the page opens with focus on the status message (autofocus).
        changed = "?changed=status" if fragment == "status-panel" else ""
        return redirect(reverse("cases:detail", kwargs={"reference": workup.reference}) + changed)
    if error is not None:
        # The answer shows the case (the whole page without JS) though nothing changed: a read.
        saved.audit_record(workup=workup, actor=request.user, action=AuditAction.VIEW, details="after a refused change")
    kept = _review_entries(request) if error or keeps_entries else {}
    context = _case_context(request, workup, error=error, error_fragment=fragment,
                            focus_status=fragment == "status-panel", review_entries=kept)
    status = 409 if error and not request.htmx else 200
    return render(request, _template(request, DETAIL, fragment), context, status=status)


def _change_view(form_class: type[VersionForm], fragment: str, change: Callable[..., object], *,
                 keeps_entries: bool = False):
    """A POST-only view that runs one locked change service and re-renders `fragment`."""

    @require_POST
    @login_required
    def view(request: HtmxHttpRequest, reference: str) -> HttpResponse:
        return _change(request, reference, form_class, fragment, change, keeps_entries=keeps_entries)

    view.__doc__ = change.__doc__
    return view


case_refer = _change_view(VersionForm, "status-panel", saved.workup_refer)
case_start_review = _change_view(VersionForm, "status-panel", saved.workup_start_review, keeps_entries=True)
case_review = _change_view(ReviewForm, "status-panel", workup_review_record)
case_label = _change_view(LabelForm, "label-panel", saved.workup_update_label)


@require_http_methods(["GET", "POST"])
@login_required
def case_reevaluate(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """GET: the stored result beside the current pathway's, storing nothing. POST: store it (confirmed)."""
    if request.method == "POST":
        return _change(request, reference, VersionForm, "reevaluation", saved.workup_reevaluate)
    workup = saved.workup_get_visible(reference=reference, user=request.user)
    saved.audit_record(workup=workup, actor=request.user, action=AuditAction.VIEW, details="re-evaluation preview")
    context = _case_context(request, workup, difference=saved.snapshot_difference(workup=workup))
    return render(request, _template(request, DETAIL, "reevaluation"), context)


# --- Print and export --------------------------------------------------------------------------


def _summary_context(workup: SavedWorkup) -> dict[str, Any]:
    """The print view's and the PDF's context: the summary plus every input and the referral text."""
    context = saved.workup_summary_context(workup=workup)
    snapshot = context["snapshot"]
    stale = saved.snapshot_is_stale(snapshot=snapshot)
    result = snapshot.result
    groups = ("triggers", "deferral_considerations", "imaging", "follow_up")
    fired = [item["id"] for key in groups for item in result[key]]
    context["provenance_rule_ids"] = fired + [p["id"] for p in result["pitfalls"] if p["active"]]
    return context | display.case_display(workup=workup, evaluation_date=snapshot.evaluation_date, stale=stale)


@require_GET
@login_required
def case_print(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    """The one-page referral summary as HTML; the PDF is rendered from the same template."""
    workup = saved.workup_get_visible(reference=reference, user=request.user)
    saved.audit_record(workup=workup, actor=request.user, action=AuditAction.EXPORT, details="print view")
    return render(request, SUMMARY, _summary_context(workup))


@require_GET
@login_required
def case_export_pdf(request: HtmxHttpRequest, reference: str) -> HttpResponse:
    workup = saved.workup_get_visible(reference=reference, user=request.user)
    if not rate_allowed(PDF_RATE, key=f"user:{request.user.pk}"):
        response = HttpResponse("Too many PDFs in the last minute: wait a minute, then export again.\n",
                                status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "60"
        return response
    saved.audit_record(workup=workup, actor=request.user, action=AuditAction.EXPORT, details="pdf")
    html = render_to_string(SUMMARY, {**_summary_context(workup), "for_pdf": True}, request)
    response = HttpResponse(html_to_pdf(html=html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="marrow-workup-{workup.reference}.pdf"'
    return response


@require_GET
@login_required
def case_export_json(request: HtmxHttpRequest, reference: str) -> JsonResponse:
    workup = saved.workup_get_visible(reference=reference, user=request.user)
    saved.audit_record(workup=workup, actor=request.user, action=AuditAction.EXPORT, details="json")
    response = JsonResponse(saved.workup_export_data(workup=workup), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="marrow-workup-{workup.reference}.json"'
    return response


