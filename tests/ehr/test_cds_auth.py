"""Only trusted CDS Clients may call the CDS Hooks service once CDS_TRUSTED_CLIENTS_FILE is set.

Each test signs a JWT as the EHR would (ES384, or RS384) and checks one rule of "Trusting CDS
Clients": signature, issuer, audience, lifetime, `sub`, `jku` and replay. Without the setting the
service stays open, and `check --deploy` warns (tests/deploy/test_check_deploy.py).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
import uuid

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.ehr.fhir_builders import hook_request, prefetch_for
from tests.screen.test_form_fuzz import FUZZ
from workup.ehr.cds_auth import MAX_LIFETIME_SECONDS, trusted_clients
from workup.models import CardFeedback

pytestmark = pytest.mark.django_db

SERVICE = "/cds-services/marrow-workup"
FEEDBACK = "/cds-services/marrow-workup/feedback"
AUDIENCE = f"http://testserver{SERVICE}"
ISSUER = "https://ehr.example.org"
ANEMIA = {"hemoglobin": {"value": 10.8, "unit": "g/dL"}}
EHR_KEY = ec.generate_private_key(ec.SECP384R1())
OTHER_KEY = ec.generate_private_key(ec.SECP384R1())
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(private_key, kid: str, algorithm: str) -> dict:
    algo = jwt.algorithms.ECAlgorithm if algorithm.startswith("ES") else jwt.algorithms.RSAAlgorithm
    return {**json.loads(algo.to_jwk(private_key.public_key())), "kid": kid, "alg": algorithm, "use": "sig"}


@pytest.fixture
def trusted(tmp_path, settings):
    """The EHR at ISSUER, with an EC and an RSA key, is the one trusted client; sub must be ehr-1."""
    clients = [{
        "iss": ISSUER,
        "jwks": {"keys": [_jwk(EHR_KEY, "ec-1", "ES384"), _jwk(RSA_KEY, "rsa-1", "RS384")]},
        "sub": ["ehr-1"],
        "jku": [f"{ISSUER}/jwks"],
    }]
    path = tmp_path / "cds-clients.json"
    path.write_text(json.dumps(clients))
    settings.CDS_TRUSTED_CLIENTS_FILE = str(path)
    trusted_clients.cache_clear()
    cache.clear()
    yield
    trusted_clients.cache_clear()


def token(*, key=EHR_KEY, kid="ec-1", algorithm="ES384", headers=None, **overrides) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": "ehr-1", "aud": AUDIENCE, "iat": now, "exp": now + 60,
              "jti": str(uuid.uuid4())} | overrides
    claims = {name: value for name, value in claims.items() if value is not None}
    key_id = {} if kid is None else {"kid": kid}
    return jwt.encode(claims, key, algorithm=algorithm, headers={**key_id, **(headers or {})})


def call(client, bearer: str | None, path: str = SERVICE, body: dict | None = None):
    headers = {"Authorization": f"Bearer {bearer}"} if bearer is not None else {}
    return client.post(path, body or hook_request(prefetch_for(ANEMIA)), content_type="application/json",
                       headers=headers)


def refused(response, words: str) -> bool:
    outcome = response.json()
    return (response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
            and outcome["resourceType"] == "OperationOutcome" and outcome["issue"][0]["code"] == "login"
            and words in outcome["issue"][0]["diagnostics"])


def test_cds_auth_signed_call_gets_its_card(client, trusted):
    response = call(client, token())
    assert response.status_code == 200
    assert response.json()["cards"][0]["indicator"] == "warning"  # hemoglobin 10.8: BX-ANEMIA


def test_cds_auth_rsa_signed_call_is_accepted(client, trusted):
    assert call(client, token(key=RSA_KEY, kid="rsa-1", algorithm="RS384")).status_code == 200


def test_cds_auth_call_without_token_is_refused(client, trusted):
    assert refused(call(client, None), "Authorization: Bearer")


def test_cds_auth_token_signed_by_another_key_is_refused(client, trusted):
    assert refused(call(client, token(key=OTHER_KEY)), "Signature verification failed")


def test_cds_auth_unknown_issuer_is_refused(client, trusted):
    assert refused(call(client, token(iss="https://elsewhere.example.org")), "iss is not")


def test_cds_auth_token_for_another_endpoint_is_refused(client, trusted):
    assert refused(call(client, token(aud="https://other.example.org/cds-services/x")), "Audience")


def test_cds_auth_expired_token_is_refused(client, trusted):
    long_ago = int(time.time()) - 600
    assert refused(call(client, token(iat=long_ago, exp=long_ago + 60)), "expired")


@pytest.mark.parametrize("lifetime", [MAX_LIFETIME_SECONDS + 1, 3600])
def test_cds_auth_token_living_over_five_minutes_is_refused(client, trusted, lifetime):
    now = int(time.time())
    assert refused(call(client, token(iat=now, exp=now + lifetime)), "longer than 300 seconds")


def test_cds_auth_token_living_exactly_five_minutes_is_accepted(client, trusted):
    now = int(time.time())
    assert call(client, token(iat=now, exp=now + MAX_LIFETIME_SECONDS)).status_code == 200


@pytest.mark.parametrize("claim", ["sub", "jti", "exp", "iat"])
def test_cds_auth_token_missing_a_required_claim_is_refused(client, trusted, claim):
    assert refused(call(client, token(**{claim: None})), claim)


def test_cds_auth_untrusted_sub_is_refused(client, trusted):
    assert refused(call(client, token(sub="someone-else")), "sub is not")


def test_cds_auth_replayed_token_is_refused(client, trusted):
    once = token()
    assert call(client, once).status_code == 200
    assert refused(call(client, once), "already used")


def test_cds_auth_unknown_kid_is_refused(client, trusted):
    assert refused(call(client, token(kid="rotated-away")), "kid names no key")


def test_cds_auth_allow_listed_jku_is_accepted_and_another_refused(client, trusted):
    assert call(client, token(headers={"jku": f"{ISSUER}/jwks"})).status_code == 200
    assert refused(call(client, token(headers={"jku": "https://attacker.example.org/jwks"})), "jku is not")


def test_cds_auth_unsigned_token_is_refused(client, trusted):
    now = int(time.time())
    unsigned = jwt.encode({"iss": ISSUER, "sub": "ehr-1", "aud": AUDIENCE, "iat": now, "exp": now + 60,
                           "jti": "x"}, None, algorithm="none", headers={"kid": "ec-1"})
    assert refused(call(client, unsigned), "this service accepts ES384, ES256, RS384")


def test_cds_auth_garbage_bearer_is_refused(client, trusted):
    assert refused(call(client, "not-a-jwt"), "does not hold a JWT")


def test_cds_auth_feedback_needs_a_token_too(client, trusted):
    card = call(client, token()).json()["cards"][0]["uuid"]
    feedback = {"feedback": [{"card": card, "outcome": "overridden",
                              "outcomeTimestamp": "2026-11-25T10:00:00Z"}]}
    assert refused(call(client, None, FEEDBACK, feedback), "Authorization: Bearer")
    assert not CardFeedback.objects.exists()
    assert call(client, token(aud=f"http://testserver{FEEDBACK}"), FEEDBACK, feedback).status_code == 200
    assert CardFeedback.objects.count() == 1


def test_cds_auth_discovery_stays_open(client, trusted):
    assert client.get("/cds-services").status_code == 200


def test_cds_auth_open_when_no_client_is_configured(client, settings):
    settings.CDS_TRUSTED_CLIENTS_FILE = ""
    trusted_clients.cache_clear()
    assert call(client, None).status_code == 200


@pytest.mark.parametrize(("key", "kid", "algorithm"), [
    (RSA_KEY, "ec-1", "RS384"),   # an RSA signature claiming the EC key
    (EHR_KEY, "rsa-1", "ES384"),  # an EC signature claiming the RSA key
])
def test_cds_auth_signature_with_the_wrong_kind_of_key_is_refused(client, trusted, key, kid, algorithm):
    response = call(client, token(key=key, kid=kid, algorithm=algorithm))
    assert response.status_code == 401


def test_cds_auth_token_without_kid_is_refused_when_the_client_has_several_keys(client, trusted):
    assert refused(call(client, token(kid=None)), "kid names no key")


# The trusted-client fixture only configures the service, so sharing it across examples is safe.
AUTH_FUZZ = hypothesis_settings(FUZZ, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@AUTH_FUZZ
@given(header=st.text(max_size=300))
def test_cds_auth_any_authorization_header_gets_401_never_5xx(trusted, header):
    response = Client().post(SERVICE, hook_request(prefetch_for(ANEMIA)), content_type="application/json",
                             headers={"Authorization": header})
    assert response.status_code == 401


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                           max_leaves=8)


@AUTH_FUZZ
@given(claims=st.dictionaries(st.sampled_from(["iss", "sub", "aud", "exp", "iat", "jti", "nbf"]), json_values),
       headers=st.dictionaries(st.sampled_from(["kid", "jku", "typ", "x5u", "crit"]), json_values))
def test_cds_auth_signed_tokens_with_any_claims_never_5xx(trusted, claims, headers):
    try:
        signed = jwt.encode(claims, EHR_KEY, algorithm="ES384", headers=headers)
    except (TypeError, ValueError, jwt.PyJWTError):
        return  # PyJWT itself will not write this token
    response = Client().post(SERVICE, hook_request(prefetch_for(ANEMIA)), content_type="application/json",
                             headers={"Authorization": f"Bearer {signed}"})
    assert response.status_code in (200, 401)


# --- Malformed headers and claims (issue 11 item 2), sub optional, replay table (item 4) -----------


def _signed_raw(claims: dict | str, headers: dict) -> str:
    """A token signed with the EHR's key whose header and claims may have any JSON shape."""
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    payload = claims if isinstance(claims, str) else json.dumps(claims)
    signing_input = part(json.dumps({"alg": "ES384", "typ": "JWT", "kid": "ec-1", **headers}).encode()) + "." + part(
        payload.encode())
    signature = jwt.algorithms.ECAlgorithm(jwt.algorithms.ECAlgorithm.SHA384).sign(signing_input.encode(), EHR_KEY)
    return signing_input + "." + part(signature)


