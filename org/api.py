"""The organization API: read-only, scoped to the caller."""

from __future__ import annotations

from django.urls import path
from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from org.models import Agent, Department, Team
from org.selectors import agents_for, departments_for
from qa_center import filters
from qa_center.api import IdDefaultRouter
from qa_center.filters import parse_for_api
from qa_center.permissions import HasCapability, ScopedQuerysetMixin, user_scope


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "center"]


class TeamSerializer(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "code", "name", "department"]


class AgentSerializer(serializers.ModelSerializer):
    team_name = serializers.CharField(source="team.name", read_only=True)

    class Meta:
        model = Agent
        fields = ["id", "employee_no", "name", "team", "team_name", "hired_on", "is_active"]


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DepartmentSerializer
    permission_classes = [HasCapability("view_org")]

    def get_queryset(self):
        return departments_for(self.request.user)


class TeamViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Team.objects.select_related("department")
    serializer_class = TeamSerializer
    permission_classes = [HasCapability("view_org")]
    filterset_fields = ["department"]


class AgentViewSet(viewsets.ReadOnlyModelViewSet):
    """Agents in the caller's scope; `?q=` searches name, employee number and pinyin initials."""

    serializer_class = AgentSerializer
    filterset_fields = ["team", "is_active"]

    def get_queryset(self):
        parsed = parse_for_api(self.request.query_params, {"q": filters.text(100)})
        return agents_for(self.request.user, query=parsed.get("q", ""))


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    role = serializers.CharField()
    scope = serializers.DictField()


class MeView(APIView):
    """Who the caller is, their role and scope."""

    serializer_class = MeSerializer

    def get(self, request):
        scope = user_scope(request.user)
        data = {
            "username": request.user.username,
            "display_name": request.user.display_name,
            "role": request.user.role,
            "scope": {
                "level": scope.level,
                "department": scope.department_id,
                "team": scope.team_id,
                "agent": scope.agent_id,
            },
        }
        return Response(MeSerializer(data).data)


router = IdDefaultRouter()
router.register("departments", DepartmentViewSet, basename="department")
router.register("teams", TeamViewSet, basename="team")
router.register("agents", AgentViewSet, basename="agent")
# The API root (/api/v1/) is this router's: the other apps register on SimpleRouters.
urlpatterns = [*router.urls, path("me/", MeView.as_view(), name="me")]
