"""The workup screen is valid HTML by the Nu HTML checker (vnu-jar from npm, Java 17), 0 errors.

The checker is not a Python package: install it with `npm install vnu-jar@26.9.27` (then
node_modules/vnu-jar/build/dist/vnu.jar is found) or point VNU_JAR at the jar. Without it the test
is skipped and says so; one run checks several states of the page in one Java start (~5 s).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.ehr.fhir_builders import LAUNCH_RECORD
from tests.support import form_data, golden
from tests.vnu import VNU_JAR, requires_vnu
from workup.ehr.smart import launch_draft_create

JAR = VNU_JAR
pytestmark = [requires_vnu, pytest.mark.django_db]


def _pages(client) -> dict[str, bytes]:
    launched = launch_draft_create(record=LAUNCH_RECORD, patient_id="example")
    return {
        "empty": client.get("/").content,
        "assessed": client.post("/", form_data(golden("life-expectancy-conflict-with-anemia")["input"])).content,
        "refused": client.post("/", {"hemoglobin": "1o.9", "hemoglobin_unit": "g/dL"}).content,
        "map": client.post("/", {**form_data(golden("baseline-completely-normal")["input"]), "show_map": "on"}).content,
        "launched": client.get("/", {"draft": launched}, follow=True).content,
    }


def test_workup_screen_has_no_html_errors(client, tmp_path):
    files = []
    pages = _pages(client)
    assert b"data-record-notice" in pages["launched"]  # the launch notice is among what is checked
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(html)
        files.append(str(path))
    run = subprocess.run(
        ["java", "-jar", str(JAR), "--errors-only", "--format", "json", *files],
        capture_output=True, text=True, timeout=120, check=False,
    )
    messages = json.loads(run.stderr or '{"messages": []}')["messages"]
    assert [(Path(m["url"]).name, m.get("lastLine"), m["message"]) for m in messages] == []
