"""API of inspections: /api/v1/inspections/ (full self-inspections, with their checklist; open
one, record an item, complete), /api/v1/inspections/sampling/ (the sampling plans as special
sampling inspections, with the week's results) and /api/v1/third-party-evaluations/ (list,
detail with results, import a file). Scoped by qa_center.permissions: an auditor or manager of
one department never sees another's; the services decide every write."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from audits.inspections import selectors, services
from audits.inspections.importers import ThirdPartyFileRefusedError
from audits.inspections.models import (
    ChecklistItem,
    SelfInspection,
    ThirdPartyEvaluation,
    ThirdPartyResult,
)
from org.models import Department, User
from qa_center import filters
from qa_center.api import IdRouter
from qa_center.filters import parse_for_api, validate_day
from qa_center.permissions import IsAuthenticatedWithRole, scope_queryset


class RunsInspections(IsAuthenticatedWithRole):
    """Auditors, managers and administrators (each of their scope)."""

    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and services.has_inspections_capability(
            request.user
        )


class ChecklistItemSerializer(serializers.ModelSerializer):
    standard_code = serializers.CharField(source="standard.code", read_only=True)

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "position",
            "standard",
            "standard_code",
            "standard_version",
            "text",
            "result",
            "note",
            "recorded_by",
            "recorded_at",
            "action",
        ]
        read_only_fields = fields


class SelfInspectionSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField()

    class Meta:
        model = SelfInspection
        fields = [
            "id",
            "kind",
            "department",
            "period_start",
            "title",
            "inspector",
            "due_on",
            "status",
            "created_by",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields

    def get_kind(self, obj) -> str:
        return "self"


class SelfInspectionDetailSerializer(SelfInspectionSerializer):
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta(SelfInspectionSerializer.Meta):
        fields = [*SelfInspectionSerializer.Meta.fields, "items"]
        read_only_fields = fields


class SelfInspectionCreateSerializer(serializers.Serializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    inspector = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    period_start = serializers.DateField(validators=[validate_day])
    due_on = serializers.DateField(validators=[validate_day])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["department"].queryset = scope_queryset(
                request.user, Department.objects.all()
            )


class RecordSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    result = serializers.ChoiceField(choices=ChecklistItem.Result.choices)
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class SamplingInspectionSerializer(serializers.Serializer):
    kind = serializers.SerializerMethodField()
    plan = serializers.IntegerField(source="plan.pk")
    name = serializers.CharField(source="plan.name")
    department = serializers.IntegerField(source="plan.department_id", allow_null=True)
    week_start = serializers.DateField()
    sampled = serializers.IntegerField()
    scored = serializers.IntegerField()
    mean_score = serializers.FloatField(allow_null=True)
    failed = serializers.IntegerField()

    def get_kind(self, obj) -> str:
        return "sampling"


class SelfInspectionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Full self-inspections of the departments in the user's scope."""

    permission_classes = [RunsInspections]

    def get_queryset(self):
        return selectors.visible_self_inspections(self.request.user).prefetch_related(
            "items__standard"
        )

    def get_serializer_class(self):
        return SelfInspectionSerializer if self.action == "list" else SelfInspectionDetailSerializer

    @extend_schema(
        request=SelfInspectionCreateSerializer, responses={201: SelfInspectionDetailSerializer}
    )
    def create(self, request):
        data = SelfInspectionCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        try:
            inspection = services.self_inspection_open(by=request.user, **data.validated_data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(
            SelfInspectionDetailSerializer(inspection).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=RecordSerializer, responses={200: SelfInspectionDetailSerializer})
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        inspection = self.get_object()
        data = RecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = inspection.items.filter(pk=data.validated_data["item"]).first()
        if item is None:
            return Response({"item": ["Not an item of this self-inspection."]}, status=400)
        try:
            services.checklist_item_record(
                item=item,
                by=request.user,
                result=data.validated_data["result"],
                note=data.validated_data["note"],
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(
            SelfInspectionDetailSerializer(self.get_queryset().get(pk=inspection.pk)).data
        )

    @extend_schema(request=None, responses={200: SelfInspectionDetailSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        inspection = self.get_object()
        try:
            services.self_inspection_complete(inspection=inspection, by=request.user)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(
            SelfInspectionDetailSerializer(self.get_queryset().get(pk=inspection.pk)).data
        )

    @extend_schema(
        parameters=[OpenApiParameter("week", OpenApiTypes.DATE, description="A day of the week.")],
        responses={200: SamplingInspectionSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def sampling(self, request):
        parsed = parse_for_api(request.query_params, {"week": filters.week})
        rows = selectors.sampling_inspections(request.user, week_start=parsed.get("week"))
        return Response(SamplingInspectionSerializer(rows, many=True).data)


class ThirdPartyResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = ThirdPartyResult
        fields = ["id", "line", "department", "team", "item", "score", "samples", "comment"]
        read_only_fields = fields


class ThirdPartyEvaluationSerializer(serializers.ModelSerializer):
    class Meta:
        model = ThirdPartyEvaluation
        fields = [
            "id",
            "evaluator",
            "method",
            "period_start",
            "filename",
            "sha256",
            "imported_by",
            "imported_at",
        ]
        read_only_fields = fields


class ThirdPartyImportSerializer(serializers.Serializer):
    file = serializers.FileField()
    evaluator = serializers.CharField(max_length=100)
    method = serializers.ChoiceField(choices=ThirdPartyEvaluation.Method.choices)
    month = serializers.DateField(validators=[validate_day])


class ImportProblemSerializer(serializers.Serializer):
    file = serializers.CharField()
    line = serializers.IntegerField(allow_null=True)
    field = serializers.CharField()
    message = serializers.CharField()


class ImportRefusedSerializer(serializers.Serializer):
    problems = ImportProblemSerializer(many=True)


class ThirdPartyEvaluationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Third-party evaluations with results the user may see; the detail holds those results."""

    permission_classes = [RunsInspections]
    serializer_class = ThirdPartyEvaluationSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.visible_third_party(self.request.user)

    @extend_schema(responses={200: ThirdPartyResultSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        evaluation = self.get_object()
        rows = selectors.third_party_results(request.user, evaluation)
        return Response(ThirdPartyResultSerializer(rows, many=True).data)

    @extend_schema(
        request={"multipart/form-data": ThirdPartyImportSerializer},
        responses={
            201: ThirdPartyEvaluationSerializer,
            400: OpenApiResponse(ImportRefusedSerializer, description="Nothing was imported."),
        },
    )
    def create(self, request):
        data = ThirdPartyImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            evaluation = services.third_party_import(
                by=request.user,
                data=upload.read(),
                filename=upload.name,
                evaluator=data.validated_data["evaluator"],
                method=data.validated_data["method"],
                month=data.validated_data["month"],
            )
        except ThirdPartyFileRefusedError as exc:
            return Response(
                {
                    "problems": [
                        {
                            "file": upload.name,
                            "line": p.line,
                            "field": p.field,
                            "message": p.message,
                        }
                        for p in exc.problems
                    ]
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(
            ThirdPartyEvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED
        )


router = IdRouter()
router.register("inspections", SelfInspectionViewSet, basename="inspection")
router.register(
    "third-party-evaluations", ThirdPartyEvaluationViewSet, basename="third-party-evaluation"
)
urlpatterns = router.urls
