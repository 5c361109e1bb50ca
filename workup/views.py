"""The workup screen: thin function-based views that parse the request, call a service, render."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from workup import services
from workup.context_processors import THEME_COOKIE, THEMES
from workup.ehr.views_smart import allow_launch_screen_frame
from workup.forms import DEFAULT_UNIT_SYSTEM, UNIT_SYSTEMS, feedback_keys, workup_form
from workup.http import json_errors
from workup.learning.services import case_map_for
from workup.learning.views import map_context
from workup.pathway.parsing import CaseInvalid
from workup.saved import drafts
from workup.throttle import client_ip


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


# --- The workup screen ---------------------------------------------------------------------------

UNITS_COOKIE = "units"
# The pause after the last keystroke before the panel is asked for. Short enough that keystroke to
# panel stays within 150 ms at the 95th percentile (docs/workup-screen.md), long enough that a burst
# of typing sends one request; a newer request replaces one in flight, so none is drawn out of order.
PANEL_DELAY_MS = 60
PREFERENCE_COOKIE_AGE = 365 * 24 * 3600


def _unit_system(request: HttpRequest) -> str:
    value = request.COOKIES.get(UNITS_COOKIE)
    return value if value in dict(UNIT_SYSTEMS) else DEFAULT_UNIT_SYSTEM


def _remember(response: HttpResponse, name: str, value: str) -> None:
    response.set_cookie(name, value, max_age=PREFERENCE_COOKIE_AGE, samesite="Lax")


DRAFT_MISSING = (
    "That prefilled workup link is unknown or has expired (links from the record last "
    f"{drafts.DRAFT_HOURS} hours). "
    "Nothing was filled in; enter the values below or open the link again from the record."
)


DRAFTS_REFUSED = (
    f"Nothing was kept: {drafts.SIGNED_OUT_DRAFTS_PER_ADDRESS} workups from this network are already waiting for "
    f"a sign-in (each is kept {drafts.DRAFT_HOURS} hours). Your entries are still below. Sign in in another "
    "tab or window, then press \u201cSign in to save\u201d here again."
)


def _screen_data(request: HtmxHttpRequest) -> tuple[object, str, drafts.Draft | None]:
    """The data the form is bound to (a POST, a draft's inputs, or None), a notice for the person, and
    the draft the screen was opened with, whose record notice a whole page shows.

    The form carries the draft's token, so a page posted without JavaScript keeps the notice of the
    launch it was opened from; a fragment never shows it, so it does not look the draft up.
    """
    if request.method == "POST":
        return request.POST, "", None if request.htmx else drafts.draft_open(token=request.POST.get("draft", ""))
    token = request.GET.get("draft")
    if token is None:
        return None, "", None
    draft = drafts.draft_open(token=token)
    if draft is None:
        return None, DRAFT_MISSING, None
    return services.form_data_from_case(inputs=draft.inputs), "", draft


@require_http_methods(["GET", "POST"])
def workup(request: HtmxHttpRequest) -> HttpResponse:
    """The workup screen; an htmx request gets only the recommendation panel of the same template.

    GET shows the empty screen, or with `?draft=<token>` the screen prefilled from a CDS card's draft
    (a SMART launch's draft adds its notice of what was read from the record).
    POST (plain or htmx) evaluates the form; an invalid field is a normal 200 response that names the
    field and keeps everything else typed. With "Show the pathway map" the full page carries the lit
    map; the fragment only a container that loads it, so every keystroke's answer stays small.
    """
    return _workup_screen(request)


def _workup_screen(request: HtmxHttpRequest, *, refusal: str = "", status: int = 200) -> HttpResponse:
    """The screen (or its panel) for this request; `refusal` replaces the draft notice (see below)."""
    data, notice, draft = _screen_data(request)
    notice_kind = "draft-missing" if notice else ""
    if refusal:
        notice, notice_kind = refusal, "refused"
    form = workup_form(data, remembered_units=_unit_system(request))
    result = _screen_result(form)
    cleaned, unit_system = (form.cleaned_data if form.is_bound else None), form.unit_system
    show_map = cleaned is not None and bool(cleaned.get("show_map")) and result.assessment is not None
    record_notice = draft.record_notice if draft else {}
    context = {"form": form, "result": result, "notice": notice, "notice_kind": notice_kind, "show_map": show_map, "feedback_keys": feedback_keys(),
               "draft_hours": drafts.DRAFT_HOURS, "panel_delay_ms": PANEL_DELAY_MS,
               "record_notice": record_notice, "record_draft": draft.token if record_notice else ""}
    template = "workup/workup.html"
    if request.htmx:
        template += "#recommendation-panel"
    elif show_map:
        context |= map_context(case_map_for(assessment=result.assessment))
    response = render(request, template, context, status=status)
    if data is not None and not request.htmx:
        # Only a whole page remembers the preference. With JavaScript, app.js writes the cookie the
        # moment the choice changes; a fragment answering an older keystroke must not overwrite it.
        _remember(response, UNITS_COOKIE, unit_system)
    return allow_launch_screen_frame(request, response)


def _screen_result(form) -> services.ScreenResult:
    """The result for a form: its messages, or the assessment of what it read."""
    errors = {name: list(messages) for name, messages in form.errors.items()}  # runs the checks
    return services.workup_from_form(data=form.cleaned_data if form.is_bound else None, form_errors=errors)


@require_POST
def sign_in_to_save(request: HtmxHttpRequest) -> HttpResponse:
    """"Sign in to save" without losing what was typed: keep it as a short-lived draft, then sign in.

    The panel's button posts the whole workup form here. Readable inputs become a draft (the one
    CDS links use, gone after `drafts.DRAFT_LIFETIME`) and the person signs in with a way back to
    the screen prefilled from it (with the record notice of the launch the screen was opened from, if
    any); unreadable inputs get the screen again with their messages.
    Signed out, one client address may hold `drafts.SIGNED_OUT_DRAFTS_PER_ADDRESS` live drafts;
    past that the screen comes back as posted (429) and says to sign in first.
    """
    result = _screen_result(workup_form(request.POST, remembered_units=_unit_system(request)))
    if not result.complete:  # a draft holds every entry as typed, or none
        return workup(request)
    source = "" if request.user.is_authenticated else drafts.draft_source(address=client_ip(request))
    if not drafts.drafts_allowed(source=source):
        return _workup_screen(request, refusal=DRAFTS_REFUSED, status=429)
    opened_with = drafts.draft_open(token=request.POST.get("draft", ""))  # a launch's notice survives sign-in
    try:
        token = drafts.draft_create(case_data=json.loads(result.inputs_json), source=source,
                                    record_notice=opened_with.record_notice if opened_with else None)
    except CaseInvalid:  # only a number typed past a float's 15–17 digits, at a bound, can
        return workup(request)    # stop being plausible in the JSON store: the screen, as posted
    back = f"{reverse('workup')}?{urlencode({'draft': token})}"
    if request.user.is_authenticated:
        return redirect(back)
    return redirect(f"{reverse('login')}?{urlencode({'next': back})}")


@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    """No-JavaScript path for the theme switch: remember the choice in a cookie and go back."""
    back = request.headers.get("referer", "")
    safe = url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()})
    response = redirect(back if safe and back else "workup")
    theme = request.POST.get("theme")
    if theme in THEMES:
        _remember(response, THEME_COOKIE, theme)
    return response


# --- Error handlers ----------------------------------------------------------------------------

_JSON_PREFIXES = ("/api/", "/cds-services")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: JSON for API clients (they read JSON, never a page), the branded page for people."""
    if request.path.startswith(_JSON_PREFIXES):
        return json_errors({"path": ["No such resource."]}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: JSON for API clients, the branded page (no stack trace) for people."""
    if request.path.startswith(_JSON_PREFIXES):
        return json_errors({"server": ["Something went wrong on our side; nothing was stored."]}, status=500)
    return defaults.server_error(request)
