"""Fixtures of the registry tests: the saved-cases users and cases, and registry entries in bulk."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.saved.conftest import (  # noqa: F401 - fixtures shared with the saved-case tests
    biopsy_inputs,
    deferral_inputs,
    hematologist,
    in_review_case,
    radiologist,
    referred_case,
    reviewed_case,
    roles,
    saved_case,
    staff,
)
from workup.registry.models import EntryCriterion, EntryTrigger, RegistryEntry
from workup.registry.services import outcome_derived

DONE_NEOPLASM = {"biopsy": "done", "biopsy_month": dt.date(2026, 9, 1), "not_done_reason": "", "result": "pcn_myeloma",
                 "follow_up_3m": "", "follow_up_12m": "", "note": ""}
DONE_NORMAL = DONE_NEOPLASM | {"result": "normal"}


def make_entries(count: int, *, outcome: dict | None, triggers=("BX-ANEMIA",), version="1.2", criteria=(),
                 month=dt.date(2026, 7, 1), role="radiologist", disposition="PROCEED_TO_BIOPSY") -> list[RegistryEntry]:
    """`count` synthetic entries with the same outcome (None: not recorded), in one bulk insert."""
    derived = outcome_derived(outcome=outcome, reviewed_month=month) if outcome else {}
    entries = RegistryEntry.objects.bulk_create(
        RegistryEntry(synthetic=True, pathway_version=version, disposition=disposition, referring_role=role,
                      reviewed_month=month, trigger_count=len(triggers), revision=1 if outcome else 0,
                      **(outcome or {}), **derived)
        for _ in range(count)
    )
    EntryTrigger.objects.bulk_create(EntryTrigger(entry=e, trigger_id=t) for e in entries for t in triggers)
    EntryCriterion.objects.bulk_create(EntryCriterion(entry=e, criterion_id=c, met=m) for e in entries for c, m in criteria)
    return entries


@pytest.fixture
def deferral_reviewed_case(radiologist, hematologist, deferral_inputs):  # noqa: F811 - the imported fixtures
    """A case the pathway deferred, reviewed with 'defer with surveillance'."""
    from workup.saved import services as saved

    case = saved.workup_save(author=radiologist, inputs_json=deferral_inputs, label="deferred one")
    saved.workup_refer(workup=case, actor=radiologist, version=case.version)
    saved.workup_start_review(workup=case, actor=hematologist, version=case.version)
    saved.workup_complete_review(workup=case, actor=hematologist, version=case.version,
                                 decision="defer_surveillance", note="")
    return case
