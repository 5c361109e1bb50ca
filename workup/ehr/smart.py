"""SMART App Launch (EHR launch) of the workup screen: authorize, read the patient's labs, open a draft.

The EHR opens `/launch?iss=<FHIR base>&launch=<opaque>`. The app looks the issuer up in SMART_EHRS,
reads its `.well-known/smart-configuration`, and sends the browser to the authorization endpoint
with PKCE (S256), a random `state` and the scopes below. The callback exchanges the code for a
token (Authlib), reads the patient's labs and Patient resource with the same searches and the same
selection rules as the CDS service, stores them as a draft and opens `/` with its token in a cookie. The draft
also keeps the launch notice (workup/ehr/launch_notice.py): what was read, how it was chosen and what
was not used, as the CDS card says it, without dates or references, for the screen to show.

The access token never leaves the server: it is used for the FHIR reads during the callback and then
dropped. The pending launch (state, PKCE verifier, issuer) is a database row found by its `state`,
not a session entry: embedded in the EHR's page the app runs in a cross-site frame, where the
browser sends no SameSite=Lax cookie. The row is taken once, within LAUNCH_LIFETIME, and only by the
browser that started it: /launch sets a cookie holding the state signed with the app's key (Secure,
SameSite=None, Partitioned, so it reaches the callback inside the EHR's frame too), and the callback
refuses a state that comes without it. Nothing clinical goes into a URL: the screen is opened by the
draft's opaque token.

Every request to the EHR (smart-configuration, token, FHIR reads) goes to the registered `iss`'s own
https origin, follows no redirect, and is read under one total deadline and a size cap
(workup/ehr/outbound.py). The smart-configuration is cached per `iss`. A search answered in pages is
followed through its `next` links, up to MAX_PAGES; past that the search counts as incomplete and
is not used (the CDS rule for a partial prefetch).

Framing: an EHR entry may list `frame_origins`. The responses of a launch from that EHR (the
launch, its callback, and the screen opened with the launch's draft) allow exactly those origins
as `frame-ancestors`; every other response keeps the site's `frame-ancestors 'none'`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from workup.ehr import cds
from workup.ehr.launch_notice import launch_notice_build
from workup.ehr.outbound import OutboundRefused, deadline_after, get_json, parse_json, read_body, remaining
from workup.models import SmartLaunch
from workup.saved import drafts

# What the app reads: the patient's Observations and the Patient resource, in the EHR's launch context.
# No `openid fhirUser`: the app never identifies the user.
SCOPES = "launch patient/Observation.rs patient/Patient.rs"
READ_SCOPE = re.compile(r"patient/(?P<type>Observation|Patient|\*)\.(?P<perm>read|\*|[cruds]+)")
HTTP_DEADLINE_SECONDS = 8  # one request to the EHR, from sending it to its last byte
MAX_FHIR_BYTES = 2 * 1024 * 1024  # a few searches of five Observations each are far smaller
MAX_TOKEN_BYTES = 64 * 1024
MAX_CONFIG_BYTES = 64 * 1024
CONFIG_CACHE_SECONDS = 3600  # the smart-configuration of one iss, read once an hour
MAX_PAGES = 5  # pages followed per search on the SMART path
LAUNCH_LIFETIME = dt.timedelta(minutes=10)  # from /launch to the callback: one sign-in at the EHR
LOOPBACK_HOSTS = ("localhost",)


class LaunchRefused(Exception):
    """A launch this app cannot complete; the message says why, without clinical content."""


@dataclass(frozen=True, slots=True)
class SmartEhr:
    iss: str
    client_id: str
    frame_origins: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PatientBanner:
    """What the EHR asks the app to show when it shows no banner itself (`need_patient_banner`): for the
    launching browser only, never stored on the server, logged or put in a draft."""

    name: str
    birth_date: str
    sex: str


ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?")  # scheme://host[:port], nothing else


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in LOOPBACK_HOSTS


def origin_of(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def same_origin(url: str, iss: str) -> bool:
    """`url` is on the registered iss's own origin (https, or http on a loopback host for development)."""
    scheme, netloc = origin_of(url)
    return (scheme, netloc) == origin_of(iss) and (scheme == "https" or (scheme == "http" and _loopback(
        urlsplit(url).hostname or "")))


