"""Admin of inspections: read-only (the pages and the API write through the services)."""

from __future__ import annotations

from django.contrib import admin

from audits.inspections.models import (
    ChecklistItem,
    SelfInspection,
    SelfInspectionSchedule,
    ThirdPartyEvaluation,
    ThirdPartyResult,
)


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ChecklistItemInline(_ReadOnlyInline):
    model = ChecklistItem


class ThirdPartyResultInline(_ReadOnlyInline):
    model = ThirdPartyResult


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SelfInspection)
class SelfInspectionAdmin(_ReadOnlyAdmin):
    list_display = ["title", "department", "period_start", "inspector", "due_on", "status"]
    list_filter = ["status", "department"]
    inlines = [ChecklistItemInline]


@admin.register(ThirdPartyEvaluation)
class ThirdPartyEvaluationAdmin(_ReadOnlyAdmin):
    list_display = ["evaluator", "method", "period_start", "filename", "imported_by", "imported_at"]
    list_filter = ["method"]
    inlines = [ThirdPartyResultInline]


@admin.register(SelfInspectionSchedule)
class SelfInspectionScheduleAdmin(admin.ModelAdmin):
    """Schedules are set up here by administrators: a department, how often, who inspects."""

    list_display = ["department", "frequency", "inspector", "days_to_complete", "is_active"]
