"""API of the standards library (/api/v1/standards/): the standards the user may open, with
filters kind, department, status and q (code, title, text, owner's name or pinyin initials);
one standard with its version in force, steps, rule links and open version; creating one and
its lifecycle (submit, publish, revise, propose to abolish); the proposals to abolish
(/api/v1/abolition-requests/: approve, reject). Querysets are scoped by
qa_center.permissions; the services decide every write."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Case, When
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from audits.standards import selectors, services
from audits.standards.models import (
    OPEN_STATUSES,
    AbolitionRequest,
    Kind,
    ProcessStep,
    Standard,
    StandardTransition,
    StandardVersion,
    Status,
)
from org.models import Department, User, WorkingGroup
from qa_center import filters
from qa_center.api import IdRouter
from qa_center.filters import parse_for_api, validate_text
from qa_center.permissions import (
    IsAuthenticatedWithRole,
    scope_queryset,
    visible_abolition_requests,
)


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcessStep
        fields = ["position", "title", "description", "required_documents"]
        read_only_fields = fields


class VersionSerializer(serializers.ModelSerializer):
    steps = StepSerializer(many=True, read_only=True)
    rule_codes = serializers.SerializerMethodField()

    class Meta:
        model = StandardVersion
        fields = [
            "id",
            "number",
            "status",
            "title",
            "body",
            "question",
            "answer",
            "change_note",
            "created_at",
            "published_at",
            "steps",
            "rule_codes",
        ]
        read_only_fields = fields

    def get_rule_codes(self, obj: StandardVersion) -> list[str]:
        return [link.rule_code for link in obj.rule_links.all()]


class TransitionSerializer(serializers.ModelSerializer):
    by = serializers.StringRelatedField()
    version = serializers.IntegerField(source="version.number")

    class Meta:
        model = StandardTransition
        fields = ["version", "source", "target", "by", "at", "reason"]
        read_only_fields = fields


class StandardSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(
        source="published_version.number", allow_null=True, default=None
    )
    owner_name = serializers.CharField(source="owner.display_name", default=None)
    monitor_name = serializers.CharField(source="monitor.display_name", default=None)

    class Meta:
        model = Standard
        fields = [
            "id",
            "code",
            "kind",
            "title",
            "department",
            "working_group",
            "owner",
            "owner_name",
            "monitor",
            "monitor_name",
            "status",
            "version",
            "updated_at",
        ]
        read_only_fields = fields


class StandardDetailSerializer(StandardSerializer):
    in_force = serializers.SerializerMethodField()
    open_version = serializers.SerializerMethodField()
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta(StandardSerializer.Meta):
        fields = [*StandardSerializer.Meta.fields, "in_force", "open_version", "transitions"]
        read_only_fields = fields

    def _version(self, obj: Standard, statuses) -> dict | None:
        version = next((v for v in obj.versions.all() if v.status in statuses), None)
        return VersionSerializer(version).data if version else None

    @extend_schema_field(VersionSerializer(allow_null=True))
    def get_in_force(self, obj: Standard) -> dict | None:
        return self._version(obj, (Status.PUBLISHED,))

    @extend_schema_field(VersionSerializer(allow_null=True))
    def get_open_version(self, obj: Standard) -> dict | None:
        return self._version(obj, OPEN_STATUSES)


class StepInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, validators=[validate_text])
    description = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )
    required_documents = serializers.ListField(
        child=serializers.CharField(max_length=200, validators=[validate_text]),
        required=False,
        default=list,
        max_length=50,
    )


class StandardCreateSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40, validators=[validate_text])
    kind = serializers.ChoiceField(choices=Kind.choices)
    title = serializers.CharField(max_length=200, validators=[validate_text])
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    monitor = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    working_group = serializers.PrimaryKeyRelatedField(
        queryset=WorkingGroup.objects.all(), required=False, allow_null=True
    )
    body = serializers.CharField(max_length=50000, required=False, allow_blank=True, default="")
    question = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    answer = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    steps = StepInputSerializer(many=True, required=False, default=list)
    rule_codes = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, default=list, max_length=100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A department outside the user's scope reads like one that does not exist.
            self.fields["department"].queryset = scope_queryset(
                request.user, Department.objects.all()
            )


class AbolitionRequestSerializer(serializers.ModelSerializer):
    standard_code = serializers.CharField(source="standard.code", read_only=True)
    requested_by = serializers.CharField(source="requested_by.display_name", read_only=True)
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = AbolitionRequest
        fields = [
            "id",
            "standard",
            "standard_code",
            "status",
            "reason",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields

    def get_decided_by(self, obj) -> str | None:
        return obj.decided_by.display_name if obj.decided_by_id else None


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", validators=[validate_text]
    )


LIST_FILTERS = {
    "kind": filters.choice(Kind.values),
    "department": filters.id_,
    "status": filters.choice(Status.values),
    "q": filters.text(100),
}


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Kind.values),
            OpenApiParameter("department", OpenApiTypes.INT, description="Department id."),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Status.values),
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description="Code, title, text, answer, or the owner's name or pinyin initials.",
            ),
        ]
    )
)
class StandardViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Standards the user may open: their scope's (an auditor of one department never sees
    another's), the ones they own or monitor, and, for agents, the ones rolled out to them."""

    permission_classes = [IsAuthenticatedWithRole]
    serializer_class = StandardSerializer

    def get_queryset(self):
        if self.action == "list":
            parsed = parse_for_api(self.request.query_params, LIST_FILTERS)
            return selectors.standards_for(
                self.request.user,
                kind=parsed.get("kind") or None,
                department_id=parsed.get("department"),
                status=parsed.get("status") or None,
                q=parsed.get("q") or "",
            )
        return selectors.standards_for(self.request.user).prefetch_related(
            "versions__steps", "versions__rule_links", "transitions__by", "transitions__version"
        )

    def get_serializer_class(self):
        if self.action == "list":
            return StandardSerializer
        return StandardDetailSerializer

    @extend_schema(request=StandardCreateSerializer, responses={201: StandardDetailSerializer})
    def create(self, request):
        data = StandardCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            created = services.standard_create(by=request.user, **data.validated_data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(
            StandardDetailSerializer(self._fresh(created)).data, status=status.HTTP_201_CREATED
        )

    def _fresh(self, standard: Standard) -> Standard:
        return self.get_queryset().get(pk=standard.pk)

    def _step(self, request, run):
        target = self.get_object()  # 404 outside what the user may open
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            run(target, data.validated_data["reason"])
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(StandardDetailSerializer(self._fresh(target)).data)

    def _open(self, standard: Standard) -> StandardVersion:
        version = standard.versions.filter(status__in=OPEN_STATUSES).first()
        if version is None:
            raise ApiValidationError({"version": ["There is no version being written."]})
        return version

    @extend_schema(request=ReasonSerializer, responses={200: StandardDetailSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step(
            request,
            lambda s, r: services.version_submit(version=self._open(s), by=request.user, reason=r),
        )

    @extend_schema(
        request=ReasonSerializer,
        responses={200: StandardDetailSerializer},
        description="Publishes the version being written; refused without owner and monitor.",
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._step(
            request,
            lambda s, r: services.version_publish(version=self._open(s), by=request.user, reason=r),
        )

    @extend_schema(request=ReasonSerializer, responses={200: StandardDetailSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        return self._step(
            request, lambda s, r: services.standard_revise(standard=s, by=request.user, reason=r)
        )

    @extend_schema(
        request=ReasonSerializer,
        responses={201: AbolitionRequestSerializer},
        description="Proposes to abolish the standard; it stays in force until the proposal is "
        "approved (POST /api/v1/abolition-requests/{id}/approve/).",
    )
    @action(detail=True, methods=["post"])
    def abolish(self, request, pk=None):
        target = self.get_object()  # 404 outside what the user may open
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            proposal = services.abolition_request(
                standard=target, by=request.user, reason=data.validated_data["reason"]
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(AbolitionRequestSerializer(proposal).data, status=status.HTTP_201_CREATED)


class AbolitionRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Proposals to abolish a standard (those of the standards the user may open), pending
    first; approving abolishes the standard, rejecting keeps it (a reason is required). Who may
    decide: qa_center.permissions.may_approve_abolition."""

    permission_classes = [IsAuthenticatedWithRole]
    serializer_class = AbolitionRequestSerializer
    queryset = AbolitionRequest.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generation
            return AbolitionRequest.objects.none()
        return visible_abolition_requests(
            self.request.user,
            AbolitionRequest.objects.select_related("standard", "requested_by", "decided_by"),
        ).order_by(
            Case(When(status=AbolitionRequest.Decision.PENDING, then=0), default=1),
            "-requested_at",
            "-pk",
        )

    def _decide(self, request, approve: bool):
        proposal = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            decided = services.abolition_decide(
                request=proposal,
                by=request.user,
                approve=approve,
                note=data.validated_data["reason"],
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(AbolitionRequestSerializer(decided).data)

    @extend_schema(request=ReasonSerializer, responses={200: AbolitionRequestSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, approve=True)

    @extend_schema(request=ReasonSerializer, responses={200: AbolitionRequestSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, approve=False)


router = IdRouter()
router.register("standards", StandardViewSet, basename="standard")
router.register("abolition-requests", AbolitionRequestViewSet, basename="abolition-request")
urlpatterns = router.urls
