"""The bulletins API: bulletins in the user's scope (read-only). Improvement targets are
corrective actions: /api/v1/improvement-targets/ is served by audits.actions.api."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from bulletins import selectors
from bulletins.models import Bulletin
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


router.register("bulletins", BulletinViewSet, basename="bulletin")
urlpatterns = router.urls
