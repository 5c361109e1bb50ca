"""Short-lived server-side drafts: pathway inputs behind an opaque token (no patient identifiers).

A CDS card links to `/?draft=<token>`, which the screen at once swaps for an HttpOnly cookie and a
redirect to `/` (workup/views.py `draft_hand_over`), so the token is in no URL the screen lives at;
the screen calls `draft_open` with it to prefill itself.
The token is random (`secrets.token_urlsafe`), carries no meaning, and stops working after
`DRAFT_LIFETIME`. Only inputs that pass the JSON API's validation are ever stored. A SMART launch's
draft also carries its notice of what was read from the record (workup/ehr/launch_notice.py),
which lives and goes with the draft.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from django.utils import timezone
from django.utils.crypto import salted_hmac

from workup.models import WorkupDraft
from workup.pathway.parsing import case_from_json

DRAFT_LIFETIME = dt.timedelta(hours=2)
DRAFT_HOURS = f"{DRAFT_LIFETIME.total_seconds() / 3600:g}"  # as the screen words it: "2"
# "Sign in to save" keeps a draft for anyone, signed in or not: at most this many live drafts per
# client address before sign-in, so an anonymous script cannot fill the database. Generous, because
# a whole hospital may reach a hosted service from one address.
SIGNED_OUT_DRAFTS_PER_ADDRESS = 100
# Within that, one signed-out browser (its session) may keep at most this many, so one person behind
# the hospital's address cannot use the address's budget up for everyone; a signed-in user at most
# SIGNED_IN_DRAFTS_PER_USER (their drafts do not count against the address). A script that drops
# its cookies gets a new session each time and is held by the address budget alone.
SIGNED_OUT_DRAFTS_PER_BROWSER = 10
SIGNED_IN_DRAFTS_PER_USER = 20
TOKEN_BYTES = 32
# What secrets.token_urlsafe(32) produces; anything else is refused before the database sees it
# (PostgreSQL rejects some characters, such as NUL, outright).
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")


def draft_source(*, address: str | None) -> str:
    """What a draft records of the client address it came from: a hash keyed with SECRET_KEY."""
    return salted_hmac("workup.drafts.source", address, algorithm="sha256").hexdigest() if address else ""


def draft_keeper(*, kind: str, ident: str) -> str:
    """What a draft records of who kept it ("user" and a user id, "browser" and a session key): a
    hash keyed with SECRET_KEY, prefixed with the kind so the two budgets are told apart."""
    return f"{kind[0]}:" + salted_hmac("workup.drafts.keeper", f"{kind}:{ident}", algorithm="sha256").hexdigest()[:60]


def drafts_allowed(*, source: str) -> bool:
    """False once an address already holds SIGNED_OUT_DRAFTS_PER_ADDRESS live drafts."""
    live = WorkupDraft.objects.filter(source=source, expires_at__gt=timezone.now())
    return not source or live.count() < SIGNED_OUT_DRAFTS_PER_ADDRESS


def drafts_refusal(*, source: str, keeper: str) -> str | None:
    """Which budget a new draft would exceed ("address", "browser", "user"), or None when it may be kept."""
    if not drafts_allowed(source=source):
        return "address"
    if keeper:
        limit = SIGNED_IN_DRAFTS_PER_USER if keeper.startswith("u:") else SIGNED_OUT_DRAFTS_PER_BROWSER
        if WorkupDraft.objects.filter(keeper=keeper, expires_at__gt=timezone.now()).count() >= limit:
            return "user" if keeper.startswith("u:") else "browser"
    return None


def draft_create(*, case_data: dict, source: str = "", keeper: str = "", record_notice: dict | None = None) -> str:
    """Store validated pathway inputs (and a launch's record notice) and return the token that opens
    them; prunes expired drafts."""
    case_from_json(data=case_data)  # raises CaseInvalid: nothing invalid is stored
    now = timezone.now()
    WorkupDraft.objects.filter(expires_at__lte=now).delete()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    WorkupDraft.objects.create(token=token, inputs=case_data, expires_at=now + DRAFT_LIFETIME, source=source,
                               keeper=keeper, record_notice=record_notice or {})
    return token


@dataclass(frozen=True, slots=True)
class Draft:
    """A live draft: its token, the pathway inputs, and the record notice ({} unless a SMART launch)."""

    token: str
    inputs: dict
    record_notice: dict


def draft_open(*, token: str) -> Draft | None:
    """The live draft with this token; None when unknown, malformed or expired."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    draft = WorkupDraft.objects.filter(token=token, expires_at__gt=timezone.now()).first()
    return Draft(draft.token, draft.inputs, draft.record_notice) if draft else None


def draft_load(*, token: str) -> dict | None:
    """The stored pathway inputs for a live token; None when unknown, malformed or expired."""
    draft = draft_open(token=token)
    return draft.inputs if draft else None
