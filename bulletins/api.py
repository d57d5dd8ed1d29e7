"""The bulletins API: bulletins in the user's scope (read-only) and improvement targets."""

from __future__ import annotations

from rest_framework import mixins, serializers, viewsets

from bulletins import selectors
from bulletins.models import Bulletin, ImprovementTarget
from qa_center.api import IdRouter
from qa_center.permissions import HasCapability

router = IdRouter()  # the API root belongs to org's router


class BulletinSerializer(serializers.ModelSerializer):
    class Meta:
        model = Bulletin
        fields = [
            "id",
            "kind",
            "level",
            "department",
            "team",
            "period_start",
            "period_end",
            "revision",
            "reason",
            "status",
            "title",
            "number",
            "decisions",
            "corrects",
            "generated_at",
            "issued_at",
            "summary",
        ]
        read_only_fields = fields


class BulletinDetailSerializer(BulletinSerializer):
    class Meta(BulletinSerializer.Meta):
        fields = [*BulletinSerializer.Meta.fields, "data"]
        read_only_fields = fields


class BulletinViewSet(viewsets.ReadOnlyModelViewSet):
    """Bulletins in the user's scope, newest first; the detail includes the figures."""

    permission_classes = [HasCapability("read_bulletins")]
    filterset_fields = ["kind", "level", "period_start", "status"]

    def get_queryset(self):
        return selectors.bulletins_for(self.request.user).order_by(
            "-period_start", "level", "scope_key", "-revision"
        )

    def get_serializer_class(self):
        return BulletinDetailSerializer if self.action == "retrieve" else BulletinSerializer


class ImprovementTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImprovementTarget
        fields = [
            "id",
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
    """Improvement targets in the user's scope."""

    permission_classes = [HasCapability("read_bulletins")]
    serializer_class = ImprovementTargetSerializer
    filterset_fields = ["status", "level", "metric"]

    def get_queryset(self):
        return selectors.targets_for(self.request.user).order_by("due_week", "pk")


router.register("bulletins", BulletinViewSet, basename="bulletin")
router.register("improvement-targets", ImprovementTargetViewSet, basename="improvement-target")
urlpatterns = router.urls
