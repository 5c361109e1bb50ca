"""Request size limit (413 before any view reads the body) and compression of HTML only."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.gzip import GZipMiddleware


def _too_large(request: HttpRequest) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    message = f"The request body is larger than {limit} bytes."
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": {"body": [message]}}, status=413)
    if request.path.startswith("/cds-services"):  # CDS Hooks: every error is a FHIR OperationOutcome
        outcome = {"resourceType": "OperationOutcome",
                   "issue": [{"severity": "error", "code": "too-costly", "diagnostics": message}]}
        return JsonResponse(outcome, status=413)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


def _declared_length(request: HttpRequest) -> int | None:
    """The Content-Length header as a number; None when absent or not a number."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


class RequestSizeLimitMiddleware:
    """Answer 413 when Content-Length exceeds DATA_UPLOAD_MAX_MEMORY_SIZE (Django alone says 400).

    Sits last in MIDDLEWARE so the security headers of the outer middleware apply to the 413 too.
    Django reads no more than Content-Length, so a body without one cannot grow past the limit.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _declared_length(request)
        if length is None:
            return HttpResponse("Invalid Content-Length.", status=400, content_type="text/plain")
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return _too_large(request)
        return self.get_response(request)


class HtmlGZipMiddleware(GZipMiddleware):
    """gzip pages and fragments, which have byte budgets; JSON goes out uncompressed.

    An API response is ~13 KB of JSON that gzip at Django's level 6 shrinks to ~3 KB for ~150 µs of
    CPU per request: more than half the engine's own time, on a bottleneck that is CPU, not the wire.
    A proxy in front may still compress JSON for clients on slow links.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
