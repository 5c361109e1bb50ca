"""SMART on FHIR EHR launch of the workup screen (see workup/ehr/smart.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from workup.ehr import smart
from workup.ehr.views import public_base_url

SESSION_KEY = "smart_launch"


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
    iss, launch = request.GET.get("iss", ""), request.GET.get("launch", "")
    if not iss or not launch or len(iss) > 500 or len(launch) > 2000:
        return _refused("The launch needs the EHR's iss and launch parameters.")
    try:
        url, pending = smart.launch_begin(iss=iss, launch=launch, redirect_uri=_redirect_uri(request))
    except smart.LaunchRefused as refused:
        return _refused(str(refused))
    request.session[SESSION_KEY] = pending
    return HttpResponseRedirect(url)


@require_GET
def smart_callback(request: HttpRequest) -> HttpResponse:
    """GET /launch/callback?code=…&state=…: finish the authorization and open the prefilled screen."""
    pending = request.session.pop(SESSION_KEY, None)
    if "error" in request.GET:
        return _refused("The EHR did not authorize the launch.")
    try:
        token = smart.launch_complete(pending=pending, code=request.GET.get("code", "")[:2000],
                                      state=request.GET.get("state", "")[:200], redirect_uri=_redirect_uri(request))
    except smart.LaunchRefused as refused:
        return _refused(str(refused))
    return HttpResponseRedirect(f"{reverse('workup')}?draft={token}")
