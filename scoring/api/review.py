"""API for sampling plans, supervisors' queues, disputes and calibration sessions. Every
queryset is scoped by qa_center.permissions; services do the writing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from org.models import User
from qa_center.permissions import HasCapability, IsAuthenticatedWithRole, get_scoped_or_404

from ..models import (
    Assignment,
    CalibrationSession,
    Dispute,
    DisputeItem,
    Evaluation,
    SamplingPlan,
    Scorecard,
)
from ..selectors.calibration import session_results, sessions_for
from ..selectors.disputes import can_see_disputes, disputes_for
from ..selectors.sampling import plans_for, queue_for
from ..services.disputes import dispute_decide, dispute_open
from ..services.sampling import sampling_plan_save, sampling_run, week_start_of
from . import router


def _drf_error(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


# --- Sampling -------------------------------------------------------------------------------


class SamplingPlanSerializer(serializers.ModelSerializer):
    supervisors = serializers.PrimaryKeyRelatedField(
        many=True, queryset=User.objects.filter(is_active=True)
    )
    scorecard = serializers.PrimaryKeyRelatedField(queryset=Scorecard.objects.all())

    class Meta:
        model = SamplingPlan
        fields = [
            "id",
            "name",
            "scorecard",
            "department",
            "calls_per_agent",
            "weight_low_scores",
            "weight_critical",
            "assignment",
            "supervisors",
            "due_days",
            "is_active",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class SamplingRunSerializer(serializers.Serializer):
    week_start = serializers.DateField(help_text="Any day of the week to sample.")


class SamplingResultSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    week_start = serializers.DateField()
    created = serializers.IntegerField()
    already = serializers.IntegerField()
    short_agents = serializers.ListField(child=serializers.IntegerField())


class SamplingPlanViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Sampling plans (专项抽检). Admins and supervisors of the plan's department create and run
    them."""

    serializer_class = SamplingPlanSerializer
    permission_classes = [HasCapability("score_calls")]
    queryset = SamplingPlan.objects.none()

    def get_queryset(self):
        return plans_for(self.request.user).prefetch_related("supervisors").order_by("pk")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        supervisors = list(data.pop("supervisors"))
        try:
            serializer.instance = sampling_plan_save(
                actor=self.request.user, supervisors=supervisors, **data
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None

    @extend_schema(request=SamplingRunSerializer, responses=SamplingResultSerializer)
    @action(detail=True, methods=["post"])
    def run(self, request, pk=None):
        """Draw the plan's sample for a week (idempotent: a second run only tops up)."""
        from ..services.sampling import can_manage_plan

        plan = self.get_object()
        if not can_manage_plan(request.user, plan):
            raise PermissionDenied
        body = SamplingRunSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            result = sampling_run(
                plan=plan, week_start=week_start_of(body.validated_data["week_start"])
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None
        return Response(
            SamplingResultSerializer(
                {
                    "plan": plan.pk,
                    "week_start": result.week_start,
                    "created": result.created,
                    "already": result.already,
                    "short_agents": result.short_agents,
                }
            ).data
        )


class AssignmentSerializer(serializers.ModelSerializer):
    call_id = serializers.CharField(source="call.call_id", read_only=True)
    agent = serializers.CharField(source="call.agent.name", read_only=True)
    team = serializers.CharField(source="call.team.name", read_only=True)
    evaluation = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "plan",
            "call",
            "call_id",
            "agent",
            "team",
            "period_start",
            "due_at",
            "status",
            "evaluation",
        ]

    def get_evaluation(self, obj) -> int | None:
        evaluation = getattr(obj, "evaluation", None)
        return evaluation.pk if evaluation is not None else None


class AssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """My queue: the requesting supervisor's assignments, soonest due first (`?all=1` includes
    done ones)."""

    serializer_class = AssignmentSerializer
    permission_classes = [HasCapability("score_calls")]
    queryset = Assignment.objects.none()

    def get_queryset(self):
        from ..services.sampling import assignments_sync_done

        assignments_sync_done(supervisor=self.request.user)
        include_done = self.request.query_params.get("all") in {"1", "true"}
        return queue_for(self.request.user, include_done=include_done).select_related("evaluation")


# --- Disputes -------------------------------------------------------------------------------


class CanSeeDisputes(IsAuthenticatedWithRole):
    def has_permission(self, request, view) -> bool:
        return super().has_permission(request, view) and can_see_disputes(request.user)


class DisputeItemSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="answer.item.code", read_only=True)
    title = serializers.CharField(source="answer.item.title", read_only=True)
    value = serializers.IntegerField(source="answer.value", read_only=True, allow_null=True)
    is_na = serializers.BooleanField(source="answer.is_na", read_only=True)

    class Meta:
        model = DisputeItem
        fields = ["id", "answer", "item", "title", "value", "is_na", "reason", "decision"]
        fields += ["new_value", "note"]


class DisputeSerializer(serializers.ModelSerializer):
    items = DisputeItemSerializer(many=True, read_only=True)
    call_id = serializers.CharField(source="evaluation.call.call_id", read_only=True)

    class Meta:
        model = Dispute
        fields = [
            "id",
            "evaluation",
            "call_id",
            "status",
            "reason",
            "opened_at",
            "decided_at",
            "decided_by",
            "score_before",
            "score_after",
            "items",
        ]


