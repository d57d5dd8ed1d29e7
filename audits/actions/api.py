"""API of corrective actions (/api/v1/corrective-actions/): the actions the user may open
(their units' and their own), setting one, and its steps (follow-up, complete, verify, cancel).
Querysets are scoped by qa_center.permissions; the services decide every write."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from audits.actions import selectors, services
from audits.actions.models import (
    ActionEvent,
    ActionFollowUp,
    ActionVerification,
    CorrectiveAction,
    ImprovementTarget,
)
from org.models import Department, Team, User
from qa_center import filters
from qa_center.api import IdRouter
from qa_center.filters import parse_for_api, validate_day
from qa_center.permissions import (
    ACTION_CAPABILITIES,
    HasCapability,
    IsAuthenticatedWithRole,
    has_capability,
    scope_queryset,
)


class ActionEventSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = ActionEvent
        fields = ["kind", "from_status", "to_status", "by", "at", "note"]
        read_only_fields = fields


class ActionFollowUpSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = ActionFollowUp
        fields = ["id", "note", "by", "at"]
        read_only_fields = fields


class ActionVerificationSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = ActionVerification
        fields = ["id", "effective", "note", "by", "at"]
        read_only_fields = fields


class CorrectiveActionSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = CorrectiveAction
        fields = [
            "id",
            "title",
            "description",
            "department",
            "team",
            "owner",
            "due_on",
            "status",
            "source",
            "created_by",
            "created_at",
            "closed_at",
            "escalated_at",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, obj: CorrectiveAction) -> bool:
        return obj.is_overdue(timezone.localdate())


class CorrectiveActionDetailSerializer(CorrectiveActionSerializer):
    events = ActionEventSerializer(many=True, read_only=True)
    follow_ups = ActionFollowUpSerializer(many=True, read_only=True)
    verifications = ActionVerificationSerializer(many=True, read_only=True)

    class Meta(CorrectiveActionSerializer.Meta):
        fields = [*CorrectiveActionSerializer.Meta.fields, "events", "follow_ups", "verifications"]
        read_only_fields = fields


class ActionCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    due_on = serializers.DateField(validators=[validate_day])
    source = serializers.ChoiceField(choices=CorrectiveAction.Source.choices)
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), required=False, allow_null=True
    )
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), required=False, allow_null=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # An id outside the user's scope reads like one that does not exist.
            user = request.user
            self.fields["department"].queryset = scope_queryset(user, Department.objects.all())
            self.fields["team"].queryset = scope_queryset(user, Team.objects.all())


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class VerifySerializer(serializers.Serializer):
    effective = serializers.BooleanField()
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


LIST_FILTERS = {
    "status": filters.choice(CorrectiveAction.Status.values),
    "source": filters.choice(CorrectiveAction.Source.values),
    "mine": filters.yes_no,
    "overdue": filters.yes_no,
}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("status", OpenApiTypes.STR, enum=CorrectiveAction.Status.values),
            OpenApiParameter("source", OpenApiTypes.STR, enum=CorrectiveAction.Source.values),
            OpenApiParameter("mine", OpenApiTypes.BOOL, description="Only the user's own."),
            OpenApiParameter("overdue", OpenApiTypes.BOOL, description="Only open and overdue."),
        ]
    )
)
class CorrectiveActionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Corrective actions the user may open: their units' (an auditor or manager of one
    department never sees another's) and their own, open ones by due date."""

    permission_classes = [IsAuthenticatedWithRole]
    serializer_class = CorrectiveActionSerializer

    def get_queryset(self):
        if self.action == "list":
            parsed = parse_for_api(self.request.query_params, LIST_FILTERS)
            return selectors.action_list(
                self.request.user,
                status=parsed.get("status") or None,
                source=parsed.get("source") or None,
                mine=bool(parsed.get("mine")),
                overdue=bool(parsed.get("overdue")),
            )
        return selectors.visible_actions(self.request.user).prefetch_related(
            "events__by", "follow_ups__by", "verifications__by"
        )

    def get_serializer_class(self):
        if self.action == "retrieve" or self.action in STEPS:
            return CorrectiveActionDetailSerializer
        return CorrectiveActionSerializer

    @extend_schema(
        request=ActionCreateSerializer,
        responses={201: CorrectiveActionDetailSerializer},
    )
    def create(self, request):
        if not any(has_capability(request.user, cap) for cap in ACTION_CAPABILITIES):
            raise PermissionDenied
        data = ActionCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            created = services.action_create(by=request.user, **data.validated_data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(
            CorrectiveActionDetailSerializer(created).data, status=status.HTTP_201_CREATED
        )

    def _step(self, request, run, serializer_class=NoteSerializer):
        target = self.get_object()  # 404 outside what the user may open
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            run(target, data.validated_data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        target.refresh_from_db()
        return Response(CorrectiveActionDetailSerializer(target).data)

    @extend_schema(request=NoteSerializer, responses={200: CorrectiveActionDetailSerializer})
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        return self._step(
            request,
            lambda a, d: services.action_follow_up(action=a, by=request.user, note=d["note"]),
        )

    @extend_schema(request=NoteSerializer, responses={200: CorrectiveActionDetailSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._step(
            request,
            lambda a, d: services.action_complete(action=a, by=request.user, note=d["note"]),
        )

    @extend_schema(
        request=VerifySerializer,
        responses={200: CorrectiveActionDetailSerializer},
        description="Effective closes the action; not effective (note required) reopens it.",
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._step(
            request,
            lambda a, d: services.action_verify(
                action=a, by=request.user, effective=d["effective"], note=d["note"]
            ),
            VerifySerializer,
        )

    @extend_schema(
        request=NoteSerializer,
        responses={200: CorrectiveActionDetailSerializer, 403: OpenApiResponse()},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._step(
            request,
            lambda a, d: services.action_cancel(action=a, by=request.user, reason=d["note"]),
        )


STEPS = ("follow_up", "complete", "verify", "cancel")


class ImprovementTargetSerializer(serializers.ModelSerializer):
    measure = serializers.CharField(source="action.description", read_only=True)
    owner = serializers.IntegerField(source="action.owner_id", read_only=True)

    class Meta:
        model = ImprovementTarget
        fields = [
            "id",
            "action",
            "level",
            "department",
            "team",
            "metric",
            "code",
            "label",
            "baseline",
            "target_value",
            "due_week",
            "measure",
            "owner",
            "status",
            "created_at",
            "closed_at",
            "escalated_at",
        ]
        read_only_fields = fields


class ImprovementTargetViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Improvement targets in the user's scope (each is a corrective action: `action`)."""

    permission_classes = [HasCapability("read_bulletins")]
    serializer_class = ImprovementTargetSerializer
    filterset_fields = ["status", "level", "metric"]

    def get_queryset(self):
        return selectors.improvement_targets_for(self.request.user).order_by("due_week", "pk")


router = IdRouter()
router.register("corrective-actions", CorrectiveActionViewSet, basename="corrective-action")
router.register("improvement-targets", ImprovementTargetViewSet, basename="improvement-target")
urlpatterns = router.urls
