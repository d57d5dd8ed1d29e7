"""Admin for sampling plans and their assignments."""

from __future__ import annotations

from django.contrib import admin

from scoring.sampling.models import Assignment, SamplingPlan


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
