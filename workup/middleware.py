"""Request size limit (413 before any view reads the body), compression of HTML only, and session
and browser hygiene: idle and absolute session limits, no-store answers, Secure preference cookies."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import add_never_cache_headers

PREFERENCE_COOKIES = ("theme", "units")
SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
LAST_SEEN_STEP_SECONDS = 60  # write the session at most once a minute for the idle clock


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


class SessionLimitsMiddleware:
    """Sign out a session idle for SESSION_IDLE_TIMEOUT or older than SESSION_COOKIE_AGE.

    The idle clock is kept in the session, so saving it would slide Django's own expiry: the
    absolute limit is therefore counted here too, from the first request after sign-in.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request, now=int(time.time()))
        return self.get_response(request)

    @staticmethod
    def _check(request: HttpRequest, *, now: int) -> None:
        session = request.session
        signed_in_at = session.setdefault(SIGNED_IN_AT, now)
        last_seen_at = session.get(LAST_SEEN_AT, now)
        if now - last_seen_at > settings.SESSION_IDLE_TIMEOUT or now - signed_in_at > settings.SESSION_COOKIE_AGE:
            logout(request)  # flushes the session; the view then sees an anonymous user
            return
        if now - last_seen_at >= LAST_SEEN_STEP_SECONDS or LAST_SEEN_AT not in session:
            session[LAST_SEEN_AT] = now


class BrowserHygieneMiddleware:
    """No answer of the app is stored by a browser or proxy cache (they carry clinical values),
    and the preference cookies are Secure whenever the session cookie is or the request is HTTPS.

    Static files are answered by WhiteNoise before this runs and keep their long caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        if request.is_secure() or settings.SESSION_COOKIE_SECURE:
            for name in PREFERENCE_COOKIES:
                if name in response.cookies:
                    response.cookies[name]["secure"] = True
        return response
