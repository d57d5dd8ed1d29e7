"""Admin for calls, their automatic checks, imports and rule libraries: read-mostly. Calls and
libraries change through the import and library pages (validation, versions, rescoring), so
the admin only looks; automatic checks are the engine's and are never edited by hand."""

from __future__ import annotations

from django.contrib import admin

from scoring.rules.models import RuleLibrary


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RuleLibrary)
class RuleLibraryAdmin(ReadOnlyAdmin):
    list_display = ["name", "version", "status", "created_by", "created_at", "activated_at"]
    list_filter = ["status", "name"]
    search_fields = ["name", "notes"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # A version that checked calls is their provenance (PROTECT would refuse anyway).
        return obj is None or obj.status == RuleLibrary.Status.DRAFT
