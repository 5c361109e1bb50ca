"""The workup screen: thin function-based views that parse the request, call a service, render."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from workup import services
from workup.context_processors import THEME_COOKIE, THEMES
from workup.ehr import smart
from workup.ehr.views_smart import allow_launch_screen_frame
from workup.forms import DEFAULT_UNIT_SYSTEM, UNIT_SYSTEMS, feedback_keys, workup_form
from workup.http import json_errors
from workup.learning.services import case_map_for
from workup.learning.views import map_context
from workup.pathway.parsing import CaseInvalid
from workup.pathway.wording import notice_say
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


DRAFTS_REFUSED = {
    "address": (
        f"Nothing was kept: {drafts.SIGNED_OUT_DRAFTS_PER_ADDRESS} workups from this network are already waiting "
        f"for a sign-in (each is kept {drafts.DRAFT_HOURS} hours). Your entries are still below. Sign in in "
        "another tab or window, then press \u201cSign in to save\u201d here again."
    ),
    "browser": (
        f"Nothing was kept: this browser already has {drafts.SIGNED_OUT_DRAFTS_PER_BROWSER} workups waiting for a "
        f"sign-in (each is kept {drafts.DRAFT_HOURS} hours). Your entries are still below. Sign in in another "
        "tab or window, then press \u201cSign in to save\u201d here again."
    ),
    "user": (
        f"Nothing was kept: you already have {drafts.SIGNED_IN_DRAFTS_PER_USER} workups kept for the next "
        f"{drafts.DRAFT_HOURS} hours. Your entries are still below; save this one from the panel instead."
    ),
}


# A draft's token never stays in the screen's URL (issue 21 item 5): the address bar, the history and
# the Referer of every file the page loads would carry it, and it opens labs, age and sex for two
# hours. The screen is opened with the token in this cookie instead, which the screen reads once.
DRAFT_COOKIE = "workup_draft"


def draft_hand_over(request: HttpRequest, response: HttpResponse, token: str) -> HttpResponse:
    """Let the next GET of the screen open this draft: an HttpOnly cookie, never a URL.

    SameSite as the CSRF cookie, so a screen the EHR frames (SMART launch) receives it too.
    """
    response.set_cookie(DRAFT_COOKIE, token, max_age=int(drafts.DRAFT_LIFETIME.total_seconds()), path="/",
                        secure=request.is_secure(), httponly=True, samesite=settings.CSRF_COOKIE_SAMESITE)
    return response


def _screen_data(request: HtmxHttpRequest) -> tuple[object, str, drafts.Draft | None]:
    """The data the form is bound to (a POST, a draft's inputs, or None), a notice for the person, and
    the draft the screen was opened with, whose record notice a whole page shows.

    The form carries the draft's token, so a page posted without JavaScript keeps the notice of the
    launch it was opened from; a fragment never shows it, so it does not look the draft up.
    """
    if request.method == "POST":
        return request.POST, "", None if request.htmx else drafts.draft_open(token=request.POST.get("draft", ""))
    token = request.GET.get("draft", request.COOKIES.get(DRAFT_COOKIE))
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
    token = request.GET.get("draft")
    if request.method == "GET" and token and drafts.TOKEN_PATTERN.fullmatch(token):
        # A CDS card's link (the EHR opens it; it cannot set a cookie): swap the token in the URL for
        # the cookie and show the screen at `/`, whose URL, history entry and Referer hold no token.
        # No Referer leaves this answer either. (The screen itself keeps the site's same-origin
        # policy: with no-referrer a browser sends `Origin: null` with a form's POST, which the CSRF
        # check must refuse.)
        response = draft_hand_over(request, redirect("workup"), token)
        response["Referrer-Policy"] = "no-referrer"
        return allow_launch_screen_frame(request, response, token=token)
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
    banner = smart.banner_from_cookie(request.COOKIES.get(smart.BANNER_COOKIE, ""), draft_token=draft.token) \
        if record_notice else None
    context = {"patient_banner": notice_say("banner", name=banner.name, birth_date=banner.birth_date,
                                            sex=banner.sex) if banner else "",
               "form": form, "result": result, "notice": notice, "notice_kind": notice_kind, "show_map": show_map, "feedback_keys": feedback_keys(),
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
    if request.method == "GET" and DRAFT_COOKIE in request.COOKIES:
        # Read once: the screen opened again later is empty, not the last patient's values.
        response.delete_cookie(DRAFT_COOKIE, path="/", samesite=settings.CSRF_COOKIE_SAMESITE)
    return allow_launch_screen_frame(request, response, token=draft.token if draft else "")


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
    if request.user.is_authenticated:
        source, keeper = "", drafts.draft_keeper(kind="user", ident=str(request.user.pk))
    else:
        if request.session.session_key is None:
            request.session.save()  # the browser's own budget needs a session to count by
        source = drafts.draft_source(address=client_ip(request))
        keeper = drafts.draft_keeper(kind="browser", ident=request.session.session_key)
    refusal = drafts.drafts_refusal(source=source, keeper=keeper)
    if refusal is not None:
        return _workup_screen(request, refusal=DRAFTS_REFUSED[refusal], status=429)
    opened_with = drafts.draft_open(token=request.POST.get("draft", ""))  # a launch's notice survives sign-in
    try:
        token = drafts.draft_create(case_data=json.loads(result.inputs_json), source=source, keeper=keeper,
                                    record_notice=opened_with.record_notice if opened_with else None)
    except CaseInvalid:  # only a number typed past a float's 15–17 digits, at a bound, can
        return workup(request)    # stop being plausible in the JSON store: the screen, as posted
    if request.user.is_authenticated:
        return draft_hand_over(request, redirect("workup"), token)
    # The cookie outlives the sign-in (which renews the session, not other cookies).
    return draft_hand_over(request, redirect(f"{reverse('login')}?{urlencode({'next': reverse('workup')})}"), token)


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
