"""Admin for staff: saved workups are read-mostly, the audit trail is read-only."""

from django.contrib import admin

from workup.models import AuditEvent, FailedLogin, SavedWorkup, WorkupSnapshot


class SnapshotInline(admin.TabularInline):
    model = WorkupSnapshot
    fields = ("created_at", "pathway_version", "pathway_hash", "evaluation_date", "created_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SavedWorkup)
class SavedWorkupAdmin(admin.ModelAdmin):
    """Staff may correct the label only; clinical content and status change through the app."""

    list_display = ("reference", "label", "author", "status", "disposition", "referred_at", "created_at")
    list_filter = ("status", "disposition", "decision")
    search_fields = ("reference", "label", "author__username")
    fields = (
        "reference", "label", "author", "status", "disposition", "referred_at", "reviewer", "decision",
        "review_note", "version", "created_at", "updated_at", "inputs_json",
    )  # fmt: skip
    readonly_fields = tuple(f for f in fields if f != "label")
    inlines = [SnapshotInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: no add, change or delete, whoever asks."""

    list_display = ("at", "actor", "action", "workup", "details")
    list_filter = ("action",)
    search_fields = ("workup__reference", "actor__username")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FailedLogin)
class FailedLoginAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "ip_address")
    search_fields = ("username",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

from workup.throttle import ThrottledAdminPasswordChangeForm

# The admin password-change form checks the old password through the sign-in throttle (issue 11).
admin.site.password_change_form = ThrottledAdminPasswordChangeForm
