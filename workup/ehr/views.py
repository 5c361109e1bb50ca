"""CDS Hooks 2.0: discovery, the services and their feedback endpoints.

Every answer other than discovery's and a card list is a FHIR OperationOutcome: an unknown
service (404), a wrong method (405), a body over the size limit (413), a bad request (400) and a
caller without a trusted client JWT (401). Browser-based CDS Clients from the origins in
CDS_CORS_ALLOWED_ORIGINS get CORS headers, including on the preflight.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from workup.ehr import cds, cds_auth
from workup.ehr.outbound import MAX_JSON_DEPTH, json_depth
from workup.http import JsonNumberRefused, json_body
from workup.saved import drafts
from workup.throttle import client_ip

CORS_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Max-Age": "600",
}


class MethodNotAllowed(cds.CdsError):
    status = 405
    issue_code = "not-supported"


class BodyTooLarge(cds.CdsError):
    status = 413
    issue_code = "too-costly"


def _with_cors(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    origin = request.headers.get("Origin")
    allowed = settings.CDS_CORS_ALLOWED_ORIGINS
    if origin and ("*" in allowed or origin in allowed):
        response["Access-Control-Allow-Origin"] = "*" if "*" in allowed else origin
        for name, value in CORS_HEADERS.items():
            response[name] = value
        response["Vary"] = "Origin"
    return response


def _outcome(request: HttpRequest, error: cds.CdsError) -> HttpResponse:
    body = cds.operation_outcome(code=error.issue_code, diagnostics=str(error))
    response = JsonResponse(body, status=error.status, json_dumps_params={"ensure_ascii": False})
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="cds-services"'
    if error.status == 405:
        response["Allow"] = "POST, OPTIONS"
    return _with_cors(request, response)


def _cds_answer(request: HttpRequest, respond: Callable[[object, str], dict]) -> HttpResponse:
    """Check the method and the caller, decode the JSON body and answer with `respond(body, source)`.

    `source` is "" for a verified client, else the keyed hash of the caller's address (for caps on
    what an unverified caller may store).
    """
    if request.method == "OPTIONS":
        return _with_cors(request, HttpResponse(status=204))
    try:
        if request.method != "POST":
            raise MethodNotAllowed(f"{request.method[:10]} is not allowed here; CDS Hooks calls use POST.")
        issuer = cds_auth.cds_client_verify(authorization=request.headers.get("Authorization"),
                                            audience=public_base_url(request) + request.path)
        source = "" if issuer else drafts.draft_source(address=client_ip(request) or "unknown")
        try:
            body = json_body(request)
        except RequestDataTooBig as too_big:
            raise BodyTooLarge("The body is larger than this service accepts.") from too_big
        except JsonNumberRefused as refused:
            raise cds.CdsError(f"{refused.field}: {refused.message}") from refused
        except ValueError as not_json:
            raise cds.CdsError("The body is not valid JSON.") from not_json
        if json_depth(body) > MAX_JSON_DEPTH:
            raise cds.CdsError(f"The body is nested more than {MAX_JSON_DEPTH} levels deep; a CDS Hooks request is not.")
        answer = JsonResponse(respond(body, source), json_dumps_params={"ensure_ascii": False})
        return _with_cors(request, answer)
    except cds.CdsError as error:
        return _outcome(request, error)


def public_base_url(request: HttpRequest) -> str:
    """PUBLIC_BASE_URL when set (production); otherwise this request's own address (development)."""
    return settings.PUBLIC_BASE_URL or request.build_absolute_uri("/").rstrip("/")


@csrf_exempt  # read-only; other methods get an OperationOutcome
def cds_discovery(request: HttpRequest) -> HttpResponse:
    """GET /cds-services: the services this server offers and the FHIR data to prefetch."""
    if request.method == "OPTIONS":
        return _with_cors(request, HttpResponse(status=204))
    if request.method not in ("GET", "HEAD"):
        error = MethodNotAllowed("Discovery is read with GET.")
        response = _outcome(request, error)
        response["Allow"] = "GET, OPTIONS"
        return response
    return _with_cors(request, JsonResponse(cds.cds_discovery()))


@csrf_exempt  # called server-to-server (or by a browser client) with a JSON body; no cookie, no session
def cds_service(request: HttpRequest, service_id: str) -> HttpResponse:
    """POST /cds-services/{id}: prefetched labs in, a card (or none) out (412 without prefetch)."""
    return _cds_answer(request, lambda body, source: cds.cds_hook_respond(
        body=body, base_url=public_base_url(request), source=source, service_id=service_id))


@csrf_exempt  # called server-to-server with a JSON body; no cookie, no session
def cds_feedback(request: HttpRequest, service_id: str) -> HttpResponse:
    """POST /cds-services/{id}/feedback: record accepted/overridden outcomes (200, empty object)."""

    def record(body: object, source: str) -> dict:
        if service_id not in cds.enabled_services():
            raise cds.ServiceUnknown(f"No CDS Service “{service_id[:60]}” here; see GET /cds-services.")
        cds.card_feedback_record(body=body, base_url=public_base_url(request), service_id=service_id)
        return {}

    return _cds_answer(request, record)


@require_GET
def cds_override_reasons(request: HttpRequest) -> HttpResponse:
    """GET /cds-services/override-reasons: the CodeSystem the cards' override reasons come from."""
    return _with_cors(request, JsonResponse(cds.override_reason_code_system(base_url=public_base_url(request)),
                                            content_type="application/fhir+json"))


def cds_not_found(request: HttpRequest, rest: str) -> HttpResponse:
    """Any other path under /cds-services/: a 404 OperationOutcome."""
    return _outcome(request, cds.ServiceUnknown("No such CDS Hooks endpoint; see GET /cds-services."))
