"""An EHR for the SMART launch tests, its authorization server built on Authlib's server side.

Authlib's `AuthorizationServer` with its authorization-code grant and the RFC 7636 `CodeChallenge`
extension (S256 required) checks what a real EHR's server checks: the registered client and
redirect URI, the response type, PKCE at the token endpoint, one use per code. Around it sit what
SMART adds (the `launch` and `aud` parameters, `patient` and `need_patient_banner` in the token
answer) and a FHIR server that, like many real ones, ignores `_sort` and `_count` and pages its
answers with `next` links. Switches let a test make it misbehave as the review found EHRs do.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from authlib.oauth2.rfc6749 import AuthorizationServer, ClientMixin, OAuth2Payload, OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge

from tests.ehr.smart_servers import LoopbackEhr

os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # the simulator listens on http://127.0.0.1 only

CLIENT_ID = "marrow-workup-authlib"
LAUNCH = "launch-authlib"


class _Client(ClientMixin):
    """The app, registered as a public client (PKCE, no secret) with its callback URL."""

    def get_client_id(self):
        return CLIENT_ID

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return scope

    def check_redirect_uri(self, redirect_uri):
        return urlsplit(redirect_uri).path == "/launch/callback"

    def check_client_secret(self, client_secret):
        return False

    def check_endpoint_auth_method(self, method, endpoint):
        return method == "none"

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


class _Payload(OAuth2Payload):
    def __init__(self, data: dict):
        self._data = data

    @property
    def data(self):
        return self._data

    @property
    def datalist(self):
        return {key: [value] for key, value in self._data.items()}


class _Request(OAuth2Request):
    def __init__(self, method: str, uri: str, data: dict, headers: dict):
        super().__init__(method, uri, headers=headers)
        self.payload = _Payload(data)
        self._args = data if method == "GET" else {}
        self._form = data if method == "POST" else {}

    @property
    def args(self):
        return self._args

    @property
    def form(self):
        return self._form


class _Code:
    def __init__(self, code, redirect_uri, scope, challenge, method):
        self.code, self.redirect_uri, self.scope = code, redirect_uri, scope
        self.code_challenge, self.code_challenge_method = challenge, method

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope


class AuthlibEhr(LoopbackEhr):
    """The authorization server, the FHIR server and the smart-configuration, on one local port."""

    def __init__(self):
        self.observations: list[dict] = []
        self.patient_id = "example"
        self.patient: dict = {"resourceType": "Patient", "id": "example"}
        self.page_size = 0  # > 0: ignore _count and _sort, answer in pages of this many, with next links
        self.token_extra: dict = {}  # fields to add to (or override in) the token answer
        self.token_redirect_to = ""  # the token endpoint answers 307 to this URL
        self.configuration_extra: dict = {}
        self.fhir_body: bytes | None = None  # a raw answer for every FHIR read
        self.requests: list[tuple[str, str, dict]] = []  # (method, path, headers)
        self.tokens: set[str] = set()
        self._codes: dict[str, _Code] = {}
        self.server = self._authorization_server()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, body: bytes, headers: list[tuple[str, str]]):
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: int, body: object):
                self._send(status, json.dumps(body).encode(), [("Content-Type", "application/json")])

            def do_GET(self):
                outer.requests.append(("GET", self.path, dict(self.headers)))
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/fhir/.well-known/smart-configuration":
                    return self._json(200, {"authorization_endpoint": outer.base + "/authorize",
                                            "token_endpoint": outer.base + "/token",
                                            "code_challenge_methods_supported": ["S256"]} | outer.configuration_extra)
                if url.path == "/authorize":
                    return self._send(*outer._authorize(query))
                return self._send(*outer._fhir(url.path, query, self.headers.get("Authorization", "")))

            def do_POST(self):
                outer.requests.append(("POST", self.path, dict(self.headers)))
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if outer.token_redirect_to:
                    return self._send(307, b"", [("Location", outer.token_redirect_to)])
                request = _Request("POST", outer.base + self.path, form, dict(self.headers))
                return self._send(*outer.server.create_token_response(request))

            def log_message(self, *args):
                pass

        self.serve(Handler)

    # --- Authlib's server side --------------------------------------------------------------------

    def _authorization_server(self) -> AuthorizationServer:
        outer = self

        class Grant(AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["none"]

            def save_authorization_code(self, code, request):
                outer._codes[code] = _Code(code, request.payload.redirect_uri, request.payload.scope,
                                           request.payload.data.get("code_challenge"),
                                           request.payload.data.get("code_challenge_method"))

            def query_authorization_code(self, code, client):
                return outer._codes.get(code)

            def delete_authorization_code(self, authorization_code):
                outer._codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return {"id": "clinician"}

        class Server(AuthorizationServer):
            def query_client(self, client_id):
                return _Client() if client_id == CLIENT_ID else None

            def save_token(self, token, request):
                outer.tokens.add(token["access_token"])
                token.update({"patient": outer.patient_id} | outer.token_extra)

            def create_oauth2_request(self, request):
                return request

            def handle_response(self, status, body, headers):
                data = json.dumps(body).encode() if isinstance(body, dict) else (body or b"")
                return status, data, list(headers)

            def send_signal(self, name, *args, **kwargs):
                pass

        server = Server()
        server.register_grant(Grant, [CodeChallenge(required=True)])
        server.register_token_generator("default", BearerTokenGenerator(
            access_token_generator=lambda **_: secrets.token_urlsafe(24)))
        return server

    def _authorize(self, query: dict) -> tuple[int, bytes, list]:
        """SMART's own checks (launch, aud, S256), then Authlib's: the code goes to the redirect URI."""
        if query.get("launch") != LAUNCH or query.get("aud") != self.iss or query.get("code_challenge_method") != "S256":
            return 400, b'{"error": "invalid_request"}', [("Content-Type", "application/json")]
        request = _Request("GET", self.base + "/authorize?" + urlencode(query), query, {})
        grant = self.server.get_consent_grant(request, end_user={"id": "clinician"})
        return self.server.create_authorization_response(request, grant_user={"id": "clinician"}, grant=grant)

    # --- FHIR ---------------------------------------------------------------------------------------

    def _fhir(self, path: str, query: dict, authorization: str) -> tuple[int, bytes, list]:
        json_type = [("Content-Type", "application/fhir+json")]
        if authorization.removeprefix("Bearer ") not in self.tokens:
            return 401, json.dumps({"resourceType": "OperationOutcome", "issue": []}).encode(), json_type
        if self.fhir_body is not None:
            return 200, self.fhir_body, json_type
        if path == f"/fhir/Patient/{self.patient_id}":
            return 200, json.dumps(self.patient).encode(), json_type
        if path != "/fhir/Observation":
            return 404, b'{"resourceType": "OperationOutcome", "issue": []}', json_type
        wanted = {item.split("|")[1] for item in query.get("code", "").split(",") if "|" in item}
        found = [o for o in self.observations if {c["code"] for c in o["code"]["coding"]} & wanted]
        bundle = {"resourceType": "Bundle", "type": "searchset"}
        if self.page_size:  # as a server that ignores _sort and _count: stored order, fixed pages
            page = int(query.get("_page", "1"))
            start = (page - 1) * self.page_size
            chunk = found[start:start + self.page_size]
            if start + self.page_size < len(found):
                bundle["link"] = [{"relation": "next", "url": f"{self.base}{path}?{urlencode(query | {'_page': page + 1})}"}]
            found = chunk
        bundle["entry"] = [{"resource": o, "search": {"mode": "match"}} for o in found]
        return 200, json.dumps(bundle).encode(), json_type


def drip_server(body: bytes, every: float) -> tuple[ThreadingHTTPServer, str]:
    """A server that answers 200 and then sends its body one byte every `every` seconds."""

    class Drip(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for byte in body:
                try:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(every)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Drip)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"
