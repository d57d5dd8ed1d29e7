"""API: scorecards and evaluations. Thin: the services decide; querysets go through the
permission module. A stale PATCH (someone saved since `version`) is 409 Conflict with the
differences, like the scoring page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from qa_center.api import IdRouter
from qa_center.filters import MAX_ID, parse_for_api, validate_day
from qa_center.permissions import HasCapability, IsAuthenticatedWithRole, has_capability
from qa_center.schema import ApiErrorSerializer
from scoring.calls.models import Call
from scoring.evaluations import selectors as sel
from scoring.evaluations.models import (
    Answer,
    Evaluation,
    OverrideKind,
    RuleTrial,
    Scorecard,
    ScorecardItem,
    ScorecardSection,
)
from scoring.evaluations.services import evaluations as svc
from scoring.evaluations.services import scorecards as scorecard_svc
from scoring.evaluations.services.trials import trial_start
from scoring.rules.models import RuleLibrary

# --- Scorecards -----------------------------------------------------------------------------


class ScorecardItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScorecardItem
        fields = [
            "id",
            "code",
            "title",
            "guidance",
            "kind",
            "scale_min",
            "scale_max",
            "weight",
            "critical",
            "allow_na",
            "rule_code",
            "order",
        ]


class ScorecardSectionSerializer(serializers.ModelSerializer):
    items = ScorecardItemSerializer(many=True, read_only=True)

    class Meta:
        model = ScorecardSection
        fields = ["id", "title", "order", "items"]


class ScorecardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Scorecard
        fields = ["id", "name", "version", "status", "description", "pass_mark", "published_at"]


class ScorecardDetailSerializer(ScorecardSerializer):
    sections = ScorecardSectionSerializer(many=True, read_only=True)

    class Meta(ScorecardSerializer.Meta):
        fields = [*ScorecardSerializer.Meta.fields, "sections"]


@extend_schema_view(
    list=extend_schema(summary="Scorecards (every version)"),
    retrieve=extend_schema(summary="A scorecard version with its sections and items"),
)
class ScorecardViewSet(viewsets.ReadOnlyModelViewSet):
    """Scorecards are shared by the whole center; reading needs view_results or score_calls,
    publishing and new versions manage_rules."""

    queryset = Scorecard.objects.all().order_by("name", "-version")
    permission_classes = [IsAuthenticatedWithRole]

    def get_serializer_class(self):
        return ScorecardDetailSerializer if self.action == "retrieve" else ScorecardSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related("sections__items")
        return qs

    def check_permissions(self, request):
        super().check_permissions(request)
        needed = "manage_rules" if self.action in ("publish", "new_version") else None
        user = request.user
        if needed and not has_capability(user, needed):
            raise PermissionDenied
        if not needed and not any(
            has_capability(user, c) for c in ("view_results", "score_calls", "manage_rules")
        ):
            raise PermissionDenied

    @extend_schema(request=None, responses=ScorecardSerializer, summary="Publish a draft")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        card = scorecard_svc.scorecard_publish(scorecard=self.get_object(), actor=request.user)
        return Response(ScorecardSerializer(card).data)

    @extend_schema(
        request=None, responses={201: ScorecardSerializer}, summary="Make a new draft version"
    )
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, pk=None):
        draft = scorecard_svc.scorecard_new_version(scorecard=self.get_object(), actor=request.user)
        return Response(ScorecardSerializer(draft).data, status=status.HTTP_201_CREATED)


# --- Evaluations ----------------------------------------------------------------------------


class AnswerSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.code", read_only=True)
    title = serializers.CharField(source="item.title", read_only=True)
    na = serializers.BooleanField(source="is_na", read_only=True)

    class Meta:
        model = Answer
        fields = [
            "item",
            "title",
            "value",
            "na",
            "auto_value",
            "auto_na",
            "override_reason",
            "override_kind",
            "note",
            "points",
            "possible",
        ]


class EvaluationSerializer(serializers.ModelSerializer):
    call_id = serializers.CharField(source="call.call_id", read_only=True)
    agent = serializers.IntegerField(source="call.agent_id", read_only=True)
    team = serializers.IntegerField(source="call.team_id", read_only=True)
    evaluator_name = serializers.CharField(source="evaluator.display_name", read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "call",
            "call_id",
            "agent",
            "team",
            "scorecard",
            "evaluator",
            "evaluator_name",
            "status",
            "score",
            "critical_failed",
            "passed",
            "comment",
            "version",
            "created_at",
            "submitted_at",
            "acknowledged_at",
        ]
        read_only_fields = fields


class EventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(source="actor.display_name", allow_null=True, default=None)
    action = serializers.CharField()
    changes = serializers.JSONField()
    reason = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)


class EvaluationDetailSerializer(EvaluationSerializer):
    answers = AnswerSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)

    class Meta(EvaluationSerializer.Meta):
        fields = [*EvaluationSerializer.Meta.fields, "answers", "events"]
        read_only_fields = fields


class StartSerializer(serializers.Serializer):
    call = serializers.IntegerField(help_text="The call's id (the database id, not call_id).")
    scorecard = serializers.IntegerField(
        required=False, help_text="A published scorecard; default: the first published one."
    )


class AnswerInputSerializer(serializers.Serializer):
    value = serializers.IntegerField(required=False, allow_null=True)
    na = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(required=False, allow_blank=True)
    reason_kind = serializers.ChoiceField(
        choices=OverrideKind.choices,
        required=False,
        allow_blank=True,
        help_text="Why the automatic result was overridden; rule_wrong files the call as an "
        "example on the rule. Default: other.",
    )
    note = serializers.CharField(required=False, allow_blank=True)


class SaveSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you loaded; stale → 409.")
    answers = serializers.DictField(
        child=AnswerInputSerializer(), required=False, help_text="{item code: answer}"
    )
    comment = serializers.CharField(required=False, allow_blank=True)


StaleSerializer = inline_serializer(
    "StaleEvaluation",
    {
        "detail": serializers.CharField(),
        "current_version": serializers.IntegerField(),
        "your_version": serializers.IntegerField(),
        "changed_by": serializers.ListField(child=serializers.CharField()),
        "differences": serializers.ListField(child=serializers.DictField()),
    },
)


@extend_schema_view(
    list=extend_schema(summary="Evaluations in your scope"),
    retrieve=extend_schema(summary="An evaluation with its answers and history"),
)
class EvaluationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Evaluations, scoped like the pages. Agents see their own submitted evaluations."""

    permission_classes = [IsAuthenticatedWithRole]
    queryset = Evaluation.objects.none()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return EvaluationDetailSerializer
        return EvaluationSerializer

    def get_queryset(self):
        user = self.request.user
        if has_capability(user, "view_results") or has_capability(user, "score_calls"):
            if self.action == "list":
                parsed = parse_for_api(self.request.query_params, sel.EvaluationFilters.spec())
                return sel.evaluation_list(user, sel.EvaluationFilters.from_parsed(parsed))
            qs = sel.evaluations_visible(user)
        elif has_capability(user, "own_results"):
            qs = sel.my_evaluations(user)
        else:
            return Evaluation.objects.none()
        qs = qs.select_related("call", "evaluator", "scorecard")
        if self.action == "retrieve":
            qs = qs.prefetch_related("answers__item", "events__actor")
        return qs

    def _own_draft(self) -> Evaluation:
        evaluation = self.get_object()
        if not has_capability(self.request.user, "score_calls"):
            raise PermissionDenied
        return evaluation

    def _detail(self, evaluation: Evaluation, code: int = 200) -> Response:
        fresh = (
            self.get_queryset()
            .prefetch_related("answers__item", "events__actor")
            .get(pk=evaluation.pk)
        )
        return Response(EvaluationDetailSerializer(fresh).data, status=code)

    @extend_schema(
        request=StartSerializer,
        responses={
            201: EvaluationDetailSerializer,
            200: EvaluationDetailSerializer,
            404: OpenApiResponse(
                ApiErrorSerializer,
                description="No such call in your scope, or no such published scorecard.",
            ),
        },
        summary="Start (or reopen) your evaluation of a call",
    )
    def create(self, request):
        if not has_capability(request.user, "score_calls"):
            raise PermissionDenied
        data = StartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        from qa_center.permissions import scope_queryset

        call = get_object_or_404(
            scope_queryset(request.user, Call.objects.all()), pk=data.validated_data["call"]
        )
        published = Scorecard.objects.filter(status=Scorecard.Status.PUBLISHED)
        if "scorecard" in data.validated_data:
            scorecard = get_object_or_404(published, pk=data.validated_data["scorecard"])
        else:
            scorecard = published.order_by("name").first()
            if scorecard is None:
                raise ValidationError({"scorecard": "There is no published scorecard."})
        existed = (
            sel.evaluations_visible(request.user)
            .filter(call=call, evaluator=request.user, is_calibration=False)
            .exists()
        )
        evaluation = svc.evaluation_start(call=call, scorecard=scorecard, evaluator=request.user)
        self.kwargs["pk"] = evaluation.pk
        return self._detail(evaluation, 200 if existed else 201)

    def _write(self, request, service):
        evaluation = self._own_draft()
        data = SaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            evaluation = service(
                evaluation=evaluation,
                actor=request.user,
                answers=data.validated_data.get("answers") or {},
                comment=data.validated_data.get("comment"),
                expected_version=data.validated_data["version"],
            )
        except svc.StaleEvaluation as stale:
            return Response(stale.as_dict(), status=status.HTTP_409_CONFLICT)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return self._detail(evaluation)

    @extend_schema(
        request=SaveSerializer,
        responses={
            200: EvaluationDetailSerializer,
            409: OpenApiResponse(StaleSerializer, description="Someone saved since `version`."),
        },
        summary="Save your draft (answers, comment) at `version`",
    )
    def partial_update(self, request, pk=None):
        return self._write(request, svc.evaluation_save)

    @extend_schema(
        request=SaveSerializer,
        responses={
            200: EvaluationDetailSerializer,
            409: OpenApiResponse(StaleSerializer, description="Someone saved since `version`."),
        },
        summary="Save and submit your draft; the agent is notified",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._write(request, svc.evaluation_submit)

    @extend_schema(
        request=None, responses=EvaluationDetailSerializer, summary="Acknowledge (agent)"
    )
    @action(detail=True, methods=["post"], permission_classes=[HasCapability("own_results")])
    def acknowledge(self, request, pk=None):
        evaluation = self.get_object()
        try:
            evaluation = svc.evaluation_acknowledge(evaluation=evaluation, agent_user=request.user)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        return self._detail(evaluation)


# --- Trials of a draft rule library on history ----------------------------------------------


class RuleTrialSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.display_name", read_only=True)
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = RuleTrial
        fields = [
            "id",
            "library",
            "date_from",
            "date_to",
            "status",
            "total",
            "processed",
            "percent",
            "results",
            "error",
            "created_by",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class RuleTrialInputSerializer(serializers.Serializer):
    library = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A draft version.")
    date_from = serializers.DateField(validators=[validate_day])
    date_to = serializers.DateField(validators=[validate_day])


@extend_schema_view(
    list=extend_schema(summary="Trials of draft rule libraries on history, newest first"),
    retrieve=extend_schema(
        summary="A trial: progress, then outcomes changed per rule, calls newly zeroed or "
        "un-zeroed, and estimated precision and recall (or why it failed)"
    ),
)
class RuleTrialViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [HasCapability("manage_rules")]
    queryset = RuleTrial.objects.select_related("created_by")
    serializer_class = RuleTrialSerializer
    filter_backends: list = []

    @extend_schema(
        summary="Run a draft rule library over a period of stored calls (in the background)",
        request=RuleTrialInputSerializer,
        responses={201: RuleTrialSerializer},
    )
    def create(self, request, *args, **kwargs):
        body = RuleTrialInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        library = RuleLibrary.objects.filter(pk=body.validated_data["library"]).first()
        if library is None:
            raise serializers.ValidationError({"library": [_("No such rule library.")]})
        try:
            trial = trial_start(
                library=library,
                by=request.user,
                date_from=body.validated_data["date_from"],
                date_to=body.validated_data["date_to"],
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        trial.refresh_from_db()
        return Response(RuleTrialSerializer(trial).data, status=status.HTTP_201_CREATED)


router = IdRouter()
router.register("rule-trials", RuleTrialViewSet, basename="rule-trial")
router.register("scorecards", ScorecardViewSet, basename="scorecard")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
urlpatterns = router.urls
