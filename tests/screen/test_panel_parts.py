"""The panel's kept drawings (`panel_part`) never change what the panel says.

Each result item (a finding, a pitfall, a lab line…) is drawn once and the drawing is reused for any
equal item; these tests hold the fragment drawn from kept parts equal to the fragment drawn afresh.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.golden import golden_cases
from tests.screen.test_form_fuzz import FUZZ
from tests.strategies import api_cases
from tests.support import form_data
from workup.report import format_number
from workup.templatetags.workup_display import PANEL_PART_CACHE_SIZE, _rendered_part

HTMX = {"HX-Request": "true"}


def _fragment(client, inputs: dict) -> bytes:
    return client.post("/", form_data(inputs), headers=HTMX).content


def _fresh_fragment(client, inputs: dict) -> bytes:
    _rendered_part.cache_clear()
    return _fragment(client, inputs)


def test_panel_parts_kept_across_golden_cases_draw_what_a_fresh_panel_draws(client):
    cases = [case["input"] for case in golden_cases()]
    fresh = [_fresh_fragment(client, inputs) for inputs in cases]
    for inputs in cases:  # warm: every part any case needs is kept
        _fragment(client, inputs)
    assert _rendered_part.cache_info().hits > 0
    assert [_fragment(client, inputs) for inputs in cases] == fresh


@FUZZ
@given(st.lists(api_cases(), min_size=2, max_size=4))
def test_panel_parts_kept_across_generated_cases_draw_what_a_fresh_panel_draws(cases):
    from django.test import Client

    client = Client()
    fresh = [_fresh_fragment(client, inputs) for inputs in cases]
    for inputs in cases:
        _fragment(client, inputs)
    assert [_fragment(client, inputs) for inputs in cases] == fresh


def test_panel_part_cache_is_bounded(client):
    assert _rendered_part.cache_info().maxsize == PANEL_PART_CACHE_SIZE


@pytest.mark.parametrize(("one", "other"), [("0", "-0"), ("0.00", "-0.0"), ("10.8", "10.80"), ("1E+1", "10")])
def test_equal_numbers_print_alike(one, other):
    """Kept drawings are found by equality, so numbers that compare equal must print the same."""
    assert Decimal(one) == Decimal(other)
    assert format_number(Decimal(one)) == format_number(Decimal(other))
