"""The launch notice says how old a result was when the workup was opened, in whole days, never its date."""

from __future__ import annotations

import datetime as dt

import pytest

from workup.ehr.launch_notice import relative_age
from workup.pathway.wording import card_say, notice_say

OPENED = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("offset", "key", "days"), [
    (-dt.timedelta(hours=23, minutes=59), "within_a_day", None),
    (-dt.timedelta(hours=24), "one_day_before", None),
    (-dt.timedelta(hours=47, minutes=59), "one_day_before", None),
    (-dt.timedelta(hours=48), "days_before", 2),
    (-dt.timedelta(days=400, hours=3), "days_before", 400),
    (dt.timedelta(hours=23, minutes=59), "within_a_day", None),
    (dt.timedelta(hours=24), "one_day_after", None),
    (dt.timedelta(hours=48), "days_after", 2),
])
def test_age_at_opening_counts_whole_days_on_either_side(offset, key, days):
    expected = notice_say(key, days=days) if days else notice_say(key)
    assert relative_age(OPENED + offset, OPENED) == expected


def test_a_result_without_a_date_is_said_to_be_undated():
    assert relative_age(None, OPENED) == card_say("lab_undated")
