"""Thin function-based views: parse the request, call one service, choose a response."""

from __future__ import annotations

import json
from decimal import Decimal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from workup import services
from workup.forms import DEFAULT_UNIT_SYSTEM, UNIT_SYSTEMS, workup_form
from workup.pathway.engine import PATHWAY_INFO, pathway_content
from workup.pathway.result import to_jsonable


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _json_errors(errors: dict[str, list[str]]) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=400)


@csrf_exempt  # a stateless JSON API: no cookie, no session, nothing to forge
@require_POST
def api_evaluate(request: HttpRequest) -> JsonResponse:
    """POST /api/v1/evaluate: a case as JSON in, the assessment as JSON out; stores nothing."""
    try:
        data = json.loads(request.body, parse_float=Decimal, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return _json_errors({"body": ["The body is not valid JSON."]})
    try:
        case = services.case_from_json(data=data)
    except services.CaseInvalid as invalid:
        return _json_errors(invalid.errors)
    return JsonResponse(services.workup_evaluate(case=case).to_dict(), json_dumps_params={"ensure_ascii": False})


@require_GET
def api_pathway(request: HttpRequest) -> JsonResponse:
    """GET /api/v1/pathway: the rule table itself, with its identity and hash."""
    body = {"pathway": to_jsonable(PATHWAY_INFO), **pathway_content()}
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers: no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


# --- The workup screen ---------------------------------------------------------------------------

THEME_COOKIE, UNITS_COOKIE = "theme", "units"
THEMES = ("dark", "light")
PREFERENCE_COOKIE_AGE = 365 * 24 * 3600


def _unit_system(request: HttpRequest) -> str:
    value = request.COOKIES.get(UNITS_COOKIE)
    return value if value in dict(UNIT_SYSTEMS) else DEFAULT_UNIT_SYSTEM


def _theme(request: HttpRequest) -> str:
    value = request.COOKIES.get(THEME_COOKIE)
    return value if value in THEMES else "dark"


def _remember(response: HttpResponse, name: str, value: str) -> None:
    response.set_cookie(name, value, max_age=PREFERENCE_COOKIE_AGE, samesite="Lax")


@require_http_methods(["GET", "POST"])
def workup(request: HtmxHttpRequest) -> HttpResponse:
    """The workup screen; an htmx request gets only the recommendation panel of the same template.

    GET shows the empty screen. POST (plain or htmx) evaluates the form; an invalid field is a normal
    200 response that names the field and keeps everything else typed.
    """
    form = workup_form(request.POST if request.method == "POST" else None, remembered_units=_unit_system(request))
    form_errors = {name: list(messages) for name, messages in form.errors.items()}  # runs the checks
    result = services.workup_from_form(data=form.cleaned_data if form.is_bound else None, form_errors=form_errors)
    context = {"form": form, "theme": _theme(request), "result": result}
    template = "workup/workup.html"
    if request.htmx:
        template += "#recommendation-panel"
    response = render(request, template, context)
    if form.is_bound:
        _remember(response, UNITS_COOKIE, form.unit_system)
    return response


@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    """No-JavaScript path for the theme switch: remember the choice in a cookie and go back."""
    response = redirect("workup")
    theme = request.POST.get("theme")
    if theme in THEMES:
        _remember(response, THEME_COOKIE, theme)
    return response
