"""API for disputes: raising one on an evaluation, the lists each role may see, and the review
group's decision per item. Querysets are scoped by qa_center.permissions; services decide."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from qa_center.api import IdRouter
from qa_center.permissions import IsAuthenticatedWithRole, get_scoped_or_404, visible_evaluations
from qa_center.schema import ApiErrorSerializer
from scoring.disputes.models import Dispute, DisputeItem
from scoring.disputes.selectors import can_see_disputes, disputes_for
from scoring.disputes.services import dispute_decide, dispute_open
from scoring.evaluations.models import Evaluation


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

    @extend_schema(
        request=DisputeCreateSerializer,
        responses={
            201: DisputeSerializer,
            404: OpenApiResponse(
                ApiErrorSerializer, description="No such evaluation in your scope."
            ),
        },
    )
    def create(self, request):
        body = DisputeCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # A draft is a 404 to the agent (visible_evaluations), not a 400 saying it exists.
        evaluation = get_scoped_or_404(
            request.user,
            visible_evaluations(request.user, Evaluation.objects.select_related("call")),
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
        return Response(DisputeSerializer(self.get_queryset().get(pk=dispute.pk)).data)


router = IdRouter()
router.register("disputes", DisputeViewSet, basename="dispute")
urlpatterns = router.urls
