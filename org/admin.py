from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from org.models import Agent, Center, Department, Team, TeamMembership, User


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
