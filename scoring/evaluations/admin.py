"""Admin for scorecards and evaluations. Published scorecards are read-only (a change is a new
version, made with the "new version" action); evaluations change only through the scoring
page and its services; history can be read by nobody's hand but never written."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from scoring.evaluations.models import (
    Answer,
    Evaluation,
    EvaluationEvent,
    Scorecard,
    ScorecardItem,
    ScorecardSection,
)
from scoring.evaluations.services.scorecards import scorecard_new_version, scorecard_publish


def _is_draft(obj) -> bool:
    return obj is None or obj.status == Scorecard.Status.DRAFT


class _DraftOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_delete_permission(request, obj)


class ScorecardSectionInline(_DraftOnlyInline):
    model = ScorecardSection
    fields = ["title", "order"]


class ScorecardItemInline(_DraftOnlyInline):
    model = ScorecardItem
    fields = [
        "section",
        "order",
        "code",
        "title",
        "kind",
        "scale_min",
        "scale_max",
        "weight",
        "critical",
        "allow_na",
        "rule_code",
        "guidance",
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the sections of the scorecard being edited.
        if db_field.name == "section":
            object_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = ScorecardSection.objects.filter(scorecard_id=object_id or 0)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Scorecard)
class ScorecardAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "status", "pass_mark", "published_at"]
    list_filter = ["status"]
    search_fields = ["name"]
    readonly_fields = ["status", "published_at", "created_by", "created_at"]
    inlines = [ScorecardSectionInline, ScorecardItemInline]
    actions = ["publish", "new_version"]

    def has_change_permission(self, request, obj=None):
        # Published and superseded versions are never changed.
        return _is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            obj.status = Scorecard.Status.DRAFT
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request, queryset):
        for scorecard in queryset:
            try:
                scorecard_publish(scorecard=scorecard, actor=request.user)
            except ValidationError as exc:
                self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(
                    request, _("%(card)s published.") % {"card": scorecard}, messages.SUCCESS
                )

    @admin.action(description=_("Make a new draft version"))
    def new_version(self, request, queryset):
        for scorecard in queryset:
            draft = scorecard_new_version(scorecard=scorecard, actor=request.user)
            self.message_user(request, _("Draft %(card)s is ready.") % {"card": draft})


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = readonly_fields = [
        "item",
        "value",
        "is_na",
        "auto_value",
        "auto_na",
        "override_reason",
        "note",
        "points",
        "possible",
    ]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EvaluationEventInline(admin.TabularInline):
    model = EvaluationEvent
    extra = 0
    fields = readonly_fields = ["at", "actor", "action", "changes", "reason", "version"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    """Read-only: evaluations change through their services, which keep the history."""

    list_display = ["pk", "call", "scorecard", "evaluator", "status", "score", "critical_failed"]
    list_filter = ["status", "critical_failed", "scorecard"]
    search_fields = ["call__call_id", "evaluator__username", "call__agent__name"]
    list_select_related = ["call", "scorecard", "evaluator"]
    inlines = [AnswerInline, EvaluationEventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EvaluationEvent)
class EvaluationEventAdmin(admin.ModelAdmin):
    """History: readable, never added, changed or deleted by hand."""

    list_display = ["at", "evaluation", "actor", "action", "version"]
    list_filter = ["action"]
    list_select_related = ["evaluation", "evaluation__call", "actor"]
    readonly_fields = ["evaluation", "actor", "at", "action", "changes", "reason", "version"]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
