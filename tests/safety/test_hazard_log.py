"""The hazard log names real tests: a row whose control no test verifies is not a control."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "docs" / "safety" / "hazard-log.md"
TEST_REF = re.compile(r"(tests/[\w/]+\.py)::(\w+)")
COLUMNS = ("ID", "Hazard", "Cause", "Effect on the patient", "Sev", "Lik", "Risk", "Control", "Verified by",
           "Residual")


def _rows() -> list[dict[str, str]]:
    """Every data row of every table in the log, as column name → cell text."""
    rows = []
    for line in LOG.read_text().splitlines():
        if not line.startswith("|") or line.startswith("|---") or line.startswith("| ID "):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        rows.append(dict(zip(COLUMNS, cells, strict=False)) | {"_cells": str(len(cells)), "_line": line})
    return rows


@cache
def _test_names(path: str) -> frozenset[str]:
    """The test functions (module level or in a class) defined in one test file."""
    tree = ast.parse((ROOT / path).read_text())
    return frozenset(node.name for node in ast.walk(tree)
                     if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"))


def test_hazard_log_has_rows():
    assert len(_rows()) >= 1


def test_hazard_log_rows_have_every_column():
    bad = [row["_line"] for row in _rows() if row["_cells"] != str(len(COLUMNS))]
    assert bad == []


def test_hazard_log_ids_are_unique():
    ids = [row["ID"] for row in _rows()]
    assert len(ids) == len(set(ids))


def test_hazard_log_every_row_names_a_test():
    assert [row["ID"] for row in _rows() if not TEST_REF.search(row["Verified by"])] == []


def test_hazard_log_named_tests_exist():
    missing = []
    for row in _rows():
        for path, name in TEST_REF.findall(row["Verified by"]):
            if not (ROOT / path).is_file() or name not in _test_names(path):
                missing.append(f"{row['ID']}: {path}::{name}")
    assert missing == []


def test_hazard_log_risk_is_severity_times_likelihood():
    wrong = [row["ID"] for row in _rows() if int(row["Risk"]) != int(row["Sev"]) * int(row["Lik"])]
    assert wrong == []
