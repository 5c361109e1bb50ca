"""Fill a throwaway database with synthetic registry entries and outcomes (benchmark, screenshots).

Every entry made here is marked synthetic, has no saved case behind it, and says so wherever it
appears (page banner, outcome page, CSV column, the MeasureReport's test-data tag). The command
refuses a database that holds any saved case: that is not a throwaway database.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from workup.models import SavedWorkup
from workup.pathway.engine import PATHWAY_INFO
from workup.pathway.rules import RULES
from workup.pathway.wording import RuleKind
from workup.registry.models import (
    Biopsy,
    EntryCriterion,
    EntryTrigger,
    Finding,
    FollowUp,
    NotDoneReason,
    RegistryEntry,
)
from workup.registry.services import ROLES, month_of, months_after, outcome_derived

BATCH = 5000
EARLIER_VERSION = "1.0.0"
NEOPLASMS = [Finding.PCN_MGUS, Finding.PCN_SMOULDERING, Finding.PCN_MYELOMA, Finding.PCN_AL, Finding.LYMPHOMA,
             Finding.LEUKAEMIA, Finding.MDS_MPN]  # fmt: skip
OTHERS = [Finding.REACTIVE, Finding.REACTIVE, Finding.NORMAL, Finding.NORMAL, Finding.NON_DIAGNOSTIC, Finding.METASTATIC,
          Finding.OTHER]  # fmt: skip
DISPOSITIONS = (("PROCEED_TO_BIOPSY", 45), ("DEFERRAL_REASONABLE", 35), ("COMPLETE_WORKUP", 12),
                ("BIOPSY_STRONGLY_CONSIDERED", 8))  # fmt: skip


def synthetic_outcome(rng: random.Random, disposition: str, triggers: list[str], reviewed: dt.date) -> dict | None:
    """A plausible outcome: more triggers, more neoplasm; deferred cases mostly followed; some missing."""
    if rng.random() < 0.12:
        return None
    blank = {"biopsy_month": None, "not_done_reason": "", "result": "", "follow_up_3m": "", "follow_up_12m": "", "note": ""}
    biopsied = disposition in ("PROCEED_TO_BIOPSY", "BIOPSY_STRONGLY_CONSIDERED") and rng.random() < 0.85
    if biopsied:
        chance = 0.08 + 0.06 * len(triggers) + (0.1 if "BX-MPROTEIN" in triggers or "BX-FLC" in triggers else 0)
        result = rng.choice(NEOPLASMS) if rng.random() < chance else rng.choice(OTHERS)
        month = min(months_after(reviewed, rng.randrange(0, 3)), month_of(timezone.localdate()))
        return blank | {"biopsy": Biopsy.DONE, "biopsy_month": month, "result": result}
    reason = NotDoneReason.DEFERRED if rng.random() < 0.8 else rng.choice(list(NotDoneReason))
    seen = [FollowUp.NO_NEOPLASM] * 90 + [FollowUp.NEOPLASM] * 3 + [FollowUp.METASTATIC] + [FollowUp.LOST] * 6
    at_3 = rng.choice(seen) if rng.random() < 0.75 else ""
    at_12 = rng.choice(seen) if at_3 not in ("", FollowUp.NEOPLASM) and rng.random() < 0.6 else ""
    return blank | {"biopsy": Biopsy.NOT_DONE, "not_done_reason": reason, "follow_up_3m": at_3, "follow_up_12m": at_12}


class Command(BaseCommand):
    help = "Fill a throwaway database with N synthetic registry entries and outcomes (labelled synthetic)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="How many synthetic cases to add.")
        parser.add_argument("--seed", type=int, default=24, help="Random seed (the same seed gives the same cases).")

    def handle(self, *args, cases: int, seed: int, **options):
        if cases < 1:
            raise CommandError("--cases must be at least 1.")
        if SavedWorkup.objects.exists():
            raise CommandError("This database holds saved cases: seed_registry only fills a throwaway database.")
        rng = random.Random(seed)  # noqa: S311 - synthetic cases, not a secret
        triggers = [rule.id for rule in RULES if rule.kind == RuleKind.TRIGGER]
        criteria = [rule.id for rule in RULES if rule.kind == RuleKind.CRITERION]
        started = time.monotonic()
        for first in range(0, cases, BATCH):
            self._batch(rng, min(BATCH, cases - first), triggers, criteria)
        self.stdout.write(f"Added {cases} synthetic cases in {time.monotonic() - started:.1f} s.")

    @transaction.atomic
    def _batch(self, rng: random.Random, size: int, triggers: list[str], criteria: list[str]) -> None:
        this_month = month_of(timezone.localdate())
        entries, fired, judged = [], [], []
        for _ in range(size):
            disposition = rng.choices([d for d, _ in DISPOSITIONS], [w for _, w in DISPOSITIONS])[0]
            chosen = sorted(rng.sample(triggers, rng.choice((1, 1, 1, 2, 2, 3)))) if disposition == "PROCEED_TO_BIOPSY" else []
            month = months_after(this_month, -rng.randrange(0, 30))
            outcome = synthetic_outcome(rng, disposition, chosen, month)
            derived = outcome_derived(outcome=outcome, reviewed_month=month) if outcome else {}
            entries.append(RegistryEntry(
                synthetic=True, pathway_version=EARLIER_VERSION if rng.random() < 0.1 else PATHWAY_INFO.version,
                disposition=disposition, referring_role=rng.choice((*ROLES, "radiologist", "radiologist", "other")),
                reviewed_month=month, trigger_count=len(chosen), revision=1 if outcome else 0,
                **(outcome or {}), **derived,
            ))  # fmt: skip
            fired.append(chosen)
            judged.append([(c, rng.random() < 0.3) for c in rng.sample(criteria, rng.randrange(2, 6))])
        entries = RegistryEntry.objects.bulk_create(entries)
        EntryTrigger.objects.bulk_create(EntryTrigger(entry=e, trigger_id=t) for e, ts in zip(entries, fired, strict=True) for t in ts)
        EntryCriterion.objects.bulk_create(
            EntryCriterion(entry=e, criterion_id=c, met=m) for e, cs in zip(entries, judged, strict=True) for c, m in cs
        )

