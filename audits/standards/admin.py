"""Admin of the standards library: read-only. Every change goes through the services (the
lifecycle is logged, published versions are immutable), so the admin shows, it does not edit."""

from __future__ import annotations

from django.contrib import admin

from audits.standards.models import (
    AbolitionRequest,
    Acknowledgement,
    Attachment,
    ProcessStep,
    Rollout,
    RuleLink,
    Standard,
    StandardTransition,
    StandardVersion,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class VersionInline(ReadOnlyInline):
    model = StandardVersion
    fields = ["number", "status", "title", "created_by", "created_at", "published_at"]


class TransitionInline(ReadOnlyInline):
    model = StandardTransition
    fields = ["at", "version", "source", "target", "by", "reason"]


@admin.register(Standard)
class StandardAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "kind", "department", "owner", "monitor", "status"]
    list_filter = ["kind", "status", "department", "working_group"]
    search_fields = ["code", "title", "search_text"]
    inlines = [VersionInline, TransitionInline]


class StepInline(ReadOnlyInline):
    model = ProcessStep
    fields = ["position", "title", "required_documents"]


class RuleLinkInline(ReadOnlyInline):
    model = RuleLink
    fields = ["rule_code"]


@admin.register(StandardVersion)
class StandardVersionAdmin(ReadOnlyAdmin):
    list_display = ["standard", "number", "status", "title", "published_at"]
    list_filter = ["status"]
    search_fields = ["standard__code", "title"]
    inlines = [StepInline, RuleLinkInline]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["name", "version", "size", "sha256", "uploaded_by", "uploaded_at"]
    exclude = ["file"]  # served only by the permission-checked download view


@admin.register(Rollout)
class RolloutAdmin(ReadOnlyAdmin):
    list_display = ["version", "team", "due_on", "rolled_out_by", "rolled_out_at", "reminded_at"]


@admin.register(Acknowledgement)
class AcknowledgementAdmin(ReadOnlyAdmin):
    list_display = ["version", "agent", "acknowledged_at"]


@admin.register(AbolitionRequest)
class AbolitionRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "standard",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["status"]
    search_fields = ["standard__code"]