def _claims(**overrides) -> dict:
    now = int(time.time())
    return {"iss": ISSUER, "sub": "ehr-1", "aud": AUDIENCE, "iat": now, "exp": now + 60,
            "jti": str(uuid.uuid4())} | overrides


@pytest.mark.parametrize("headers", [{"jku": [f"{ISSUER}/jwks"]}, {"jku": {"url": "x"}}, {"kid": ["ec-1"]},
                                     {"kid": 7}])
def test_cds_auth_header_of_the_wrong_type_is_401(client, trusted, headers):
    assert refused(call(client, _signed_raw(_claims(), headers)), "must be a string")


def test_cds_auth_well_formed_raw_token_is_accepted(client, trusted):
    assert call(client, _signed_raw(_claims(), {})).status_code == 200


@pytest.mark.parametrize("claim", ["iat", "exp", "nbf"])
@pytest.mark.parametrize("value", ["1764000000", True, None, [1], -5, 10**30])
def test_cds_auth_time_claim_that_is_not_a_numeric_date_is_401(client, trusted, claim, value):
    assert refused(call(client, _signed_raw(_claims(**{claim: value}), {})), f"“{claim}” claim must be")


def test_cds_auth_huge_exponent_in_a_claim_is_401_at_once(client, trusted):
    signed = _signed_raw(json.dumps(_claims()).replace('"exp": ', '"exp": 1e999999999, "x": '), {})
    started = time.perf_counter()
    response = call(client, signed)
    assert response.status_code == 401
    assert time.perf_counter() - started < 1


