"""Thin function-based views: parse the request, call one service, choose a response."""

from __future__ import annotations

import json
from decimal import Decimal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from workup import services
from workup.pathway.engine import PATHWAY_INFO, pathway_content
from workup.pathway.result import to_jsonable


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
