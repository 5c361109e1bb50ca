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
browser sends no SameSite=Lax cookie. The row is taken once, within LAUNCH_LIFETIME. Nothing
clinical goes into a URL: the screen is opened by the draft's opaque token.

Framing: an EHR entry may list `frame_origins`. The responses of a launch from that EHR (the
launch, its callback, and the screen opened with the launch's draft) allow exactly those origins
as `frame-ancestors`; every other response keeps the site's `frame-ancestors 'none'`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from workup.ehr import cds
from workup.ehr.launch_notice import launch_notice_build
from workup.models import SmartLaunch
from workup.saved import drafts

SCOPES = "launch openid fhirUser patient/Observation.rs patient/Patient.rs"
HTTP_TIMEOUT_SECONDS = 5
MAX_FHIR_BYTES = 2 * 1024 * 1024  # a few searches of five Observations each are far smaller
LAUNCH_LIFETIME = dt.timedelta(minutes=10)  # from /launch to the callback: one sign-in at the EHR


class LaunchRefused(Exception):
    """A launch this app cannot complete; the message says why, without clinical content."""


@dataclass(frozen=True, slots=True)
class SmartEhr:
    iss: str
    client_id: str
    frame_origins: tuple[str, ...] = ()


ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?")  # scheme://host[:port], nothing else


def smart_ehr(iss: str) -> SmartEhr:
    """The registered EHR with this issuer; its frame origins are kept only when each is a plain origin,
    so a setting cannot widen the policy with a wildcard, a keyword or another directive."""
    for entry in settings.SMART_EHRS:
        if entry.get("iss", "").rstrip("/") == iss.rstrip("/"):
            origins = tuple(entry.get("frame_origins", ()))
            if not all(isinstance(origin, str) and ORIGIN.fullmatch(origin) for origin in origins):
                raise LaunchRefused("This EHR's frame origins are misconfigured here (each must be scheme://host[:port]).")
            return SmartEhr(entry["iss"].rstrip("/"), entry["client_id"], origins)
    raise LaunchRefused("This EHR is not registered to launch the marrow workup.")


def launch_begin(*, iss: str, launch: str, redirect_uri: str) -> tuple[str, SmartEhr]:
    """The authorization URL to send the browser to (the pending launch is stored), and the EHR."""
    ehr = smart_ehr(iss)
    configuration = _get_json(f"{ehr.iss}/.well-known/smart-configuration")
    authorize, token = configuration.get("authorization_endpoint"), configuration.get("token_endpoint")
    if not isinstance(authorize, str) or not isinstance(token, str):
        raise LaunchRefused("The EHR's SMART configuration names no authorization or token endpoint.")
    verifier = generate_token(64)
    client = OAuth2Session(ehr.client_id, scope=SCOPES, redirect_uri=redirect_uri, code_challenge_method="S256")
    url, state = client.create_authorization_url(authorize, code_verifier=verifier, launch=launch, aud=ehr.iss)
    now = timezone.now()
    SmartLaunch.objects.filter(expires_at__lte=now).delete()
    SmartLaunch.objects.create(state=state, verifier=verifier, iss=ehr.iss, token_endpoint=token,
                               expires_at=now + LAUNCH_LIFETIME)
    return url, ehr


def launch_take(*, state: str) -> SmartLaunch:
    """The pending launch with this state, taken so that no second callback can use it."""
    with transaction.atomic():
        pending = SmartLaunch.objects.select_for_update().filter(
            state=state, taken=False, expires_at__gt=timezone.now()).first() if state else None
        if pending is None:
            raise LaunchRefused("This launch does not match one started here (state). Start it again from the EHR.")
        SmartLaunch.objects.filter(pk=pending.pk).update(taken=True, verifier="")
    return pending


def launch_complete(*, state: str, code: str, redirect_uri: str) -> tuple[str, SmartEhr]:
    """Take the pending launch, exchange the code, read the labs with the CDS selection rules, and
    return a draft token with the EHR that launched it."""
    pending = launch_take(state=state)
    ehr = smart_ehr(pending.iss)
    client = OAuth2Session(ehr.client_id, redirect_uri=redirect_uri, code_challenge_method="S256")
    try:
        token = client.fetch_token(pending.token_endpoint, code=code, code_verifier=pending.verifier,
                                   timeout=HTTP_TIMEOUT_SECONDS)
    except Exception as failed:  # Authlib raises its own OAuth errors and requests' errors
        raise LaunchRefused("The EHR did not grant access (token request refused).") from failed
    patient_id = token.get("patient")
    if not isinstance(patient_id, str) or not patient_id:
        raise LaunchRefused("The EHR granted access without a patient in context.")
    draft = launch_draft_create(record=_read_record(ehr.iss, token["access_token"], patient_id), patient_id=patient_id)
    SmartLaunch.objects.filter(pk=pending.pk).update(draft_token=draft,
                                                     expires_at=timezone.now() + drafts.DRAFT_LIFETIME)
    return draft, ehr


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
    """The CDS prefetch searches, run against the EHR's FHIR server with the launch's token."""
    headers = {"Authorization": f"Bearer {access_token}", "Accept": "application/fhir+json"}
    record = {}
    for key, template in cds.PREFETCH.items():
        query = template.replace("{{context.patientId}}", quote(patient_id, safe=""))
        record[key] = _get_json(f"{iss}/{query}", headers=headers)
    return record


def _get_json(url: str, headers: dict | None = None) -> dict:
    try:
        answer = requests.get(url, headers=headers, timeout=HTTP_TIMEOUT_SECONDS, allow_redirects=False, stream=True)
        body = answer.raw.read(MAX_FHIR_BYTES + 1, decode_content=True)
        answer.close()
    except requests.RequestException as failed:
        raise LaunchRefused("The EHR's server could not be reached.") from failed
    if answer.status_code != 200 or len(body) > MAX_FHIR_BYTES:
        raise LaunchRefused(f"The EHR's server answered {answer.status_code}.")
    try:
        data = json.loads(body, parse_float=Decimal)
    except ValueError as failed:
        raise LaunchRefused("The EHR's server did not answer with JSON.") from failed
    if not isinstance(data, dict):
        raise LaunchRefused("The EHR's server did not answer with a JSON object.")
    return data
