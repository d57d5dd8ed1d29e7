"""Admin for sampling plans and assignments, disputes and calibration sessions. Disputes are
decided on their page (the service rescores the evaluation and records history), so the admin
shows them read-only."""

from __future__ import annotations

from django.contrib import admin

from .models import Assignment, CalibrationSession, Dispute, DisputeItem, SamplingPlan


@admin.register(SamplingPlan)
class SamplingPlanAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "scorecard", "calls_per_agent", "assignment", "is_active"]
    list_filter = ["is_active", "assignment", "department"]
    search_fields = ["name"]
    filter_horizontal = ["supervisors"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["call", "supervisor", "plan", "period_start", "due_at", "status"]
    list_filter = ["status", "plan", "period_start"]
    search_fields = ["call__call_id", "supervisor__username"]
    raw_id_fields = ["call"]
    list_select_related = ["call", "supervisor", "plan"]


class DisputeItemInline(admin.TabularInline):
    model = DisputeItem
    extra = 0
    can_delete = False
    readonly_fields = ["answer", "reason", "decision", "new_value", "note"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Dispute)
class DisputeAdmin(admin.ModelAdmin):
    list_display = [
        "evaluation",
        "status",
        "opened_at",
        "decided_by",
        "score_before",
        "score_after",
    ]
    list_filter = ["status"]
    search_fields = ["evaluation__call__call_id", "raised_by__username"]
    inlines = [DisputeItemInline]
    list_select_related = ["evaluation__call", "evaluation__scorecard", "evaluation__evaluator"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CalibrationSession)
class CalibrationSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "call", "status", "reference_score", "created_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "call__call_id"]
    filter_horizontal = ["participants"]
    raw_id_fields = ["call"]
