"""Recording a hematology review in one step when nobody else has started it."""

from __future__ import annotations

from django.db import transaction

from workup.models import SavedWorkup, WorkupStatus
from workup.saved import services as saved


@transaction.atomic
def workup_review_record(*, workup: SavedWorkup, actor, version: int, decision: str, note: str) -> None:
    """A referred case is taken into review and decided in one step; a case already in review (by
    anyone) is decided as before, under the same version check, so a second reviewer is refused."""
    if workup.status == WorkupStatus.REFERRED:
        saved.workup_start_review(workup=workup, actor=actor, version=version)
        version = workup.version
    saved.workup_complete_review(workup=workup, actor=actor, version=version, decision=decision, note=note)
