"""API: calls with their automatic checks, imports, rule libraries. Every queryset goes through
the permission module; capabilities as on the pages (view_results, import, manage_rules)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from qa_center.permissions import HasCapability
from scoring.importers import FORMATS, render_problem
from scoring.models import Call, CallCheck, ImportJob, RuleLibrary
from scoring.selectors.calls import SORTS, CallFilters, calls_for
from scoring.services.imports import import_file, import_job_progress, imports_for
from scoring.services.libraries import (
    LibraryInvalidError,
    library_activate,
    library_create,
    library_problems,
    library_rescore_progress,
    library_try,
)

from . import router

# --- Calls -------------------------------------------------------------------------------------


class CallCheckSerializer(serializers.ModelSerializer):
    library = serializers.StringRelatedField()

    class Meta:
        model = CallCheck
        fields = ["library", "score", "critical_failed", "outcomes", "checked_at"]


class CallCheckDetailSerializer(CallCheckSerializer):
    class Meta(CallCheckSerializer.Meta):
        fields = [*CallCheckSerializer.Meta.fields, "results"]


class CallSerializer(serializers.ModelSerializer):
    agent_employee_no = serializers.CharField(source="agent.employee_no", read_only=True)
    agent_name = serializers.CharField(source="agent.name", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    auto_check = CallCheckSerializer(read_only=True, allow_null=True)
    evaluated = serializers.BooleanField(read_only=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "call_id",
            "agent",
            "agent_employee_no",
            "agent_name",
            "team",
            "team_name",
            "started_at",
            "duration_seconds",
            "channel",
            "auto_check",
            "evaluated",
        ]


class CallDetailSerializer(CallSerializer):
    auto_check = CallCheckDetailSerializer(read_only=True, allow_null=True)

    class Meta(CallSerializer.Meta):
        fields = [*CallSerializer.Meta.fields, "recording_url", "turns", "extra", "import_job"]


class CallQuerySerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    team = serializers.IntegerField(required=False)
    agent = serializers.IntegerField(required=False)
    score_min = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    score_max = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    critical = serializers.BooleanField(required=False, allow_null=True, default=None)
    evaluated = serializers.BooleanField(required=False, allow_null=True, default=None)
    rule_failed = serializers.RegexField(r"^[\w.\-]{1,64}$", required=False)
    q = serializers.CharField(required=False, max_length=64)
    sort = serializers.ChoiceField(choices=list(SORTS), required=False)


@extend_schema_view(
    list=extend_schema(
        summary="Calls in your scope, with their automatic check",
        parameters=[CallQuerySerializer],
    ),
    retrieve=extend_schema(summary="A call with its transcript and automatic results"),
)
class CallViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [HasCapability("view_results")]
    filter_backends: list = []

    def get_serializer_class(self):
        return CallDetailSerializer if self.action == "retrieve" else CallSerializer

    def get_queryset(self):
        if self.action == "retrieve":
            return calls_for(self.request.user).defer(None)
        query = CallQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = CallFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            team_id=data.get("team"),
            agent_id=data.get("agent"),
            score_min=data.get("score_min"),
            score_max=data.get("score_max"),
            critical=data.get("critical"),
            evaluated=data.get("evaluated"),
            rule_failed=data.get("rule_failed", ""),
            query=data.get("q", ""),
            sort=data.get("sort", "-started_at"),
        )
        return calls_for(self.request.user, filters)


router.register("calls", CallViewSet, basename="call")


# --- Imports -----------------------------------------------------------------------------------


class ImportErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True)
    field = serializers.CharField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ImportProgressSerializer(serializers.Serializer):
    phase = serializers.CharField()
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField()
    finished = serializers.BooleanField()


class ImportJobSerializer(serializers.ModelSerializer):
    created_by = serializers.StringRelatedField()
    errors = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "filename",
            "format",
            "status",
            "total",
            "processed",
            "imported",
            "duplicates",
            "errors",
            "progress",
            "created_by",
            "created_at",
            "finished_at",
        ]

    @extend_schema_field(ImportErrorSerializer(many=True))
    def get_errors(self, job: ImportJob) -> list[dict]:
        return [
            {
                "line": p.get("line"),
                "field": p.get("field"),
                "column": p.get("column"),
                "message": render_problem({**p, "line": None, "field": None, "column": None}),
            }
            for p in job.errors
        ]

    @extend_schema_field(ImportProgressSerializer)
    def get_progress(self, job: ImportJob) -> dict:
        return import_job_progress(job)


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=FORMATS, required=False)


@extend_schema_view(
    list=extend_schema(summary="Your imports (all of them for an administrator)"),
    retrieve=extend_schema(summary="An import's status, progress and errors"),
)
class ImportJobViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [HasCapability("import")]
    queryset = ImportJob.objects.none()  # for the schema; get_queryset scopes the real one
    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser]
    filter_backends: list = []

    def get_queryset(self):
        return imports_for(self.request.user)

    @extend_schema(
        summary="Import a calls file (JSON Lines, CSV or XLSX)",
        description=(
            "Validated whole, then imported all or nothing. 201 with the job (done, or pending "
            "when it runs in the worker); 400 with the job and its errors when refused."
        ),
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportJobSerializer, 400: ImportJobSerializer},
    )
    def create(self, request, *args, **kwargs):
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        job = import_file(
            user=request.user,
            filename=file.name,
            content=file.read(),
            fmt=upload.validated_data.get("format"),
        )
        job.refresh_from_db()
        code = status.HTTP_400_BAD_REQUEST if job.status == "failed" else status.HTTP_201_CREATED
        return Response(self.get_serializer(job).data, status=code)


router.register("imports", ImportJobViewSet, basename="import")


# --- Rule libraries ----------------------------------------------------------------------------


class ProblemSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["error", "warning"])
    index = serializers.IntegerField(allow_null=True)
    code = serializers.CharField(allow_null=True)
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ProblemsSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    problems = ProblemSerializer(many=True)


class RuleLibrarySerializer(serializers.ModelSerializer):
    created_by = serializers.StringRelatedField()
    rule_count = serializers.SerializerMethodField()

    class Meta:
        model = RuleLibrary
        fields = [
            "id",
            "name",
            "version",
            "status",
            "notes",
            "rule_count",
            "created_by",
            "created_at",
            "activated_at",
        ]

    def get_rule_count(self, library: RuleLibrary) -> int:
        return len(library.definition.get("rules", []))


class RuleLibraryDetailSerializer(RuleLibrarySerializer):
    rescore = serializers.SerializerMethodField()

    class Meta(RuleLibrarySerializer.Meta):
        fields = [
            *RuleLibrarySerializer.Meta.fields,
            "definition",
            "rescore_from",
            "rescore_to",
            "rescore",
        ]

    @extend_schema_field(ImportProgressSerializer)
    def get_rescore(self, library: RuleLibrary) -> dict:
        return {"phase": "rescore", **library_rescore_progress(library)}


class DefinitionSerializer(serializers.Serializer):
    definition = serializers.JSONField(help_text=_("The engine's rule library JSON."))
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ActivateSerializer(serializers.Serializer):
    rescore_from = serializers.DateField(required=False, allow_null=True)
    rescore_to = serializers.DateField(required=False, allow_null=True)


class TrySerializer(serializers.Serializer):
    dialogue = serializers.CharField(
        help_text=_("Lines like 客服：您好… / 客户：…, or the engine's call JSON.")
    )
    definition = serializers.JSONField(
        required=False, help_text=_("Unsaved rules to try instead of this version's.")
    )


class TryResultSerializer(serializers.Serializer):
    score = serializers.FloatField(allow_null=True)
    critical_failed = serializers.BooleanField()
    results = serializers.ListField(child=serializers.DictField())
    turns = serializers.ListField(child=serializers.DictField())


@extend_schema_view(
    list=extend_schema(summary="Rule library versions"),
    retrieve=extend_schema(summary="A version with its rules and rescoring progress"),
)
class RuleLibraryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [HasCapability("manage_rules")]
    queryset = RuleLibrary.objects.select_related("created_by")
    parser_classes = [JSONParser]
    filter_backends: list = []

    def get_serializer_class(self):
        return RuleLibraryDetailSerializer if self.action == "retrieve" else RuleLibrarySerializer

    @extend_schema(
        summary="Save rules as a new draft version",
        request=DefinitionSerializer,
        responses={201: RuleLibraryDetailSerializer, 400: ProblemsSerializer},
    )
    def create(self, request):
        body = DefinitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            library = library_create(
                definition=body.validated_data["definition"],
                user=request.user,
                notes=body.validated_data.get("notes", ""),
            )
        except LibraryInvalidError as exc:
            return Response({"valid": False, "problems": exc.problems}, status=400)
        return Response(RuleLibraryDetailSerializer(library).data, status=201)

    @extend_schema(
        summary="Check rules without saving them",
        request=DefinitionSerializer,
        responses={200: ProblemsSerializer},
    )
    @action(detail=False, methods=["post"])
    def validate(self, request):
        body = DefinitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        problems = library_problems(body.validated_data["definition"])
        valid = not any(p["level"] == "error" for p in problems)
        return Response({"valid": valid, "problems": problems})

    @extend_schema(
        summary="Activate this version and rescore a period in the background",
        request=ActivateSerializer,
        responses={200: RuleLibraryDetailSerializer, 400: ProblemsSerializer},
    )
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        body = ActivateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            library = library_activate(
                library=self.get_object(),
                rescore_from=body.validated_data.get("rescore_from"),
                rescore_to=body.validated_data.get("rescore_to"),
            )
        except LibraryInvalidError as exc:
            return Response({"valid": False, "problems": exc.problems}, status=400)
        return Response(RuleLibraryDetailSerializer(library).data)

    @extend_schema(
        summary="The version as the engine's JSON",
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT)},
    )
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        library = self.get_object()
        response = Response(library.definition)
        filename = f"rules-{library.pk}-v{library.version}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @extend_schema(
        summary="Try this version (or unsaved rules) on a dialogue",
        request=TrySerializer,
        responses={200: TryResultSerializer, 400: ProblemsSerializer},
    )
    @action(detail=True, methods=["post"], url_path="try")
    def try_rules(self, request, pk=None):
        body = TrySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        definition = body.validated_data.get("definition") or self.get_object().definition
        try:
            outcome = library_try(definition=definition, dialogue=body.validated_data["dialogue"])
        except LibraryInvalidError as exc:
            return Response({"valid": False, "problems": exc.problems}, status=400)
        return Response(outcome)


router.register("rule-libraries", RuleLibraryViewSet, basename="rule-library")
