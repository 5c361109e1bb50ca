"""Cases reviewed before the registry existed get their entries (outcome not yet recorded)."""

import secrets

from django.db import migrations

ROLES = ("radiologist", "resident", "hematologist")


def index_reviewed(apps, schema_editor):
    saved_workup = apps.get_model("workup", "SavedWorkup")
    snapshot_model = apps.get_model("workup", "WorkupSnapshot")
    entry_model = apps.get_model("registry", "RegistryEntry")
    trigger_model = apps.get_model("registry", "EntryTrigger")
    criterion_model = apps.get_model("registry", "EntryCriterion")
    for workup in saved_workup.objects.filter(status="reviewed", registry_entry__isnull=True):
        snapshot = snapshot_model.objects.filter(workup=workup).order_by("-created_at", "-pk").first()
        if snapshot is None:
            continue
        result = snapshot.result
        triggers = sorted({item["id"] for item in result.get("triggers", [])})
        groups = set(workup.author.groups.values_list("name", flat=True))
        month = workup.updated_at.date().replace(day=1)
        entry = entry_model.objects.create(
            reference=secrets.token_urlsafe(12), workup=workup, snapshot=snapshot,
            pathway_version=snapshot.pathway_version, disposition=result["disposition"], decision=workup.decision,
            referring_role=next((r for r in ROLES if r in groups), "other"), reviewed_month=month,
            trigger_count=len(triggers),
        )
        trigger_model.objects.bulk_create(trigger_model(entry=entry, trigger_id=t) for t in triggers)
        criterion_model.objects.bulk_create(
            criterion_model(entry=entry, criterion_id=c["id"], met=c["status"] == "met")
            for c in result.get("criteria") or [] if c["status"] in ("met", "not_met")
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial"), ("workup", "0007_draft_record_notice")]

    operations = [migrations.RunPython(index_reviewed, migrations.RunPython.noop)]
