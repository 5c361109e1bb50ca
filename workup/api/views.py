"""The JSON API: evaluate a case, read the rule table, the OpenAPI document and CDS drafts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from workup.api.services import workup_evaluate_request
from workup.ehr import openapi
from workup.http import JsonDuplicateKey, JsonNumberRefused, json_body, json_errors
from workup.pathway.engine import PATHWAY_INFO, pathway_content
from workup.pathway.parsing import CaseInvalid
from workup.pathway.result import to_jsonable
from workup.saved import drafts


@csrf_exempt  # a stateless JSON API: no cookie, no session, nothing to forge
@require_POST
def api_evaluate(request: HttpRequest) -> JsonResponse:
    """POST /api/v1/evaluate: a case (inputs and/or a FHIR Bundle of labs) in, the assessment out."""
    try:
        data = json_body(request)
    except (JsonNumberRefused, JsonDuplicateKey) as refused:
        return json_errors({refused.field: [refused.message]})
    except ValueError:
        return json_errors({"body": ["The body is not valid JSON."]})
    try:
        assessment = workup_evaluate_request(data=data)
    except CaseInvalid as invalid:
        return json_errors(invalid.errors)
    return HttpResponse(assessment.to_json(), content_type="application/json")


@csrf_exempt  # read-only: exempt so that other methods get 405, not a CSRF 403
@require_GET
def api_pathway(request: HttpRequest) -> JsonResponse:
    """GET /api/v1/pathway: the rule table itself, with its identity and hash."""
    body = {"pathway": to_jsonable(PATHWAY_INFO), **pathway_content()}
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@csrf_exempt  # read-only: exempt so that other methods get 405, not a CSRF 403
@require_GET
def api_openapi(request: HttpRequest) -> JsonResponse:
    """GET /api/v1/openapi.json: the OpenAPI 3.1 document, generated from the input table."""
    return JsonResponse(openapi.build_openapi(), json_dumps_params={"ensure_ascii": False})


@csrf_exempt  # reads only, with no cookie or session: nothing to forge
@require_POST
def api_draft(request: HttpRequest) -> JsonResponse:
    """POST /api/v1/drafts with {"token": "…"}: the pathway inputs behind a live draft token.

    The token travels in the body, never in the path or the query, so no access log records it.
    """
    try:
        data = json_body(request)
    except (ValueError, JsonNumberRefused, JsonDuplicateKey):
        data = None
    if not isinstance(data, dict) or set(data) != {"token"} or not isinstance(data["token"], str):
        return json_errors({"body": ['The body must be {"token": "<the draft\'s token>"}.']})
    inputs = drafts.draft_load(token=data["token"])
    if inputs is None:
        return json_errors({"token": ["Unknown or expired draft."]}, status=404)
    return JsonResponse({"inputs": inputs}, json_dumps_params={"ensure_ascii": False})
