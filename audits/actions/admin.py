"""Admin of corrective actions: read-only, the status changes only through the pages and the
API (the services record every change)."""

from __future__ import annotations

from django.contrib import admin

from audits.actions.models import (
    ActionEvent,
    ActionFollowUp,
    ActionVerification,
    CorrectiveAction,
    ImprovementTarget,
    TargetFollowUp,
)


class _ReadOnly(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class EventInline(_ReadOnly):
    model = ActionEvent


class FollowUpInline(_ReadOnly):
    model = ActionFollowUp


class VerificationInline(_ReadOnly):
    model = ActionVerification


@admin.register(CorrectiveAction)
class CorrectiveActionAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "department", "team", "owner", "due_on", "status"]
    list_filter = ["status", "source", "department"]
    search_fields = ["title", "description"]
    inlines = [VerificationInline, FollowUpInline, EventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImprovementTarget)
class ImprovementTargetAdmin(admin.ModelAdmin):
    list_display = ["label", "team", "department", "target_value", "due_week", "status"]
    list_filter = ["status", "level", "metric"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


admin.site.register(TargetFollowUp)
