"""Admin for calls, their automatic checks, imports and rule libraries: read-mostly. Calls and
libraries change through the import and library pages (validation, versions, rescoring), so
the admin only looks; automatic checks are the engine's and are never edited by hand."""

from __future__ import annotations

from django.contrib import admin

from scoring.calls.models import Call, CallCheck, ImportJob


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdmin):
    list_display = ["filename", "format", "status", "total", "imported", "created_by", "created_at"]
    list_filter = ["status", "format"]
    search_fields = ["filename", "created_by__username"]
    list_select_related = ["created_by"]


class CallCheckInline(admin.StackedInline):
    model = CallCheck
    can_delete = False
    fields = ["library", "score", "critical_failed", "outcomes", "checked_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ["call_id", "agent", "team", "started_at", "duration_seconds", "channel"]
    list_filter = ["channel", "team__department", "team"]
    search_fields = ["call_id", "agent__employee_no", "agent__name"]
    date_hierarchy = "started_at"
    list_select_related = ["agent", "team"]
    raw_id_fields = ["agent", "team", "import_job"]
    inlines = [CallCheckInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CallCheck)
class CallCheckAdmin(ReadOnlyAdmin):
    list_display = ["call", "library", "score", "critical_failed", "checked_at"]
    list_filter = ["critical_failed", "library"]
    search_fields = ["call__call_id"]
    list_select_related = ["call", "library"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
