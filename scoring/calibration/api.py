"""API for calibration sessions: the user's sessions, and a closed session's results (open
sessions are blind). Querysets are scoped by qa_center.permissions; services decide."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qa_center.api import IdRouter
from qa_center.permissions import HasCapability
from qa_center.schema import ApiErrorSerializer
from scoring.calibration.models import CalibrationSession
from scoring.calibration.selectors import session_results, sessions_for


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
        responses={
            200: inline_serializer(
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
            ),
            409: OpenApiResponse(
                ApiErrorSerializer, description="The session is open: scoring is blind."
            ),
        }
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


router = IdRouter()
router.register("calibrations", CalibrationSessionViewSet, basename="calibration")
urlpatterns = router.urls
