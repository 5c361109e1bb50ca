"""A case enters the registry when its review is recorded.

The saved-cases services record every status change in the audit trail; listening for that event
keeps the registry out of their code. The review and the new entry share one transaction.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from workup.models import AuditAction, AuditEvent, WorkupStatus


@receiver(post_save, sender=AuditEvent, dispatch_uid="registry-index-on-review")
def index_reviewed_case(sender, instance: AuditEvent, created: bool, **kwargs) -> None:
    """On the status change that makes a case reviewed, give it a registry entry."""
    if created and instance.action == AuditAction.STATUS and instance.workup.status == WorkupStatus.REVIEWED:
        from workup.registry.services import registry_index

        registry_index(workup=instance.workup)
