"""Admin for rule libraries: read-only. Libraries change through the library pages (a change
is a new version)."""

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
