"""SMART on FHIR EHR launch of the workup screen (see workup/ehr/smart.py)."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
from http.cookies import Morsel

from django.conf import settings
from django.core import signing
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


LAUNCH_COOKIE_SALT = "workup.smart.launch-browser"


class _PartitionedMorsel(Morsel):
    """A cookie with the `Partitioned` attribute (CHIPS), which Python's http.cookies (3.13) and
    Django's set_cookie do not offer: written by hand onto the Set-Cookie line."""

    def OutputString(self, attrs=None):  # noqa: N802 - the standard library's name
        return super().OutputString(attrs) + "; Partitioned"


def set_partitioned_cookie(response: HttpResponse, name: str, value: str, *, max_age: int | None, path: str) -> None:
    """A Secure, HttpOnly, SameSite=None, Partitioned cookie: sent to this app inside the EHR's
    cross-site frame too, and kept apart per top-level site."""
    response.set_cookie(name, value, max_age=max_age, path=path, secure=True, httponly=True, samesite="None")
    original = response.cookies[name]
    partitioned = _PartitionedMorsel()
    partitioned.set(original.key, original.value, original.coded_value)
    partitioned.update(original)
    dict.__setitem__(response.cookies, name, partitioned)


def launch_cookie_name(state: str) -> str:
    """One cookie per pending launch, so two launches in one browser do not overwrite each other."""
    return "marrow_launch_" + hashlib.sha256(state.encode()).hexdigest()[:16]


def started_here(request: HttpRequest, state: str) -> bool:
    """The browser brings back the cookie /launch set for this state, signed with the app's key."""
    value = request.COOKIES.get(launch_cookie_name(state), "") if state else ""
    try:
        signed = signing.loads(value, salt=LAUNCH_COOKIE_SALT, max_age=smart.LAUNCH_LIFETIME)
    except signing.BadSignature:
        return False
    return isinstance(signed, str) and hmac.compare_digest(signed, state)


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
        url, ehr, state = smart.launch_begin(iss=iss, launch=launch, redirect_uri=_redirect_uri(request))
    except smart.LaunchRefused as refused:
        return _refused(str(refused))
    response = HttpResponseRedirect(url)
    set_partitioned_cookie(response, launch_cookie_name(state), signing.dumps(state, salt=LAUNCH_COOKIE_SALT),
                           max_age=int(smart.LAUNCH_LIFETIME.total_seconds()), path=reverse("smart-callback"))
    return allow_ehr_frame(request, response, ehr.frame_origins)


@require_GET
def smart_callback(request: HttpRequest) -> HttpResponse:
    """GET /launch/callback?code=…&state=…: finish the authorization and open the prefilled screen."""
    state = request.GET.get("state", "")[:200]
    if "error" in request.GET:
        with contextlib.suppress(smart.LaunchRefused):
            smart.launch_take(state=state)  # a refused launch cannot be completed later
        return _refused("The EHR did not authorize the launch.")
    if not started_here(request, state):
        return _refused("This launch was not started in this browser. Start it again from the EHR.")
    try:
        token, ehr, banner = smart.launch_complete(state=state, code=request.GET.get("code", "")[:2000],
                                                   redirect_uri=_redirect_uri(request))
    except smart.LaunchRefused as refused:
        return _refused(str(refused))
    from workup.views import draft_hand_over  # the screen's own module imports this one

    response = draft_hand_over(request, HttpResponseRedirect(reverse("workup")), token)
    response.delete_cookie(launch_cookie_name(state), path=reverse("smart-callback"), samesite="None")
    if banner is not None:  # in this browser's cookie only: never on the server, in a log or in the draft
        set_partitioned_cookie(response, smart.BANNER_COOKIE, smart.banner_cookie_value(banner, draft_token=token),
                               max_age=None, path=reverse("workup"))
    return allow_ehr_frame(request, response, ehr.frame_origins)
