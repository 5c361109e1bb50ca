"""Every page but the workup screen validates with 0 errors in the Nu HTML checker (issue 13).

Needs Java 17 and the checker's jar (npm package `vnu-jar`, see tests/vnu.py). Without
them the test is skipped, never passed silently.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.support import referred_heavy_case
from tests.vnu import VNU_JAR, requires_vnu

pytestmark = [pytest.mark.django_db, requires_vnu]

PUBLIC = [
    "/learn/", "/learn/map", "/learn/map?case=hb-11-9-gdl-anemia", "/learn/rules", "/learn/rules/IM-PET-CT",
    "/learn/tests", "/learn/cases", "/learn/cases/anaemic-retiree", "/about",
    "/accounts/login/",
]  # fmt: skip


def _errors(tmp_path, pages: dict[str, str]) -> list[str]:
    files = []
    for index, (name, html) in enumerate(pages.items()):
        path = tmp_path / f"page{index}.html"
        path.write_text(html, encoding="utf-8")
        files.append((str(path), name))
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *(f for f, _ in files)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    names = {f"file:{f}": name for f, name in files}
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [
        f"{names.get(m.get('url'), m.get('url'))}: {m['message']}" for m in messages if m["type"] == "error"
    ]


def test_learning_pages_about_and_login_are_valid_html(client, tmp_path):
    pages = {path: client.get(path).content.decode() for path in PUBLIC}
    reveal = client.post(
        "/learn/cases/anaemic-retiree", {"disposition": "PROCEED_TO_BIOPSY", "key_rules": ["BX-ANEMIA"]}
    )
    pages["reveal"] = reveal.content.decode()
    assert _errors(tmp_path, pages) == []


def test_saved_case_pages_are_valid_html(client, tmp_path, django_user_model):
    _, hematologist, workup = referred_heavy_case(django_user_model)
    client.force_login(hematologist)
    paths = ["/cases/queue", "/cases/queue?status=reviewed", "/cases/", "/cases/new", f"/cases/{workup.reference}",
             f"/cases/{workup.reference}/print"]  # fmt: skip
    assert _errors(tmp_path, {path: client.get(path).content.decode() for path in paths}) == []
