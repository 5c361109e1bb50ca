"""SMART on FHIR EHR launch of the workup screen (see workup/ehr/smart.py)."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET

from workup.ehr import smart
from workup.ehr.views import public_base_url
from workup.throttle import LAUNCH_RATE, client_ip, rate_allowed


def allow_ehr_frame(request: HttpRequest, response: HttpResponse, origins: tuple[str, ...]) -> HttpResponse:
    """Let exactly these EHR origins frame this one response (the site's policy otherwise unchanged).

    With no origin the response is left as it is: `frame-ancestors 'none'` and X-Frame-Options DENY.
    """
    if not origins:
        return response
    policy = {**settings.SECURE_CSP, "frame-ancestors": list(origins)}
    # The decorators set what the CSP and clickjacking middlewares read, for this response only.
    return xframe_options_exempt(csp_override(policy)(lambda _request: response))(request)


def allow_launch_screen_frame(request: HttpRequest, response: HttpResponse, *, token: str) -> HttpResponse:
    """The screen opened with a SMART launch's draft may be framed by the EHR that launched it."""
    if request.method != "GET" or not token or len(token) > 64:
        return response
    return allow_ehr_frame(request, response, smart.draft_frame_origins(draft_token=token))


def _refused(message: str) -> HttpResponse:
    response = HttpResponse(f"The marrow workup could not be opened from the EHR. {message}\n", status=400,
                            content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def _redirect_uri(request: HttpRequest) -> str:
    return public_base_url(request) + reverse("smart-callback")


@require_GET
def smart_launch(request: HttpRequest) -> HttpResponse:
    """GET /launch?iss=…&launch=…: start the authorization (PKCE) with the EHR that launched us."""
    if not rate_allowed(LAUNCH_RATE, key=client_ip(request)):
        response = _refused("Too many launches from this network in the last minute; wait a minute, "
                            "then open the app from the record again.")
        response.status_code = 429
        response["Retry-After"] = "60"
        return response
    iss, launch = request.GET.get("iss", ""), request.GET.get("launch", "")
    if not iss or not launch or len(iss) > 500 or len(launch) > 2000:
        return _refused("The launch needs the EHR's iss and launch parameters.")
    try:
        url, ehr = smart.launch_begin(iss=iss, launch=launch, redirect_uri=_redirect_uri(request))
    except smart.LaunchRefused as refused:
        return _refused(str(refused))
    return allow_ehr_frame(request, HttpResponseRedirect(url), ehr.frame_origins)


@require_GET
def smart_callback(request: HttpRequest) -> HttpResponse:
    """GET /launch/callback?code=…&state=…: finish the authorization and open the prefilled screen."""
    state = request.GET.get("state", "")[:200]
    if "error" in request.GET:
        with contextlib.suppress(smart.LaunchRefused):
            smart.launch_take(state=state)  # a refused launch cannot be completed later
        return _refused("The EHR did not authorize the launch.")
    try:
        token, ehr = smart.launch_complete(state=state, code=request.GET.get("code", "")[:2000],
                                           redirect_uri=_redirect_uri(request))
    except smart.LaunchRefused as refused:
        return _refused(str(refused))
    from workup.views import draft_hand_over  # the screen's own module imports this one

    response = draft_hand_over(request, HttpResponseRedirect(reverse("workup")), token)
    return allow_ehr_frame(request, response, ehr.frame_origins)