@pytest.mark.parametrize("jti", [7, "", "x" * 257, ["a"]])
def test_cds_auth_jti_of_the_wrong_shape_is_401(client, trusted, jti):
    assert refused(call(client, _signed_raw(_claims(jti=jti), {})), "“jti” claim must be")


def test_cds_auth_token_without_sub_is_accepted_when_no_sub_is_allow_listed(client, tmp_path, settings):
    path = tmp_path / "clients.json"
    path.write_text(json.dumps([{"iss": ISSUER, "jwks": {"keys": [_jwk(EHR_KEY, "ec-1", "ES384")]}}]))
    settings.CDS_TRUSTED_CLIENTS_FILE = str(path)
    trusted_clients.cache_clear()
    try:
        assert call(client, token(sub=None)).status_code == 200
    finally:
        trusted_clients.cache_clear()


def test_cds_auth_replays_are_refused_even_when_the_cache_is_full(client, trusted):
    tokens = [token() for _ in range(40)]
    for signed in tokens:
        assert call(client, signed).status_code == 200
    cache.clear()  # the old store lost entries when full; the table does not depend on the cache
    assert all(call(client, signed).status_code == 401 for signed in tokens)


def test_cds_auth_seen_jti_is_unique_in_the_database(trusted):
    from django.db import IntegrityError, transaction

    from workup.models import SeenJwtId
    SeenJwtId.objects.create(key="a" * 64, expires_at=timezone.now() + dt.timedelta(minutes=5))
    with pytest.raises(IntegrityError), transaction.atomic():
        SeenJwtId.objects.create(key="a" * 64, expires_at=timezone.now() + dt.timedelta(minutes=5))


def test_cds_auth_expired_jti_rows_are_pruned(client, trusted):
    from workup.models import SeenJwtId
    SeenJwtId.objects.create(key="b" * 64, expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert call(client, token()).status_code == 200
    assert not SeenJwtId.objects.filter(key="b" * 64).exists()
    assert SeenJwtId.objects.count() == 1
