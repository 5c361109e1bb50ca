"""Admin for staff: saved workups and the audit trail are read-only, and every case opened is audited."""

from django.contrib import admin
from django.contrib.admin.utils import unquote

from workup.models import AuditAction, AuditEvent, FailedLogin, SavedWorkup, WorkupSnapshot
from workup.saved import services as saved
from workup.throttle import ThrottledAdminPasswordChangeForm


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
    """Read-only: every change to a case, the label included, goes through the app's versioned services.

    A label edit here bypassed the version check (the author's older form then overwrote it
    silently) and the audit trail; the author corrects a label on the case page instead.
    Opening a case here is a read of it and is audited like the case page.
    """

    list_display = ("reference", "label", "author", "status", "disposition", "referred_at", "created_at")
    list_filter = ("status", "disposition", "decision")
    search_fields = ("reference", "label", "author__username")
    fields = (
        "reference", "label", "author", "status", "disposition", "referred_at", "reviewer", "decision",
        "review_note", "version", "created_at", "updated_at", "inputs_json",
    )  # fmt: skip
    readonly_fields = fields
    inlines = [SnapshotInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """The list shows each case's label, status and result: the rows on the page are audited as read."""
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if response.status_code == 200 else None
        if changelist is not None:
            saved.audit_reads(workups=list(changelist.result_list), actor=request.user, details="admin list")
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        workup = self.get_object(request, unquote(object_id))
        if workup is not None and response.status_code == 200 and self.has_view_permission(request, workup):
            saved.audit_record(workup=workup, actor=request.user, action=AuditAction.VIEW, details="admin")
        return response


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

# The admin password-change form checks the old password through the sign-in throttle (issue 11).
admin.site.password_change_form = ThrottledAdminPasswordChangeForm
