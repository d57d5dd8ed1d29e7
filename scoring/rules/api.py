"""API for rule libraries: versions, validating and creating a draft, export, trying rules on a
dialogue. (Activation, which rescores calls, is in scoring.calls.api.) Administrators only."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from qa_center import filters
from qa_center.api import IdRouter
from qa_center.permissions import HasCapability
from scoring.rules.hooks import rule_quality_for
from scoring.rules.models import RuleLibrary
from scoring.rules.services import (
    LibraryInvalidError,
    library_create,
    library_problems,
    library_try,
)

# --- Calls -------------------------------------------------------------------------------------


class ProblemSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["error", "warning"])
    index = serializers.IntegerField(allow_null=True)
    code = serializers.CharField(allow_null=True)
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class RuleQualitySerializer(serializers.Serializer):
    code = serializers.CharField()
    verdicts = serializers.IntegerField()
    kept = serializers.IntegerField()
    overridden = serializers.IntegerField()
    agreement = serializers.FloatField(allow_null=True)
    failures = serializers.IntegerField()
    true_failures = serializers.IntegerField()
    precision = serializers.FloatField(allow_null=True)
    missed = serializers.IntegerField()
    recall = serializers.FloatField(allow_null=True)
    reasons = serializers.DictField(child=serializers.IntegerField())
    flagged = serializers.BooleanField()


class ProblemsSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    problems = ProblemSerializer(many=True)


class RuleLibrarySerializer(serializers.ModelSerializer):
    # null for a library no user created (the demo's, a migration's).
    created_by = serializers.StringRelatedField(allow_null=True)
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
    class Meta(RuleLibrarySerializer.Meta):
        fields = [
            *RuleLibrarySerializer.Meta.fields,
            "definition",
            "rescore_from",
            "rescore_to",
            "rescore_total",
        ]


class DefinitionSerializer(serializers.Serializer):
    definition = serializers.JSONField(help_text=_("The engine's rule library JSON."))
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


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

    @extend_schema(
        summary="Each rule's precision measured from the supervisors' verdicts over a period",
        description=(
            "Per rule of this version that has verdicts: agreement, precision of its failures, "
            "recall (percent, null without data), counts and override reasons by kind; "
            "`flagged` when below QA_RULE_PRECISION_THRESHOLD with at least "
            "QA_RULE_MIN_VERDICTS verdicts. Period: date_from/date_to (default the last 90 "
            "days)."
        ),
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, required=False),
            OpenApiParameter("date_to", OpenApiTypes.DATE, required=False),
        ],
        responses={200: RuleQualitySerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def quality(self, request, pk=None):
        library = self.get_object()
        parsed = filters.parse_for_api(
            request.query_params, {"date_from": filters.day, "date_to": filters.day}
        )
        date_to = parsed.get("date_to") or timezone.localdate()
        date_from = parsed.get("date_from") or date_to - datetime.timedelta(days=89)
        codes = [
            str(r.get("code"))
            for r in (library.definition or {}).get("rules", [])
            if isinstance(r, dict) and r.get("code")
        ]
        quality = rule_quality_for(codes, date_from, date_to)
        return Response([quality[code].as_dict() for code in codes if code in quality])


router = IdRouter()
router.register("rule-libraries", RuleLibraryViewSet, basename="rule-library")
urlpatterns = router.urls
