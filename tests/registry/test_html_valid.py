"""The registry's pages validate with 0 errors in the Nu HTML checker (see tests/vnu.py)."""

from __future__ import annotations

from tests.learning.test_html_valid import _errors
from tests.registry.conftest import DONE_NEOPLASM, DONE_NORMAL, make_entries
from tests.vnu import requires_vnu

pytestmark = requires_vnu


def test_registry_pages_are_valid_html(client, tmp_path, reviewed_case, hematologist):
    make_entries(12, outcome=DONE_NEOPLASM, triggers=("BX-MPROTEIN",))
    make_entries(20, outcome=DONE_NORMAL, triggers=("BX-MPROTEIN",))
    client.force_login(hematologist)
    outcome = f"/registry/entries/{reviewed_case.registry_entry.reference}"
    pages = {path: client.get(path).content.decode()
             for path in ("/registry/", "/registry/?version=all", "/registry/?version=1.2", "/registry/follow-up",
                          outcome, "/learn/registry")}  # fmt: skip
    pages["refused"] = client.post(outcome, {"revision": 0, "biopsy": "done", "note": "MRN 1234567"}).content.decode()
    client.post(outcome, {"revision": 0, "biopsy": "not_done", "not_done_reason": "deferred"})
    pages["recorded"] = client.get(outcome).content.decode()
    assert _errors(tmp_path, pages) == []
