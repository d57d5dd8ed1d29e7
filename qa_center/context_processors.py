from __future__ import annotations

from django.conf import settings

from qa_center.navigation import nav_for
from qa_center.notifications import unread_count
from qa_center.permissions import capabilities_of, user_scope


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    context = {"QA_CENTER_NAME": settings.QA_CENTER_NAME}
    if user is None or not user.is_authenticated:
        return context
    context["nav_items"] = nav_for(user, request.path)
    context["user_scope_label"] = scope_label(user)
    context["unread_notifications"] = unread_count(user)
    context["capabilities"] = capabilities_of(user)
    return context


def scope_label(user) -> str:
    from django.utils.translation import gettext as _

    scope = user_scope(user)
    if scope.level == "agent":
        return str(user.agent.team) if user.agent_id else ""
    if scope.level == "team":
        return str(user.team)
    if scope.level == "department":
        return str(user.department)
    if scope.level == "center":
        return _("Whole center")
    return ""
