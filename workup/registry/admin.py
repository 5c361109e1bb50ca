"""Admin of the outcome registry: read-only, and nothing can be deleted (outcomes are corrected in the app)."""

from django.contrib import admin

from workup.registry.models import OutcomeRevision, RegistryEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RegistryEntry)
class RegistryEntryAdmin(ReadOnlyAdmin):
    list_display = ("reference", "synthetic", "pathway_version", "disposition", "reviewed_month", "biopsy", "result",
                    "outcome_known", "revision")
    list_filter = ("synthetic", "pathway_version", "disposition", "biopsy", "deferred")
    actions = None


@admin.register(OutcomeRevision)
class OutcomeRevisionAdmin(ReadOnlyAdmin):
    list_display = ("entry", "revision", "actor", "at")
    actions = None
