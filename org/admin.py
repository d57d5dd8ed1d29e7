from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from org.models import (
    Agent,
    Center,
    Department,
    Team,
    TeamMembership,
    User,
    WorkingGroup,
    WorkingGroupMembership,
)


@admin.register(Center)
class CenterAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "center"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department"]
    list_filter = ["department"]


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["employee_no", "name", "team", "is_active"]
    list_filter = ["team__department", "is_active"]
    search_fields = ["employee_no", "name", "name_initials"]
    inlines = [MembershipInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "department", "team", "is_active"]
    list_filter = ["role", "is_active", "is_reviewer"]
    search_fields = ["username", "full_name", "employee_no"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Role and scope"),
            {
                "fields": (
                    "full_name",
                    "employee_no",
                    "role",
                    "department",
                    "team",
                    "agent",
                    "is_reviewer",
                )
            },
        ),
    )
    # Set by the membership of the complaint-dispute review group (working groups below).
    readonly_fields = ["is_reviewer"]


class WorkingGroupMembershipInline(admin.TabularInline):
    model = WorkingGroupMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department"]
    search_fields = ["code", "name"]
    inlines = [WorkingGroupMembershipInline]

    def save_formset(self, request, form, formset, change):
        # Members edited here: keep the dispute reviewers' flag in step, as the services do.
        from org.services import sync_reviewer_flags

        before = set(form.instance.memberships.values_list("user_id", flat=True))
        super().save_formset(request, form, formset, change)
        after = set(form.instance.memberships.values_list("user_id", flat=True))
        sync_reviewer_flags(User.objects.filter(pk__in=before | after))
