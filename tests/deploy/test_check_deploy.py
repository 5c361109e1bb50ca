"""With production environment settings, Django's deployment checklist has nothing to say."""

from __future__ import annotations

import json
import subprocess

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from scripts.serving import BASE_DIR, PYTHON, production_env

pytestmark = pytest.mark.slow


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, cwd=BASE_DIR, capture_output=True, text=True,
    )


def _trusted_clients_file(tmp_path) -> str:
    """One trusted CDS Client with one public key, as a hospital's deployment would configure it."""
    public = ec.generate_private_key(ec.SECP384R1()).public_key()
    jwk = {**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(public)), "kid": "ehr-2026", "alg": "ES384"}
    path = tmp_path / "cds-clients.json"
    path.write_text(json.dumps([{"iss": "https://ehr.example.org", "jwks": {"keys": [jwk]}}]))
    return str(path)


def test_check_deploy_production_env_reports_nothing(tmp_path):
    result = _check_deploy(production_env(workdir=tmp_path, DJANGO_ALLOWED_HOSTS="workup.example.org",
                                          CDS_TRUSTED_CLIENTS_FILE=_trusted_clients_file(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_warns_when_any_cds_client_may_call(tmp_path):
    result = _check_deploy(production_env(workdir=tmp_path, CDS_TRUSTED_CLIENTS_FILE=""))
    assert result.returncode != 0
    assert "workup.W001" in result.stderr


def test_check_deploy_warns_when_client_addresses_would_be_the_proxys(tmp_path):
    result = _check_deploy(production_env(workdir=tmp_path, DJANGO_PROXY_COUNT="0",
                                          CDS_TRUSTED_CLIENTS_FILE=_trusted_clients_file(tmp_path)))
    assert result.returncode != 0
    assert "workup.W002" in result.stderr


@pytest.mark.parametrize("value", ["-1", "one", "11", "1.5"])
def test_server_refuses_to_start_with_a_meaningless_proxy_count(tmp_path, value):
    result = _check_deploy(production_env(workdir=tmp_path, DJANGO_PROXY_COUNT=value))
    assert result.returncode != 0
    assert "DJANGO_PROXY_COUNT must be a whole number from 0 to 10." in result.stderr


def test_server_refuses_to_start_with_an_unreadable_trusted_clients_file(tmp_path):
    broken = tmp_path / "cds-clients.json"
    broken.write_text("[{not json")
    result = _check_deploy(production_env(workdir=tmp_path, CDS_TRUSTED_CLIENTS_FILE=str(broken)))
    assert result.returncode != 0
    assert "CDS_TRUSTED_CLIENTS_FILE cannot be read" in result.stderr


def test_check_deploy_notices_debug_on(tmp_path):
    result = _check_deploy(production_env(workdir=tmp_path, DJANGO_DEBUG="1"))
    assert result.returncode != 0
    assert "security.W018" in result.stderr


@pytest.mark.parametrize(
    ("setting", "value", "warning"),
    [
        ("SMART_EHRS", json.dumps([{"iss": "http://ehr.example.org/fhir", "client_id": "marrow"}]), "workup.W003"),
        ("SMART_EHRS", json.dumps([{"iss": "https://ehr.example.org/fhir", "client_id": "marrow",
                                    "frame_origins": ["http://ehr.example.org"]}]), "workup.W003"),
        ("CDS_CORS_ALLOWED_ORIGINS", "*", "workup.W004"),
    ],
    ids=["http-iss", "http-frame-origin", "cors-any"],
)
def test_check_deploy_warns_about_plain_http_ehr_origins_and_cors_any(tmp_path, setting, value, warning):
    env = production_env(workdir=tmp_path, DJANGO_ALLOWED_HOSTS="workup.example.org",
                         CDS_TRUSTED_CLIENTS_FILE=_trusted_clients_file(tmp_path), **{setting: value})
    result = _check_deploy(env)
    assert result.returncode != 0
    assert warning in result.stderr


def test_check_deploy_https_ehr_origins_and_listed_cors_origins_pass(tmp_path):
    env = production_env(workdir=tmp_path, DJANGO_ALLOWED_HOSTS="workup.example.org",
                         CDS_TRUSTED_CLIENTS_FILE=_trusted_clients_file(tmp_path),
                         SMART_EHRS=json.dumps([{"iss": "https://ehr.example.org/fhir", "client_id": "marrow",
                                                 "frame_origins": ["https://ehr.example.org"]}]),
                         CDS_CORS_ALLOWED_ORIGINS="https://ehr.example.org")
    result = _check_deploy(env)
    assert result.returncode == 0, result.stderr
