"""Admin for disputes. Disputes are decided on their page (the service rescores the evaluation
and records the history), so the admin only shows them."""

from __future__ import annotations

from django.contrib import admin

from scoring.disputes.models import Dispute, DisputeItem


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
