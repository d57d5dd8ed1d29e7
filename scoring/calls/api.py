"""API: calls with their automatic checks, imports, rule libraries. Every queryset goes through
the permission module; capabilities as on the pages (view_results, import, manage_rules)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from qa_center.api import IdRouter
from qa_center.filters import MAX_ID, validate_day, validate_text
from qa_center.permissions import HasCapability
from scoring.calls.importers import FORMATS, render_problem
from scoring.calls.models import Call, CallCheck, CriticalReview, ImportJob
from scoring.calls.search import validate_phrase
from scoring.calls.selectors import SORTS, CallFilters, calls_for, rule_code_filterable
from scoring.calls.services.checks import library_activate_and_rescore, library_rescore_progress
from scoring.calls.services.imports import import_file, import_job_progress, imports_for
from scoring.calls.services.reviews import critical_review_decide, critical_reviews_of
from scoring.rules.api import ProblemsSerializer, RuleLibraryDetailSerializer
from scoring.rules.models import RuleLibrary
from scoring.rules.services import LibraryInvalidError

# --- Calls -------------------------------------------------------------------------------------


class CallCheckSerializer(serializers.ModelSerializer):
    library = serializers.StringRelatedField()
    provisional = serializers.BooleanField(
        read_only=True,
        help_text="The score may still change: a weak critical failure awaits a supervisor.",
    )

    class Meta:
        model = CallCheck
        fields = [
            "library",
            "score",
            "critical_failed",
            "outcomes",
            "checked_at",
            "provisional",
            "review",
            "weak_critical",
            "reviewed_by",
            "reviewed_at",
        ]


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
    # Bounds from qa_center.filters, like the call list page's form.
    date_from = serializers.DateField(required=False, validators=[validate_day])
    date_to = serializers.DateField(required=False, validators=[validate_day])
    team = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    agent = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    score_min = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, min_value=0, max_value=100
    )
    score_max = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, min_value=0, max_value=100
    )
    critical = serializers.BooleanField(required=False, allow_null=True, default=None)
    to_confirm = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Only calls whose weak critical failure awaits a supervisor (or only others).",
    )
    evaluated = serializers.BooleanField(required=False, allow_null=True, default=None)
    rule_failed = serializers.CharField(required=False, max_length=64)

    def validate_rule_failed(self, value: str) -> str:
        if not rule_code_filterable(value):
            raise serializers.ValidationError(_("This is not a rule code that can be filtered."))
        return value

    q = serializers.CharField(required=False, max_length=64, validators=[validate_text])
    said = serializers.CharField(
        required=False,
        max_length=100,
        validators=[validate_phrase],
        help_text="A phrase of the transcript (2+ letters or characters; punctuation ignored).",
    )
    sort = serializers.ChoiceField(choices=list(SORTS), required=False)


class CriticalReviewInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=CriticalReview.Decision.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    codes = serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        max_length=100,
        help_text="The rules you saw to confirm; refused if the call was checked again since.",
    )


class CriticalReviewSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.display_name", read_only=True)
    library = serializers.StringRelatedField()

    class Meta:
        model = CriticalReview
        fields = ["codes", "decision", "note", "score_before", "score_after", "by", "at", "library"]
        read_only_fields = fields


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

    def get_permissions(self):
        if self.action == "critical_review":
            return [HasCapability("score_calls")()]
        return super().get_permissions()

    def get_serializer_class(self):
        return CallDetailSerializer if self.action == "retrieve" else CallSerializer

    @extend_schema(
        summary="Confirm or reject a call's weak critical failures (a call 'to confirm')",
        description=(
            "Supervisors, on calls in their scope. Confirmed: the zero stands. Rejected: the "
            "call is scored with those rules passed. Recorded with who and when. 400 when the "
            "call has nothing to confirm (or `codes` no longer match its check)."
        ),
        request=CriticalReviewInputSerializer,
        responses={200: CallDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="critical-review")
    def critical_review(self, request, pk=None):
        body = CriticalReviewInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        call = self.get_object()
        try:
            critical_review_decide(
                call=call,
                by=request.user,
                decision=body.validated_data["decision"],
                note=body.validated_data.get("note", ""),
                codes=body.validated_data.get("codes"),
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        call = calls_for(request.user).defer(None).get(pk=call.pk)
        return Response(CallDetailSerializer(call).data)

    @extend_schema(
        summary="The decisions on a call's weak critical failures, oldest first",
        responses={200: CriticalReviewSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="critical-reviews", pagination_class=None)
    def critical_reviews(self, request, pk=None):
        call = self.get_object()
        return Response(CriticalReviewSerializer(critical_reviews_of(call), many=True).data)

    def get_queryset(self):
        if self.action in ("retrieve", "critical_review", "critical_reviews"):
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
            to_confirm=data.get("to_confirm"),
            evaluated=data.get("evaluated"),
            rule_failed=data.get("rule_failed", ""),
            query=data.get("q", ""),
            said=data.get("said", ""),
            sort=data.get("sort", "-started_at"),
        )
        return calls_for(self.request.user, filters)


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


# --- Activating a rule library (rules) and rescoring calls with it -------------------------


class ActivateSerializer(serializers.Serializer):
    rescore_from = serializers.DateField(required=False, allow_null=True)
    rescore_to = serializers.DateField(required=False, allow_null=True)


class ActivatedLibrarySerializer(RuleLibraryDetailSerializer):
    rescore = serializers.SerializerMethodField()

    class Meta(RuleLibraryDetailSerializer.Meta):
        fields = [*RuleLibraryDetailSerializer.Meta.fields, "rescore"]

    @extend_schema_field(ImportProgressSerializer)
    def get_rescore(self, library: RuleLibrary) -> dict:
        return {"phase": "rescore", **library_rescore_progress(library)}


class RuleLibraryRescoreViewSet(viewsets.GenericViewSet):
    """The rule library routes that concern calls: activation (which rescores the chosen
    period's calls) and the progress of that rescoring. The library itself: scoring.rules.api."""

    permission_classes = [HasCapability("manage_rules")]
    queryset = RuleLibrary.objects.all()
    serializer_class = ActivatedLibrarySerializer
    filter_backends: list = []

    @extend_schema(
        summary="Activate this version and rescore a period in the background",
        request=ActivateSerializer,
        responses={200: ActivatedLibrarySerializer, 400: ProblemsSerializer},
    )
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        body = ActivateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            library = library_activate_and_rescore(
                library=self.get_object(),
                rescore_from=body.validated_data.get("rescore_from"),
                rescore_to=body.validated_data.get("rescore_to"),
            )
        except LibraryInvalidError as exc:
            return Response({"valid": False, "problems": exc.problems}, status=400)
        return Response(ActivatedLibrarySerializer(library).data)

    @extend_schema(summary="The version with the progress of its rescoring")
    @action(detail=True, methods=["get"])
    def rescore(self, request, pk=None):
        return Response(ActivatedLibrarySerializer(self.get_object()).data)


router = IdRouter()
router.register("calls", CallViewSet, basename="call")
router.register("imports", ImportJobViewSet, basename="import")
router.register("rule-libraries", RuleLibraryRescoreViewSet, basename="rule-library-rescore")
urlpatterns = router.urls
