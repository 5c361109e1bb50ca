"""Beyond one machine (issue 21): two gunicorn servers behind one nginx upstream, on one PostgreSQL.

Every request here names which server answers it, alternating, so consecutive requests of one
person land on different servers; each guarantee must hold because its state lives in PostgreSQL.
The servers get the same Host (the public name), as they would behind one load balancer.

PostgreSQL comes from POSTGRES_TEST_URL (`.ci/postgres` starts it). When it cannot be reached the
tests skip on a workstation and fail in CI (CI=true), so the proof never silently goes missing.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time
import uuid
from urllib.parse import urlencode, urlsplit, urlunsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from scripts import serving
from scripts.serving import cookies, fetch
from tests.deploy.support_admin import cookie_pair
from workup.throttle import MAX_FAILURES_PER_USER

pytestmark = pytest.mark.slow

POSTGRES_URL = os.environ.get("POSTGRES_TEST_URL", "postgres://marrow:marrow@127.0.0.1:5432/marrow")
PUBLIC = "https://workup.example.org"
HOST = "workup.example.org"
EHR = "https://ehr.example.org"
EHR_KEY = ec.generate_private_key(ec.SECP384R1())
PASSWORD = "a-long-test-password-7q2m"


def _postgres_or_skip():
    import psycopg

    try:
        return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        message = f"PostgreSQL is not reachable at {POSTGRES_URL} ({error}); run .ci/postgres"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="module")
def stack(production_dir, tmp_path_factory):
    """Two gunicorn servers (one worker each) on one fresh PostgreSQL database, and nginx in front."""
    admin = _postgres_or_skip()
    workdir = tmp_path_factory.mktemp("scale-pg")
    name = f"marrow_scale_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    public_key = {**json.loads(jwt.algorithms.ECAlgorithm.to_jwk(EHR_KEY.public_key())), "kid": "ehr-1",
                  "alg": "ES384"}
    clients = workdir / "cds-clients.json"
    clients.write_text(json.dumps([{"iss": EHR, "jwks": {"keys": [public_key]}}]))
    env = serving.production_env(
        workdir=workdir, DATABASE_URL=_with_database(POSTGRES_URL, name), DJANGO_ALLOWED_HOSTS=f"{HOST},127.0.0.1",
        DJANGO_STATIC_ROOT=str(production_dir / "static"), PUBLIC_BASE_URL=PUBLIC,
        CDS_TRUSTED_CLIENTS_FILE=str(clients), DJANGO_SESSION_IDLE_SECONDS="60",
    )
    serving.manage(env, "migrate", "--noinput", "-v", "0")
    serving.manage(env, "createcachetable")
    serving.manage(env, "setup_roles")
    serving.manage(env, "shell", "-c", (
        "from django.contrib.auth.models import Group, User\n"
        f"for name, role in [('hem-a', 'hematologist'), ('rad-a', 'radiologist'), ('rad-locked', 'radiologist'),"
        f" ('rad-par', 'radiologist')]:\n"
        f"    User.objects.create_user(name, password='{PASSWORD}').groups.add(Group.objects.get(name=role))\n"
    ))
    ports = [serving.free_port(), serving.free_port()]
    servers = [serving.start_gunicorn(env, port=port, workers=1, log=workdir / f"gunicorn-{port}.log")
               for port in ports]
    nginx = None
    try:
        if serving.nginx_binary() is not None:
            nginx, _, https_port = serving.start_nginx(workdir, app_port=ports)
        yield {"ports": ports, "env": env, "workdir": workdir, "nginx": https_port if nginx else None,
               "db": _with_database(POSTGRES_URL, name)}
    finally:
        if nginx is not None:
            serving.stop(nginx)
        for server in servers:
            serving.stop(server)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


class Browser:
    """One person's cookies, sent to whichever server a request names."""

    def __init__(self):
        self.jar: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, *, form: dict | None = None):
        headers = {"Host": HOST, "Cookie": "; ".join(f"{k}={v}" for k, v in self.jar.items())}
        body = b""
        if form is not None:
            body = urlencode({"csrfmiddlewaretoken": self.jar.get("csrftoken", ""), **form}).encode()
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "Origin": PUBLIC}
        response, page = fetch(port, method, path, body=body, headers=headers)
        for name, line in cookies(response).items():
            value = cookie_pair(line).split("=", 1)[1].strip('"')
            if value and "Max-Age=0" not in line:
                self.jar[name] = value
            else:
                self.jar.pop(name, None)
        return response, page.decode()

    def sign_in(self, port: int, username: str, password: str = PASSWORD, *, other: int | None = None):
        """The sign-in page from one server, the form posted to `other` (or the same)."""
        self.request(port, "GET", "/accounts/login/")
        return self.request(other or port, "POST", "/accounts/login/", form={"username": username, "password": password})


def _psql(stack, sql: str, *params):
    import psycopg

    with psycopg.connect(stack["db"]) as connection:
        return connection.execute(sql, params).fetchall()


def test_scale_out_pg_session_made_on_a_is_used_on_b(stack):
    a, b = stack["ports"]
    person = Browser()
    response, _ = person.sign_in(a, "rad-a", other=b)
    assert response.status == 302
    response, page = person.request(a, "GET", "/cases/")
    assert response.status == 200 and "My saved cases" in page
    response, _ = person.request(b, "GET", "/cases/")
    assert response.status == 200


