"""Read-only admin: bulletins are made by the jobs and issued on their pages."""

from __future__ import annotations

from django.contrib import admin

from bulletins.models import Bulletin, NoticeSequence


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "level", "period_start", "revision", "status", "number"]
    list_filter = ["kind", "level", "status"]
    search_fields = ["title", "number"]
    exclude = ["data"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


admin.site.register(NoticeSequence)
