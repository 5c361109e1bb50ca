"""Throttles kept in the database (the app holds no state outside it, so every app server agrees).

Rate limits on costly actions (`rate_allowed`): the SMART launch per client address, the PDF export
per user, drafts kept for a signed-in user. Each request is recorded first and then counted, so
parallel requests cannot all see room that only one of them has.

Failed-login throttling:

An account is locked for LOCKOUT_WINDOW after MAX_FAILURES_PER_USER failures within that window,
and a client address after MAX_FAILURES_PER_IP. The backend enforces it for every sign-in path
(login page and admin) and for the old password on both password-change forms, which is a sign-in
by another name; the forms say so in plain words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from ipware import get_client_ip

from workup.models import FailedLogin, RateHit

LOCKOUT_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_IP = 20
LOCKED_MESSAGE = (
    "Too many failed sign-in attempts. Sign-in is paused for 15 minutes for this account; "
    "ask an administrator if you have forgotten your password."
)


def client_ip(request: HttpRequest | None) -> str | None:
    """The address of the person's machine, as the proxies in front of the app (PROXY_COUNT) saw it.

    With no proxy it is the socket's peer. Behind N proxies it is the Nth entry from the right of
    X-Forwarded-For: each proxy appends the address it was called from, so entries further left are
    whatever the client chose to send and are never trusted. A request that reached the app without
    a usable header (a direct health probe, a garbled chain) falls back to the peer's address.
    """
    if request is None:
        return None
    peer = request.META.get("REMOTE_ADDR")
    if settings.PROXY_COUNT == 0:
        return peer
    # ipware counts the proxies listed *in* the header, i.e. all but the last (whose address is the
    # socket's peer); non-strict: a longer chain is fine, its client-supplied left part is ignored.
    address, _routable = get_client_ip(request, proxy_order="left-most", proxy_count=settings.PROXY_COUNT - 1,
                                       request_header_order=["HTTP_X_FORWARDED_FOR"], strict=False)
    return address or peer


@dataclass(frozen=True, slots=True)
class Rate:
    """At most `limit` requests per `window` for one key of one scope."""

    scope: str
    limit: int
    window: dt.timedelta


# A SMART launch costs a row and an outbound request to the EHR: 30 a minute per address is a ward
# of clinicians opening the app at once, and far below the review's 300 in a burst.
LAUNCH_RATE = Rate("launch", 30, dt.timedelta(minutes=1))
# A PDF takes about 111 ms of a worker: 20 a minute per user is more than anyone prints, and keeps
# one person from holding a worker for more than a few seconds a minute.
PDF_RATE = Rate("pdf", 20, dt.timedelta(minutes=1))


def rate_key(value: str) -> str:
    """What a hit records of an address or a user: a hash keyed with SECRET_KEY."""
    return salted_hmac("workup.throttle.rate", value, algorithm="sha256").hexdigest()


def rate_allowed(rate: Rate, *, key: str | None) -> bool:
    """Record one request and say whether it is within the rate (a request without a key always is).

    Insert, then count: the k-th request to be recorded sees at least k rows, so however many run in
    parallel, at most `limit` are allowed in one window. Refused requests count too: a client that
    keeps asking stays refused until it slows down.
    """
    if not key:
        return True
    now = timezone.now()
    hashed = rate_key(key)
    RateHit.objects.filter(scope=rate.scope, at__lt=now - rate.window).delete()
    RateHit.objects.create(scope=rate.scope, key=hashed, at=now)
    return RateHit.objects.filter(scope=rate.scope, key=hashed, at__gte=now - rate.window).count() <= rate.limit


def login_throttled(*, username: str, ip_address: str | None) -> bool:
    """True while recent failures for this username or address reach their limit."""
    recent = FailedLogin.objects.filter(at__gte=timezone.now() - LOCKOUT_WINDOW)
    if recent.filter(username__iexact=username).count() >= MAX_FAILURES_PER_USER:
        return True
    return ip_address is not None and recent.filter(ip_address=ip_address).count() >= MAX_FAILURES_PER_IP


def login_over_limit(*, username: str, ip_address: str | None) -> bool:
    """True when recent failures, the attempt just recorded included, exceed a limit."""
    recent = FailedLogin.objects.filter(at__gte=timezone.now() - LOCKOUT_WINDOW)
    if recent.filter(username__iexact=username).count() > MAX_FAILURES_PER_USER:
        return True
    return ip_address is not None and recent.filter(ip_address=ip_address).count() > MAX_FAILURES_PER_IP


def login_failure_record(*, username: str, ip_address: str | None) -> FailedLogin:
    """Store one failure and forget those older than the window, so the table stays small."""
    FailedLogin.objects.filter(at__lt=timezone.now() - LOCKOUT_WINDOW).delete()
    return FailedLogin.objects.create(username=username[:150], ip_address=ip_address)


def login_failures_clear(*, username: str) -> None:
    """A successful sign-in forgets the account's failures (not the address's)."""
    FailedLogin.objects.filter(username__iexact=username).delete()


class ThrottledModelBackend(ModelBackend):
    """ModelBackend that refuses locked accounts and records each failure."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("username")
        if username is None:
            return None
        ip_address = client_ip(request)
        if login_throttled(username=username, ip_address=ip_address):
            raise PermissionDenied(LOCKED_MESSAGE)
        # Check and record in one step: the attempt is recorded as a failure before the password is
        # checked, and goes on only while the count (its own row included) is within the limits. The
        # k-th of any number of parallel attempts sees at least k rows, so at most 5 passwords are
        # checked however the attempts interleave (checking first, 12 at once gave 6).
        attempt = login_failure_record(username=username, ip_address=ip_address)
        if login_over_limit(username=username, ip_address=ip_address):
            attempt.delete()
            raise PermissionDenied(LOCKED_MESSAGE)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None:
            attempt.delete()
            login_failures_clear(username=username)
        return user


class ThrottledAuthenticationForm(AuthenticationForm):
    """The login form, with a clear message when sign-in is paused."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and login_throttled(username=username, ip_address=client_ip(self.request)):
            raise forms.ValidationError(LOCKED_MESSAGE, code="throttled")
        return super().clean()


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """The password-change form: the old password is checked through the throttled backend.

    A wrong old password is recorded as a failed sign-in, and while the account or address is
    paused even the right one is refused, so a left-open session cannot be used to guess it.
    """

    def __init__(self, user, *args, request: HttpRequest | None = None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        username = self.user.get_username()
        if login_throttled(username=username, ip_address=client_ip(self.request)):
            raise forms.ValidationError(LOCKED_MESSAGE, code="throttled")
        if authenticate(self.request, username=username, password=old_password) != self.user:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class ThrottledAdminPasswordChangeForm(ThrottledPasswordChangeForm):
    """The admin site's password-change form (its view passes no request: counted per account)."""

    required_css_class = "required"


class ThrottledPasswordChangeView(PasswordChangeView):
    """/accounts/password_change/ with the throttled form, which counts per account and address."""

    form_class = ThrottledPasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}
