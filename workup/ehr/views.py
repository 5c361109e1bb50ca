"""CDS Hooks 2.0: discovery, the service and its feedback endpoint."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from workup.ehr import cds, cds_auth
from workup.http import json_body
from workup.saved import drafts
from workup.throttle import client_ip


def _cds_answer(request: HttpRequest, respond: Callable[[object, str], dict]) -> JsonResponse:
    """Check the caller, decode the JSON body and answer with `respond(body, source)`.

    `source` is "" for a verified client, else the keyed hash of the caller's address (for caps on
    what an unverified caller may store). A CdsError becomes an OperationOutcome; a caller without
    a trusted client JWT gets 401.
    """
    try:
        issuer = cds_auth.cds_client_verify(authorization=request.headers.get("Authorization"),
                                            audience=request.build_absolute_uri(request.path))
        source = "" if issuer else drafts.draft_source(address=client_ip(request) or "unknown")
        return JsonResponse(respond(json_body(request), source), json_dumps_params={"ensure_ascii": False})
    except ValueError:
        error = cds.CdsError("The body is not valid JSON.")
    except cds.CdsError as raised:
        error = raised
    body = cds.operation_outcome(code=error.issue_code, diagnostics=str(error))
    response = JsonResponse(body, status=error.status, json_dumps_params={"ensure_ascii": False})
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="cds-services"'
    return response


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@csrf_exempt  # read-only: exempt so that other methods get 405, not a CSRF 403
@require_GET
def cds_discovery(request: HttpRequest) -> JsonResponse:
    """GET /cds-services: the services this server offers and the FHIR data to prefetch."""
    return JsonResponse(cds.cds_discovery())


@csrf_exempt  # called server-to-server by the EHR with a JSON body; no cookie, no session
@require_POST
def cds_service(request: HttpRequest) -> JsonResponse:
    """POST /cds-services/marrow-workup: prefetched labs in, one card out (412 without prefetch)."""
    return _cds_answer(request, lambda body, source: cds.cds_hook_respond(
        body=body, base_url=_base_url(request), source=source))


@csrf_exempt  # called server-to-server by the EHR with a JSON body; no cookie, no session
@require_POST
def cds_feedback(request: HttpRequest) -> JsonResponse:
    """POST /cds-services/marrow-workup/feedback: record accepted/overridden outcomes (200, empty object)."""

    def record(body: object, source: str) -> dict:
        cds.card_feedback_record(body=body)
        return {}

    return _cds_answer(request, record)
