"""API for sampling plans (create, edit, run a week's draw) and supervisors' queues of
assignments. Querysets are scoped by qa_center.permissions; services decide."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from org.models import User
from qa_center.api import IdRouter
from qa_center.periods import week_start_of
from qa_center.permissions import HasCapability, may_manage_sampling_plan
from scoring.evaluations.models import Evaluation, Scorecard
from scoring.sampling.models import Assignment, SamplingPlan
from scoring.sampling.selectors import plans_for, queue_for
from scoring.sampling.services import sampling_plan_save, sampling_run


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
        serializer.instance = sampling_plan_save(
            actor=self.request.user, supervisors=supervisors, **data
        )

    @extend_schema(request=SamplingRunSerializer, responses=SamplingResultSerializer)
    @action(detail=True, methods=["post"])
    def run(self, request, pk=None):
        """Draw the plan's sample for a week (idempotent: a second run only tops up)."""
        plan = self.get_object()
        if not may_manage_sampling_plan(request.user, plan=plan):
            raise PermissionDenied
        body = SamplingRunSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = sampling_run(
            plan=plan, week_start=week_start_of(body.validated_data["week_start"])
        )
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
        return obj.evaluation_id


class AssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """My queue: the requesting supervisor's assignments, soonest due first (`?all=1` includes
    done ones)."""

    serializer_class = AssignmentSerializer
    permission_classes = [HasCapability("score_calls")]
    queryset = Assignment.objects.none()

    def get_queryset(self):
        from scoring.sampling.services import assignments_sync_done

        assignments_sync_done(supervisor=self.request.user)
        include_done = self.request.query_params.get("all") in {"1", "true"}
        return queue_for(self.request.user, include_done=include_done).annotate(
            # The evaluation that fulfils it: its supervisor's of its call.
            evaluation_id=Subquery(
                Evaluation.objects.filter(
                    call=OuterRef("call"), evaluator=OuterRef("supervisor"), is_calibration=False
                ).values("pk")[:1]
            )
        )


router = IdRouter()
router.register("sampling-plans", SamplingPlanViewSet, basename="sampling-plan")
router.register("assignments", AssignmentViewSet, basename="assignment")
urlpatterns = router.urls