class DisputeCreateItemSerializer(serializers.Serializer):
    answer = serializers.IntegerField()
    reason = serializers.CharField()


class DisputeCreateSerializer(serializers.Serializer):
    evaluation = serializers.IntegerField()
    reason = serializers.CharField()
    items = DisputeCreateItemSerializer(many=True)


class DisputeDecisionSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The dispute item's id.")
    decision = serializers.ChoiceField(choices=DisputeItem.Decision.choices)
    value = serializers.CharField(
        required=False, allow_blank=True, help_text='Adjusted only: the new value, or "na".'
    )
    note = serializers.CharField(required=False, allow_blank=True)


class DisputeDecideSerializer(serializers.Serializer):
    decisions = DisputeDecisionSerializer(many=True)


class DisputeViewSet(viewsets.ReadOnlyModelViewSet):
    """Disputes (申诉): agents see and raise their own; team leads and managers read their
    scope's; the review group decides."""

    serializer_class = DisputeSerializer
    permission_classes = [CanSeeDisputes]
    queryset = Dispute.objects.none()

    def get_queryset(self):
        return disputes_for(self.request.user).prefetch_related("items__answer__item")

    @extend_schema(request=DisputeCreateSerializer, responses={201: DisputeSerializer})
    def create(self, request):
        body = DisputeCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        evaluation = get_scoped_or_404(
            request.user,
            Evaluation.objects.select_related("call"),
            pk=body.validated_data["evaluation"],
        )
        try:
            dispute = dispute_open(
                evaluation=evaluation,
                user=request.user,
                reason=body.validated_data["reason"],
                items=body.validated_data["items"],
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None
        dispute = self.get_queryset().get(pk=dispute.pk)
        return Response(DisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DisputeDecideSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Rule on every item: upheld, adjusted (with `value`) or overturned."""
        dispute = self.get_object()
        body = DisputeDecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decisions = {d["item"]: d for d in body.validated_data["decisions"]}
        try:
            dispute_decide(dispute=dispute, reviewer=request.user, decisions=decisions)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None
        return Response(DisputeSerializer(self.get_queryset().get(pk=dispute.pk)).data)


# --- Calibration ----------------------------------------------------------------------------


class CalibrationSessionSerializer(serializers.ModelSerializer):
    call_id = serializers.CharField(source="call.call_id", read_only=True)
    participants = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    submitted_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = CalibrationSession
        fields = [
            "id",
            "title",
            "call",
            "call_id",
            "scorecard",
            "participants",
            "status",
            "reference_score",
            "due_at",
            "created_by",
            "created_at",
            "closed_at",
            "submitted_count",
        ]


class CalibrationSessionViewSet(viewsets.ReadOnlyModelViewSet):
    """Calibration sessions (校准). Results only once the session is closed: scoring is blind."""

    serializer_class = CalibrationSessionSerializer
    permission_classes = [HasCapability("calibrate")]
    queryset = CalibrationSession.objects.none()

    def get_queryset(self):
        return sessions_for(self.request.user).prefetch_related("participants")

    @extend_schema(
        responses=inline_serializer(
            "CalibrationResults",
            {
                "fleiss_kappa": serializers.FloatField(allow_null=True),
                "alpha_nominal": serializers.FloatField(allow_null=True),
                "alpha_interval": serializers.FloatField(allow_null=True),
                "reference_score": serializers.DecimalField(
                    max_digits=5, decimal_places=2, allow_null=True
                ),
                "spread": serializers.DictField(child=serializers.FloatField(allow_null=True)),
                "participants": serializers.ListField(child=serializers.DictField()),
                "items": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        session = get_object_or_404(self.get_queryset(), pk=pk)
        if session.status == CalibrationSession.Status.OPEN:
            return Response(
                {"detail": "The session is open: answers stay hidden until it is closed."},
                status=status.HTTP_409_CONFLICT,
            )
        r = session_results(session)
        return Response(
            {
                "fleiss_kappa": r.fleiss_kappa,
                "alpha_nominal": r.alpha_nominal,
                "alpha_interval": r.alpha_interval,
                "reference_score": None if r.reference is None else str(r.reference),
                "spread": r.spread,
                "participants": [
                    {
                        "user": d["evaluator"].pk,
                        "name": d["evaluator"].display_name,
                        "score": None if d["score"] is None else str(d["score"]),
                        "distance": None if d["distance"] is None else str(d["distance"]),
                    }
                    for d in r.distances
                ],
                "items": [
                    {
                        "code": row["item"].code,
                        "title": row["item"].title,
                        "answers": [c["value"] for c in row["cells"]],
                        "agreement": row["agreement"],
                    }
                    for row in r.rows
                ],
            }
        )


router.register("sampling-plans", SamplingPlanViewSet, basename="sampling-plan")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("disputes", DisputeViewSet, basename="dispute")
router.register("calibrations", CalibrationSessionViewSet, basename="calibration")
