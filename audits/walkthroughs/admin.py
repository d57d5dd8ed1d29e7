"""Admin views of the walk-throughs, read-only: every change goes through the services (the
deadline, the refusals and the notifications live there)."""

from __future__ import annotations

from django.contrib import admin

from .models import DepartmentDraw, Finding, Walkthrough, WalkthroughDocument, WalkthroughDraw


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DepartmentDrawInline(admin.TabularInline):
    model = DepartmentDraw
    extra = 0
    can_delete = False
    readonly_fields = ["department", "available", "drawn"]


@admin.register(WalkthroughDraw)
class WalkthroughDrawAdmin(ReadOnlyAdmin):
    list_display = ["month", "seed", "drawn_at", "drawn_by"]
    inlines = [DepartmentDrawInline]


@admin.register(Walkthrough)
class WalkthroughAdmin(ReadOnlyAdmin):
    list_display = ["month", "department", "slot", "standard", "owner", "status", "verdict"]
    list_display += ["score", "documents_due_at"]
    list_filter = ["status", "verdict", "department"]
    search_fields = ["standard__code", "version__title"]
    list_select_related = ["department", "standard", "owner"]


@admin.register(WalkthroughDocument)
class WalkthroughDocumentAdmin(ReadOnlyAdmin):
    list_display = ["name", "step", "size", "sha256", "uploaded_at", "late"]
    list_select_related = ["step"]


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["walkthrough", "grade", "description", "action", "created_at"]
    list_filter = ["grade"]
    list_select_related = ["walkthrough", "action"]