def test_scale_out_pg_sign_in_throttle_counts_across_servers(stack):
    a, b = stack["ports"]
    for attempt in range(MAX_FAILURES_PER_USER):
        Browser().sign_in((a, b)[attempt % 2], "rad-locked", "wrong")
    response, page = Browser().sign_in(a, "rad-locked", other=b)  # the right password, on either server
    assert response.status == 200
    assert "Too many failed sign-in attempts" in page


def test_scale_out_pg_parallel_wrong_sign_ins_check_at_most_five_passwords(stack):
    a, b = stack["ports"]
    people = [Browser() for _ in range(12)]
    for n, person in enumerate(people):
        person.request((a, b)[n % 2], "GET", "/accounts/login/")
    start = threading.Barrier(len(people))

    def guess(n: int) -> None:
        start.wait()
        people[n].request((a, b)[n % 2], "POST", "/accounts/login/", form={"username": "rad-par", "password": f"x{n}"})

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(len(people))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Each password checked leaves one failure; a refused attempt leaves none.
    (checked,) = _psql(stack, "SELECT count(*) FROM workup_failedlogin WHERE username = %s", "rad-par")[0]
    assert 1 <= checked <= MAX_FAILURES_PER_USER


def _cds_token() -> str:
    now = int(time.time())
    claims = {"iss": EHR, "sub": "ehr-1", "aud": f"{PUBLIC}/cds-services/marrow-workup-order-sign", "iat": now,
              "exp": now + 60, "jti": str(uuid.uuid4())}
    return jwt.encode(claims, EHR_KEY, algorithm="ES384", headers={"kid": "ehr-1"})


def _cds_call(port: int, bearer: str):
    body = json.dumps({"hook": "order-sign", "hookInstance": str(uuid.uuid4()), "context": {
        "userId": "Practitioner/1", "patientId": "example", "draftOrders": {"resourceType": "Bundle", "entry": []}},
    }).encode()
    response, _ = fetch(port, "POST", "/cds-services/marrow-workup-order-sign", body=body, headers={
        "Host": HOST, "Content-Type": "application/json", "Authorization": f"Bearer {bearer}"})
    return response.status


def test_scale_out_pg_jwt_replayed_on_the_other_server_is_refused(stack):
    a, b = stack["ports"]
    bearer = _cds_token()
    first = _cds_call(a, bearer)
    assert first != 401
    assert _cds_call(b, bearer) == 401
    assert _cds_call(b, _cds_token()) == first  # a fresh token is fine on the other server


def test_scale_out_pg_draft_kept_on_a_opens_on_b(stack):
    a, b = stack["ports"]
    person = Browser()
    person.request(a, "GET", "/")
    response, _ = person.request(a, "POST", "/sign-in-to-save", form={"hemoglobin": "10.8", "hemoglobin_unit": "g/dL"})
    assert response.status == 302 and "workup_draft" in person.jar
    response, page = person.request(b, "GET", "/")
    assert response.status == 200
    (field,) = re.findall(r'<input[^>]*id="id_hemoglobin"[^>]*>', page)
    assert 'value="10.8"' in field


def test_scale_out_pg_idle_session_is_signed_out_on_the_other_server(stack):
    a, b = stack["ports"]
    person = Browser()
    person.sign_in(a, "rad-a")
    assert person.request(b, "GET", "/cases/")[0].status == 200
    # Two minutes pass without a request (the idle limit here is 60 s): the session's clock says so.
    serving.manage(stack["env"], "shell", "-c", (
        "from django.contrib.sessions.backends.db import SessionStore\n"
        f"s = SessionStore(session_key='{person.jar['sessionid']}')\n"
        "s['last_seen_at'] = s['last_seen_at'] - 120\n"
        "s.save()\n"
    ))
    response, _ = person.request(a, "GET", "/cases/")
    assert response.status == 302 and response.headers["Location"].startswith("/accounts/login/")
    assert person.request(b, "GET", "/cases/")[0].status == 302


def test_scale_out_pg_stale_version_from_the_other_server_is_refused(stack):
    a, b = stack["ports"]
    author = Browser()
    author.sign_in(a, "rad-a")
    author.request(b, "GET", "/cases/new")
    response, _ = author.request(b, "POST", "/cases/save", form={"inputs_json": '{"age": 61}', "label": ""})
    assert response.status == 302
    case = response.headers["Location"]
    first, _ = author.request(a, "POST", f"{case}/label", form={"version": "1", "label": "room 1"})
    second, page = author.request(b, "POST", f"{case}/label", form={"version": "1", "label": "room 2"})
    assert first.status == 302
    assert second.status == 409
    assert _psql(stack, "SELECT label FROM workup_savedworkup WHERE reference = %s", case.rstrip("/").rsplit("/", 1)[1]) == [("room 1",)]


def test_scale_out_pg_nginx_spreads_requests_over_both_servers(stack):
    if stack["nginx"] is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed: .ci/run should have installed it")
        pytest.skip("nginx is not installed")
    for _ in range(6):
        assert _nginx_get(stack["nginx"], "/api/v1/pathway") == 200
    deadline = time.monotonic() + 5
    while True:  # the access log lines reach the files a moment after the answers
        logs = [(stack["workdir"] / f"gunicorn-{port}.log").read_text() for port in stack["ports"]]
        counts = [log.count('"GET /api/v1/pathway"') for log in logs]
        if sum(counts) == 6 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert counts == [3, 3]  # round robin: every other request on each server


def _nginx_get(port: int, path: str) -> int:
    import http.client
    import ssl

    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
    try:
        conn.request("GET", path, headers={"Host": HOST})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()