def smart_ehr(iss: str) -> SmartEhr:
    """The registered EHR with this issuer; its frame origins are kept only when each is a plain origin,
    so a setting cannot widen the policy with a wildcard, a keyword or another directive."""
    for entry in settings.SMART_EHRS:
        if entry.get("iss", "").rstrip("/") == iss.rstrip("/"):
            origins = tuple(entry.get("frame_origins", ()))
            if not all(isinstance(origin, str) and ORIGIN.fullmatch(origin) for origin in origins):
                raise LaunchRefused("This EHR's frame origins are misconfigured here (each must be scheme://host[:port]).")
            registered = entry["iss"].rstrip("/")
            if not same_origin(registered, registered):
                raise LaunchRefused("This EHR is registered with an iss that is not https.")
            return SmartEhr(registered, entry["client_id"], origins)
    raise LaunchRefused("This EHR is not registered to launch the marrow workup.")


def _fetch(url: str, *, headers: dict[str, str], max_bytes: int, what: str) -> Any:
    try:
        return get_json(url, headers=headers, seconds=HTTP_DEADLINE_SECONDS, max_bytes=max_bytes)[1]
    except OutboundRefused as refused:
        raise LaunchRefused(f"The EHR's {what} {refused}.") from refused


def smart_configuration(ehr: SmartEhr) -> dict[str, str]:
    """The EHR's authorization and token endpoints (cached per iss), each on the iss's own origin."""
    key = "smart-configuration:" + hashlib.sha256(ehr.iss.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached
    configuration = _fetch(f"{ehr.iss}/.well-known/smart-configuration", headers={"Accept": "application/json"},
                           max_bytes=MAX_CONFIG_BYTES, what="SMART configuration")
    endpoints = {name: configuration.get(name) if isinstance(configuration, dict) else None
                 for name in ("authorization_endpoint", "token_endpoint")}
    if not all(isinstance(url, str) for url in endpoints.values()):
        raise LaunchRefused("The EHR's SMART configuration names no authorization or token endpoint.")
    if not all(same_origin(url, ehr.iss) for url in endpoints.values()):
        raise LaunchRefused("The EHR's SMART configuration names endpoints outside the registered iss's origin.")
    cache.set(key, endpoints, timeout=CONFIG_CACHE_SECONDS)
    return endpoints


def launch_begin(*, iss: str, launch: str, redirect_uri: str) -> tuple[str, SmartEhr, str]:
    """The authorization URL to send the browser to (the pending launch is stored), the EHR, and the
    `state` the starting browser must bring back."""
    ehr = smart_ehr(iss)
    endpoints = smart_configuration(ehr)
    verifier = generate_token(64)
    client = OAuth2Session(ehr.client_id, scope=SCOPES, redirect_uri=redirect_uri, code_challenge_method="S256")
    url, state = client.create_authorization_url(endpoints["authorization_endpoint"], code_verifier=verifier,
                                                 launch=launch, aud=ehr.iss)
    now = timezone.now()
    SmartLaunch.objects.filter(expires_at__lte=now).delete()
    SmartLaunch.objects.create(state=state, verifier=verifier, iss=ehr.iss, token_endpoint=endpoints["token_endpoint"],
                               expires_at=now + LAUNCH_LIFETIME)
    return url, ehr, state


def launch_take(*, state: str) -> SmartLaunch:
    """The pending launch with this state, taken so that no second callback can use it."""
    with transaction.atomic():
        pending = SmartLaunch.objects.select_for_update().filter(
            state=state, taken=False, expires_at__gt=timezone.now()).first() if state else None
        if pending is None:
            raise LaunchRefused("This launch does not match one started here (state). Start it again from the EHR.")
        SmartLaunch.objects.filter(pk=pending.pk).update(taken=True, verifier="")
    return pending


class _BoundedSession(OAuth2Session):
    """Authlib's client, its token request read under one deadline and size cap, with no redirect."""

    deadline: float = 0.0

    def request(self, method, url, withhold_token=False, auth=None, **kwargs):
        kwargs |= {"allow_redirects": False, "stream": True,
                   "timeout": (min(remaining(self.deadline), 3.0), remaining(self.deadline))}
        answer = super().request(method, url, withhold_token=withhold_token, auth=auth, **kwargs)
        try:
            answer._content = read_body(answer, deadline=self.deadline, max_bytes=MAX_TOKEN_BYTES)
        finally:
            answer.close()
        if answer.is_redirect or 300 <= answer.status_code < 400:
            raise OutboundRefused("redirected")
        parse_json(answer._content)  # depth and JSON checked before Authlib reads it
        return answer


def granted_scopes_suffice(token: dict) -> bool:
    """The token's `scope` (when the EHR says it) grants reading Observations and the Patient."""
    scope = token.get("scope")
    if scope is None:
        return True  # RFC 6749 §5.1: no scope in the answer means the scope requested
    if not isinstance(scope, str):
        return False
    readable = set()
    for item in scope.split():
        match = READ_SCOPE.fullmatch(item)
        if match and (match["perm"] in ("read", "*") or "r" in match["perm"]):
            readable |= {"Observation", "Patient"} if match["type"] == "*" else {match["type"]}
    return {"Observation", "Patient"} <= readable


def launch_complete(*, state: str, code: str, redirect_uri: str) -> tuple[str, SmartEhr, PatientBanner | None]:
    """Take the pending launch, exchange the code, read the labs with the CDS selection rules, and
    return a draft token with the EHR that launched it (and the banner, when the EHR asks for one)."""
    pending = launch_take(state=state)
    ehr = smart_ehr(pending.iss)
    if not same_origin(pending.token_endpoint, ehr.iss):
        raise LaunchRefused("The EHR's token endpoint is outside the registered iss's origin.")
    client = _BoundedSession(ehr.client_id, redirect_uri=redirect_uri, code_challenge_method="S256")
    client.deadline = deadline_after(HTTP_DEADLINE_SECONDS)
    try:
        token = client.fetch_token(pending.token_endpoint, code=code, code_verifier=pending.verifier)
    except Exception as failed:  # Authlib raises its own OAuth errors; requests' and ours too
        raise LaunchRefused("The EHR did not grant access (token request refused).") from failed
    if str(token.get("token_type", "")).lower() != "bearer" or not isinstance(token.get("access_token"), str):
        raise LaunchRefused("The EHR granted a token that is not a Bearer access token.")
    if not granted_scopes_suffice(token):
        raise LaunchRefused("The EHR did not grant reading the patient's Observations and Patient record.")
    patient_id = token.get("patient")
    if not isinstance(patient_id, str) or not patient_id:
        raise LaunchRefused("The EHR granted access without a patient in context.")
    record = _read_record(ehr.iss, token["access_token"], patient_id)
    draft = launch_draft_create(record=record, patient_id=patient_id)
    SmartLaunch.objects.filter(pk=pending.pk).update(draft_token=draft,
                                                     expires_at=timezone.now() + drafts.DRAFT_LIFETIME)
    banner = patient_banner(record.get(cds.PATIENT_KEY), patient_id) if token.get("need_patient_banner") is True else None
    return draft, ehr, banner


def patient_banner(patient: Any, patient_id: str) -> PatientBanner | None:
    """Name, birth date and administrative sex from the EHR's Patient, as the EHR wrote them."""
    if not isinstance(patient, dict) or patient.get("resourceType") != "Patient" or patient.get("id") != patient_id:
        return None
    names = patient.get("name") if isinstance(patient.get("name"), list) else []
    name = ""
    for entry in names:
        if isinstance(entry, dict):
            given = [part for part in entry.get("given", []) if isinstance(part, str)] \
                if isinstance(entry.get("given"), list) else []
            family = entry.get("family") if isinstance(entry.get("family"), str) else ""
            name = entry.get("text") if isinstance(entry.get("text"), str) else " ".join([*given, family]).strip()
            if name:
                break
    return PatientBanner(_short(name), _short(patient.get("birthDate")), _short(patient.get("gender")))


def _short(value: Any) -> str:
    return value[:120] if isinstance(value, str) else ""


BANNER_COOKIE = "marrow_patient_banner"  # a browser-session cookie: gone when the browser closes
BANNER_COOKIE_SALT = "workup.smart.patient-banner"


def banner_cookie_value(banner: PatientBanner, *, draft_token: str) -> str:
    """The banner, signed and bound to the launch's draft, for the launching browser's cookie."""
    return signing.dumps({"draft": draft_token, "name": banner.name, "birth_date": banner.birth_date,
                          "sex": banner.sex}, salt=BANNER_COOKIE_SALT)


def banner_from_cookie(value: str, *, draft_token: str) -> PatientBanner | None:
    """The banner in this browser's cookie, when it was set by the launch that made this draft."""
    if not value or not draft_token:
        return None
    try:
        data = signing.loads(value, salt=BANNER_COOKIE_SALT, max_age=drafts.DRAFT_LIFETIME)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("draft") != draft_token:
        return None
    return PatientBanner(str(data.get("name", "")), str(data.get("birth_date", "")), str(data.get("sex", "")))


def launch_draft_create(*, record: dict[str, Any], patient_id: str) -> str:
    """The draft a launch opens: the inputs chosen from the record by the CDS selection rules, and the
    notice of what was read, how it was chosen and what was not used."""
    selection = cds.record_selection(patient_id=patient_id)
    labs = cds.labs_from_prefetch(prefetch=record, selection=selection)
    notice = launch_notice_build(labs=labs, opened_at=selection.evaluated_at)
    return drafts.draft_create(case_data=labs.inputs, record_notice=notice)


def draft_frame_origins(*, draft_token: str) -> tuple[str, ...]:
    """The origins that may frame the screen opened with this draft: those of the EHR whose launch
    made it, while the draft lives; none for any other draft."""
    if not draft_token:
        return ()
    launch = SmartLaunch.objects.filter(draft_token=draft_token, expires_at__gt=timezone.now()).first()
    if launch is None:
        return ()
    try:
        return smart_ehr(launch.iss).frame_origins
    except LaunchRefused:  # the EHR was removed from SMART_EHRS since
        return ()


def _read_record(iss: str, access_token: str, patient_id: str) -> dict[str, Any]:
    """The CDS prefetch searches, run against the EHR's FHIR server with the launch's token, each
    followed through its `next` links (up to MAX_PAGES, on the iss's origin only)."""
    headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/fhir+json"}
    record = {}
    for key, template in cds.PREFETCH.items():
        query = template.replace("{{context.patientId}}", quote(patient_id, safe=""))
        answer = _fetch(f"{iss}/{query}", headers=headers, max_bytes=MAX_FHIR_BYTES, what="FHIR server")
        if not isinstance(answer, dict):
            raise LaunchRefused("The EHR's FHIR server did not answer with a JSON object.")
        record[key] = _all_pages(answer, iss, headers) if answer.get("resourceType") == "Bundle" else answer
    return record


def _next_url(bundle: dict) -> str | None:
    links = bundle.get("link") if isinstance(bundle.get("link"), list) else []
    return next((link.get("url") for link in links if isinstance(link, dict) and link.get("relation") == "next"
                 and isinstance(link.get("url"), str)), None)


def _all_pages(first: dict, iss: str, headers: dict[str, str]) -> dict:
    """One Bundle with the entries of every page; it keeps a `next` link only when pages remain unread
    (then the CDS rules set the search aside as incomplete)."""
    entries = list(first.get("entry", [])) if isinstance(first.get("entry"), list) else []
    page, pages = first, 1
    while (url := _next_url(page)) and pages < MAX_PAGES:
        if not same_origin(url, iss):
            raise LaunchRefused("The EHR's FHIR server pointed a next page outside the registered iss's origin.")
        page = _fetch(url, headers=headers, max_bytes=MAX_FHIR_BYTES, what="FHIR server")
        if not isinstance(page, dict) or page.get("resourceType") != "Bundle":
            raise LaunchRefused("The EHR's FHIR server answered a next page that is not a Bundle.")
        entries += page.get("entry", []) if isinstance(page.get("entry"), list) else []
        pages += 1
    merged = {key: value for key, value in first.items() if key not in ("entry", "link")} | {"entry": entries}
    if _next_url(page):
        merged["link"] = [{"relation": "next", "url": _next_url(page)}]
    return merged
