"""The benchmarks' typing sessions (scripts/typing_sessions.py) enter what the golden case holds.

The keystroke and capacity benchmarks replay these fields; if they missed a control the screen
added (the brain-imaging box, say) the benchmarks would stop or time the wrong form.
"""

from __future__ import annotations

import pytest

from scripts.typing_sessions import fields_of, form_pairs
from tests.golden import representative_params
from tests.support import read_panel
from workup.forms import BRAIN_KEYS


@pytest.mark.parametrize("case", representative_params())
def test_a_typed_session_posts_to_the_golden_disposition(client, case):
    response = client.post("/", dict_of_lists(form_pairs(fields_of(case))), headers={"HX-Request": "true"})
    assert read_panel(response.content).disposition == case["expected"]["disposition"]


def test_brain_imaging_is_ticked_before_the_brain_fields_it_reveals():
    cases = [c for c in map(lambda p: p.values[0], representative_params()) if set(c["input"]) & set(BRAIN_KEYS)]
    assert cases, "a representative case enters a brain reference"
    for case in cases:
        keys = [field.key for field in fields_of(case)]
        assert keys.index("brain_imaging") < min(keys.index(key) for key in BRAIN_KEYS if key in keys)


def dict_of_lists(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    return data
