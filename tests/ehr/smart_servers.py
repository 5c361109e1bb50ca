"""A small SMART authorization server and FHIR server, in one local HTTP server, for the launch tests.

It checks what a real EHR would: the client id, the redirect URI, the launch and aud parameters,
PKCE (S256) at the token endpoint, and the bearer token on every FHIR read.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from workup.ehr import fhir

CLIENT_ID = "marrow-workup-test"
LAUNCH = "launch-123"


class LoopbackEhr:
    """A test EHR answering on a free loopback port: its FHIR base is the `iss`; close() stops it."""

    def serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    @property
    def iss(self) -> str:
        return self.base + "/fhir"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class SmartEhrServer(LoopbackEhr):
    def __init__(self):
        self.observations: list[dict] = []
        self.patient_id = "example"  # the patient in context: the token names it, the Patient read answers for it
        self.patient: dict = {"resourceType": "Patient", "id": "example"}
        self.codes: dict[str, dict] = {}  # code -> {challenge, redirect_uri}
        self.tokens: set[str] = set()
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _json(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                outer.requests.append(self.path)
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/fhir/.well-known/smart-configuration":
                    return self._json(200, {"authorization_endpoint": outer.base + "/authorize",
                                            "token_endpoint": outer.base + "/token",
                                            "code_challenge_methods_supported": ["S256"]})
                if url.path == "/authorize":
                    ok = (query.get("client_id") == CLIENT_ID and query.get("launch") == LAUNCH
                          and query.get("aud") == outer.base + "/fhir" and query.get("code_challenge_method") == "S256"
                          and "patient/Observation.rs" in query.get("scope", "") and query.get("response_type") == "code")
                    if not ok:
                        return self._json(400, {"error": "invalid_request"})
                    code = secrets.token_urlsafe(16)
                    outer.codes[code] = {"challenge": query["code_challenge"], "redirect_uri": query["redirect_uri"]}
                    self.send_response(302)
                    self.send_header("Location", query["redirect_uri"] + "?" + urlencode(
                        {"code": code, "state": query["state"]}))
                    self.end_headers()
                    return None
                if self.headers.get("Authorization", "").removeprefix("Bearer ") not in outer.tokens:
                    return self._json(401, {"resourceType": "OperationOutcome", "issue": []})
                if url.path == f"/fhir/Patient/{outer.patient_id}":
                    return self._json(200, outer.patient)
                if url.path == "/fhir/Observation":
                    wanted = {item.split("|")[1] for item in query.get("code", "").split(",") if "|" in item}
                    found = [o for o in outer.observations
                             if {c["code"] for c in o["code"]["coding"]} & wanted]
                    return self._json(200, {"resourceType": "Bundle", "type": "searchset",
                                            "entry": [{"resource": o, "search": {"mode": "match"}} for o in found]})
                return self._json(404, {"resourceType": "OperationOutcome", "issue": []})

            def do_POST(self):
                outer.requests.append(self.path)
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                grant = outer.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if (self.path != "/token" or grant is None or challenge != grant["challenge"]
                        or form.get("redirect_uri") != grant["redirect_uri"] or form.get("client_id") != CLIENT_ID):
                    return self._json(400, {"error": "invalid_grant"})
                token = secrets.token_urlsafe(16)
                outer.tokens.add(token)
                return self._json(200, {"access_token": token, "token_type": "Bearer", "expires_in": 300,
                                        "scope": "launch patient/Observation.rs patient/Patient.rs",
                                        "patient": outer.patient_id})

            def log_message(self, *args):
                pass

        self.serve(Handler)


assert fhir.LOINC_SYSTEM  # the server matches codes the way the app's searches send them
