"""Which CDS Clients may call the CDS Hooks service: JWTs signed by an allow-listed client.

CDS Hooks 2.0 ("Trusting CDS Clients"): the client signs a short-lived JWT and sends it as
`Authorization: Bearer <jwt>`; the service checks the signature against the client's public keys
(a JWK Set), the audience (the service endpoint that was called), the lifetime (at most five
minutes) and that the `jti` was not seen before, and allow-lists `iss` (and, when configured,
`sub` and `jku`).

Trusted clients come from the JSON file named by `CDS_TRUSTED_CLIENTS_FILE`, a list of objects:

    [{"iss": "https://ehr.example.org", "jwks": {"keys": [<public JWK>, ...]},
      "sub": ["client-id"],           # optional: the accepted `sub` values
      "jku": ["https://ehr.example.org/jwks"]}]   # optional: accepted `jku` header values

Accepted signatures: ES384 (P-384 keys) and RS384 (RSA keys), which the specification asks clients
to use, and ES256 (P-256 keys), which many EHRs sign with; each key verifies only the algorithm of
its own kind and curve. A refusal names the accepted algorithms. A token may live at most
MAX_LIFETIME_SECONDS (300 s, `exp - iat`), with LEEWAY_SECONDS for clock difference.

Keys are configured; for key rotation a client may also name, in the token's `jku` header, one of
its allow-listed JWK Set URLs: the set is then fetched (no redirects, one total deadline, at most
JKU_MAX_BYTES, JSON no deeper than workup.ehr.outbound allows) and cached for JKU_CACHE_SECONDS, and only consulted for a `kid` the configured keys
do not hold. With no file the service answers anyone (development); `check --deploy` warns about
that (workup.W001).
Seen `jti` values are kept in their own table (unique per issuer and jti) until the token expires,
so a replay is refused on any server and under any load; expired rows are pruned on each call.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import jwt
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from workup.ehr.cds import CdsError
from workup.ehr.outbound import OutboundRefused, get_json
from workup.models import SeenJwtId

# What the specification asks CDS Clients to sign with (ES384, RS384), and ES256, by the kind of key
# that verifies it: a token is only ever checked with the algorithm that fits its key (and curve).
ALGORITHMS_BY_CURVE = {"secp384r1": "ES384", "secp256r1": "ES256"}
ACCEPTED_ALGORITHMS = ("ES384", "ES256", "RS384")
MAX_LIFETIME_SECONDS = 300  # "exp" at most five minutes after "iat"
LEEWAY_SECONDS = 30  # clock difference tolerated between the EHR and this service
# CDS Hooks 2.0 requires iss, aud, exp, iat and jti; `sub` is optional ("the client_id of the CDS
# Client", when it has one), so a token without it is accepted unless the client allow-lists subs.
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "jti"]
TIME_CLAIMS = ("exp", "iat", "nbf")
# A NumericDate is seconds since 1970; anything past the year 5000 is not a date a client means,
# and bounding it here keeps arithmetic on client-supplied numbers cheap.
MAX_NUMERIC_DATE = 95_617_584_000
MAX_JTI_LENGTH = 256
JKU_TIMEOUT_SECONDS = 3.0  # a slow key server must not hold a worker
JKU_MAX_BYTES = 64 * 1024  # a JWK Set of a few keys is a few kilobytes
JKU_CACHE_SECONDS = 300
JKU_RETRY_SECONDS = 30  # after a failed fetch
JKU_FAILED = {"failed": True}


class CdsUnauthorized(CdsError):
    """The call carries no acceptable client JWT (401, OperationOutcome issue `login`)."""

    status = 401
    issue_code = "login"


@dataclass(frozen=True)
class TrustedClient:
    iss: str
    keys: jwt.PyJWKSet
    subjects: frozenset[str] | None = None  # None: any `sub`
    jku: frozenset[str] | None = None  # None: no `jku` header accepted


@functools.cache
def trusted_clients() -> dict[str, TrustedClient]:
    """The allow-listed clients by `iss`, read once from CDS_TRUSTED_CLIENTS_FILE (empty: none set)."""
    path = settings.CDS_TRUSTED_CLIENTS_FILE
    if not path:
        return {}
    clients = {}
    for entry in json.loads(Path(path).read_text()):
        clients[entry["iss"]] = TrustedClient(
            iss=entry["iss"],
            keys=jwt.PyJWKSet.from_dict(entry["jwks"]),
            subjects=frozenset(entry["sub"]) if "sub" in entry else None,
            jku=frozenset(entry["jku"]) if "jku" in entry else None,
        )
    return clients


def cds_client_verify(*, authorization: str | None, audience: str) -> str | None:
    """The verified client's `iss`, or None when no client is configured (the service is open).

    Raises CdsUnauthorized naming what is wrong: no token, an unknown issuer or key, a bad
    signature, another audience, an expired or too long-lived token, or a replayed `jti`.
    """
    clients = trusted_clients()
    if not clients:
        return None
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise CdsUnauthorized("This service needs a signed JWT from a trusted CDS Client: Authorization: Bearer <jwt>.")
    client, key = _client_and_key(token.strip(), clients)
    algorithms = key_algorithms(key)
    if jwt.get_unverified_header(token.strip()).get("alg") not in algorithms:
        raise CdsUnauthorized(
            f"The client JWT's alg does not fit its key; this service accepts {', '.join(ACCEPTED_ALGORITHMS)} "
            "(ES384 and ES256 with P-384 and P-256 keys, RS384 with RSA keys).")
    try:
        claims = jwt.decode(
            token.strip(), key=key.key, algorithms=algorithms,
            audience=audience, issuer=client.iss, leeway=LEEWAY_SECONDS, options={"require": REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError as invalid:
        raise CdsUnauthorized(f"The client JWT was refused: {invalid}.") from invalid
    if claims["exp"] - claims["iat"] > MAX_LIFETIME_SECONDS:
        raise CdsUnauthorized(f"The client JWT lives longer than {MAX_LIFETIME_SECONDS} seconds.")
    if client.subjects is not None and claims.get("sub") not in client.subjects:
        raise CdsUnauthorized("The client JWT's sub is not one this service trusts.")
    _refuse_replay(client.iss, claims["jti"], expires=claims["exp"])
    return client.iss


def key_algorithms(key: jwt.PyJWK) -> list[str]:
    """The one algorithm this key verifies: by its curve for EC keys, RS384 for RSA keys."""
    if key.key_type == "RSA":
        return ["RS384"]
    curve = getattr(getattr(key.key, "curve", None), "name", None)
    return [ALGORITHMS_BY_CURVE[curve]] if key.key_type == "EC" and curve in ALGORITHMS_BY_CURVE else []


def _check_shapes(header: object, claims: object) -> None:
    """Refuse (401) a header or claim of the wrong JSON type before anything computes with it."""
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise CdsUnauthorized("The client JWT's header and claims must be JSON objects.")
    for name in ("kid", "jku"):
        if name in header and not isinstance(header[name], str):
            raise CdsUnauthorized(f"The client JWT's “{name}” header must be a string.")
    for name in TIME_CLAIMS:
        value = claims.get(name)
        if name in claims and (isinstance(value, bool) or not isinstance(value, int | float)
                               or not 0 <= value <= MAX_NUMERIC_DATE):
            raise CdsUnauthorized(f"The client JWT's “{name}” claim must be a NumericDate (seconds since 1970).")
    jti = claims.get("jti")
    if "jti" in claims and (not isinstance(jti, str) or not 0 < len(jti) <= MAX_JTI_LENGTH):
        raise CdsUnauthorized(f"The client JWT's “jti” claim must be a string of 1 to {MAX_JTI_LENGTH} characters.")
    if "sub" in claims and not isinstance(claims["sub"], str):
        raise CdsUnauthorized("The client JWT's “sub” claim must be a string.")


def _client_and_key(token: str, clients: dict[str, TrustedClient]) -> tuple[TrustedClient, jwt.PyJWK]:
    """The allow-listed client named by the token's `iss` and its key for the token's `kid`."""
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as invalid:
        raise CdsUnauthorized(f"The Authorization header does not hold a JWT: {invalid}.") from invalid
    _check_shapes(header, claims)
    issuer = claims.get("iss")
    client = clients.get(issuer) if isinstance(issuer, str) else None
    if client is None:
        raise CdsUnauthorized("The client JWT's iss is not a CDS Client this service trusts.")
    if "jku" in header and (client.jku is None or header["jku"] not in client.jku):
        raise CdsUnauthorized("The client JWT's jku is not one this service trusts.")
    try:
        return client, client.keys[header["kid"]] if "kid" in header else _only_key(client)
    except KeyError as unknown:
        if "jku" in header and "kid" in header:
            return client, _key_from_jku(header["jku"], header["kid"])
        raise CdsUnauthorized("The client JWT's kid names no key this service holds for that client.") from unknown


def _key_from_jku(url: str, kid: str) -> jwt.PyJWK:
    """The key `kid` from the allow-listed JWK Set at `url` (fetched once per JKU_CACHE_SECONDS)."""
    cache_key = "cds-jwks:" + hashlib.sha256(url.encode()).hexdigest()
    jwks = cache.get(cache_key)
    if jwks is None:
        try:
            jwks = _fetch_jwks(url)
        except CdsUnauthorized:
            cache.set(cache_key, JKU_FAILED, timeout=JKU_RETRY_SECONDS)  # do not retry on every call
            raise
        cache.set(cache_key, jwks, timeout=JKU_CACHE_SECONDS)
    if jwks == JKU_FAILED:
        raise CdsUnauthorized("The key set named by the client JWT's jku could not be read (recently).")
    try:
        return jwt.PyJWKSet.from_dict(jwks)[kid]
    except (KeyError, jwt.PyJWTError) as unknown:
        raise CdsUnauthorized("The client JWT's kid names no key in its jku key set.") from unknown


def _fetch_jwks(url: str) -> dict:
    """The JWK Set at the allow-listed URL itself (a redirect is refused), read within JKU_TIMEOUT_SECONDS
    in all and at most JKU_MAX_BYTES."""
    try:
        _, jwks = get_json(url, headers={"Accept": "application/json"}, seconds=JKU_TIMEOUT_SECONDS,
                           max_bytes=JKU_MAX_BYTES)
    except OutboundRefused as failed:
        raise CdsUnauthorized("The key set named by the client JWT's jku could not be read.") from failed
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise CdsUnauthorized("The key set named by the client JWT's jku is not a JWK Set.")
    return json.loads(json.dumps(jwks, default=str))  # Decimals as JSON types, for the cache and PyJWT


def _only_key(client: TrustedClient) -> jwt.PyJWK:
    if len(client.keys.keys) != 1:
        raise KeyError("kid")
    return client.keys.keys[0]


def _refuse_replay(issuer: str, jti: str, *, expires: float) -> None:
    """Remember a `jti` until its token expires (unique row); a second call with it is refused."""
    now = timezone.now()
    SeenJwtId.objects.filter(expires_at__lte=now).delete()
    key = hashlib.sha256(f"{issuer}\n{jti}".encode()).hexdigest()
    kept_until = dt.datetime.fromtimestamp(expires, tz=dt.UTC) + dt.timedelta(seconds=LEEWAY_SECONDS)
    try:
        with transaction.atomic():
            SeenJwtId.objects.create(key=key, expires_at=max(kept_until, now + dt.timedelta(seconds=1)))
    except IntegrityError as replay:
        raise CdsUnauthorized("This client JWT was already used (its jti was seen before).") from replay
