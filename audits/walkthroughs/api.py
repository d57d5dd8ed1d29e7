"""API of the process walk-throughs (/api/v1/walkthroughs/): the month's list (filter
month=YYYY-MM), one walk-through with its steps, documents and findings, and the actions:
draw, start, documents (multipart step + file), drill, findings, verdict. Querysets are scoped
by qa_center.permissions (an owner sees their own walk-throughs; an auditor of one department
never another's); the services decide and refuse."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from org.models import User
from qa_center import filters
from qa_center.api import IdRouter
from qa_center.permissions import IsAuthenticatedWithRole, may_draw_walkthroughs
from qa_center.schema import ApiErrorSerializer

from . import scoring, selectors, services
from .models import Finding, Walkthrough, WalkthroughDocument, WalkthroughStep


class DocumentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = WalkthroughDocument
        fields = ["id", "step", "name", "content_type", "size", "sha256", "uploaded_at", "late"]
        fields += ["url"]

    def get_url(self, document) -> str:
        return reverse("walkthroughs:document", args=[document.pk])


class WalkthroughStepSerializer(serializers.ModelSerializer):
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta:
        model = WalkthroughStep
        fields = ["id", "position", "title", "required_documents", "drill", "drill_note"]
        fields += ["documents"]


class FindingSerializer(serializers.ModelSerializer):
    action_status = serializers.CharField(source="action.status", read_only=True, default=None)
    action_due_on = serializers.DateField(source="action.due_on", read_only=True, default=None)

    class Meta:
        model = Finding
        fields = ["id", "step", "grade", "description", "action", "action_status"]
        fields += ["action_due_on", "created_at"]


class WalkthroughSerializer(serializers.ModelSerializer):
    month = serializers.SerializerMethodField()
    department_name = serializers.CharField(source="department.name", read_only=True)
    standard_code = serializers.CharField(source="standard.code", read_only=True)
    standard_kind = serializers.CharField(source="standard.kind", read_only=True)
    title = serializers.CharField(source="version.title", read_only=True)
    version_number = serializers.IntegerField(source="version.number", read_only=True)
    documents_locked = serializers.SerializerMethodField()

    class Meta:
        model = Walkthrough
        fields = [
            "id",
            "month",
            "department",
            "department_name",
            "slot",
            "standard",
            "standard_code",
            "standard_kind",
            "title",
            "version",
            "version_number",
            "owner",
            "weight",
            "walked_recently",
            "status",
            "started_at",
            "documents_due_at",
            "documents_locked",
            "verdict",
            "verdict_reason",
            "concluded_at",
            "revision",
            "abolition",
            "score",
        ]

    def get_month(self, walkthrough) -> str:
        return walkthrough.month.strftime("%Y-%m")

    def get_documents_locked(self, walkthrough) -> bool:
        return walkthrough.documents_locked()


class WalkthroughDetailSerializer(WalkthroughSerializer):
    steps = WalkthroughStepSerializer(many=True, read_only=True)
    findings = FindingSerializer(many=True, read_only=True)
    provisional_score = serializers.SerializerMethodField()
    abolition_status = serializers.SerializerMethodField(
        help_text="The verdict abolish proposes it: pending until approved (or rejected) at "
        "/api/v1/abolition-requests/{id}/."
    )

    class Meta(WalkthroughSerializer.Meta):
        fields = [
            *WalkthroughSerializer.Meta.fields,
            "abolition_status",
            "provisional_score",
            "steps",
            "findings",
        ]

    def get_abolition_status(self, walkthrough) -> str | None:
        return walkthrough.abolition.status if walkthrough.abolition_id else None

    def get_provisional_score(self, walkthrough) -> str:
        return str(scoring.score(selectors.tally_of_prefetched(walkthrough)).total)


class DrawInputSerializer(serializers.Serializer):
    month = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")


class DrawOutputSerializer(serializers.Serializer):
    month = serializers.CharField()
    seed = serializers.CharField()
    created = serializers.IntegerField()
    walkthroughs = WalkthroughSerializer(many=True)


class DocumentInputSerializer(serializers.Serializer):
    step = serializers.IntegerField(min_value=1, max_value=filters.MAX_ID)
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class DrillRowSerializer(serializers.Serializer):
    step = serializers.IntegerField(min_value=1, max_value=filters.MAX_ID)
    result = serializers.ChoiceField(choices=WalkthroughStep.Drill.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class DrillInputSerializer(serializers.Serializer):
    results = DrillRowSerializer(many=True)


class FindingInputSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Finding.Grade.choices)
    description = serializers.CharField(max_length=4000)
    step = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=filters.MAX_ID
    )
    action_owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Nonconformities: who carries out the corrective action (default: the owner).",
    )
    action_due_on = serializers.DateField(
        required=False, allow_null=True, validators=[filters.validate_day]
    )
    action_title = serializers.CharField(required=False, allow_blank=True, max_length=200)


class VerdictInputSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Walkthrough.Verdict.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=4000)


_REFUSED = OpenApiResponse(ApiErrorSerializer, description="Refused: the message says why.")
_NOT_YOURS = OpenApiResponse(ApiErrorSerializer, description="Not allowed to do this.")


def _denied(exc: DjangoPermissionDenied) -> PermissionDenied:
    return PermissionDenied(str(exc) or None)


@extend_schema(
    parameters=[
        OpenApiParameter("month", str, description="A month, YYYY-MM."),
        OpenApiParameter("department", int, description="A department's id."),
        OpenApiParameter("status", str, enum=Walkthrough.Status.values),
    ]
)
class WalkthroughViewSet(viewsets.ReadOnlyModelViewSet):
    """Process walk-throughs (流程制度穿越)."""

    permission_classes = [IsAuthenticatedWithRole]
    queryset = Walkthrough.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    FILTERS = {
        "month": filters.month,
        "department": filters.id_,
        "status": filters.choice(Walkthrough.Status.values),
    }

    def get_serializer_class(self):
        return WalkthroughDetailSerializer if self.action != "list" else WalkthroughSerializer

    def get_queryset(self):
        user = self.request.user
        if self.action == "list":
            parsed = filters.parse_for_api(self.request.query_params, self.FILTERS)
            queryset = selectors.walkthroughs_for(user)
            if parsed.get("month"):
                queryset = queryset.filter(month=parsed.get("month"))
            if parsed.get("department"):
                queryset = queryset.filter(department_id=parsed.get("department"))
            if parsed.get("status"):
                queryset = queryset.filter(status=parsed.get("status"))
            return queryset
        return selectors.walkthrough_detail_queryset(user)

    def _fresh(self, pk) -> dict:
        walkthrough = selectors.walkthrough_detail_queryset(self.request.user).get(pk=pk)
        return WalkthroughDetailSerializer(walkthrough).data

    @extend_schema(
        request=DrawInputSerializer,
        responses={200: DrawOutputSerializer, 403: _NOT_YOURS},
        parameters=[],
    )
    @action(detail=False, methods=["post"])
    def draw(self, request):
        """Draw the month (idempotent: a second draw returns the same walk-throughs)."""
        if not may_draw_walkthroughs(request.user):
            raise PermissionDenied()
        body = DrawInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        parsed = filters.parse_for_api(
            {"month": body.validated_data["month"]}, {"month": filters.month}
        )
        try:
            result = services.walkthroughs_draw_month(month=parsed.get("month"), by=request.user)
        except DjangoPermissionDenied as exc:
            raise _denied(exc) from None
        walkthroughs = selectors.walkthroughs_for(request.user).filter(month=result.draw.month)
        return Response(
            {
                "month": result.draw.month.strftime("%Y-%m"),
                "seed": result.draw.seed,
                "created": len(result.created),
                "walkthroughs": WalkthroughSerializer(walkthroughs, many=True).data,
            }
        )

    @extend_schema(
        request=None,
        responses={200: WalkthroughDetailSerializer, 400: _REFUSED, 403: _NOT_YOURS},
        parameters=[],
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """Start the walk-through: the owner is notified and has one hour (documents_due_at)."""
        walkthrough = self.get_object()
        try:
            services.walkthrough_start(walkthrough=walkthrough, by=request.user)
        except DjangoPermissionDenied as exc:
            raise _denied(exc) from None
        return Response(self._fresh(walkthrough.pk))

    @extend_schema(
        request={"multipart/form-data": DocumentInputSerializer},
        responses={201: DocumentSerializer, 400: _REFUSED, 403: _NOT_YOURS},
        parameters=[],
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def documents(self, request, pk=None):
        """Upload a document for a step (the owner). After the deadline it is kept with
        `late: true` and does not count."""
        walkthrough = self.get_object()
        body = DocumentInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            document = services.walkthrough_document_upload(
                walkthrough=walkthrough,
                step=body.validated_data["step"],
                by=request.user,
                file=body.validated_data["file"],
            )
        except DjangoPermissionDenied as exc:
            raise _denied(exc) from None
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=DrillInputSerializer,
        responses={200: WalkthroughDetailSerializer, 400: _REFUSED, 403: _NOT_YOURS},
        parameters=[],
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def drill(self, request, pk=None):
        """Record the drill step by step: done, missing or unreasonable (with a note)."""
        walkthrough = self.get_object()
        body = DrillInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.walkthrough_drill_record(
                walkthrough=walkthrough, by=request.user, results=body.validated_data["results"]
            )
        except DjangoPermissionDenied as exc:
            raise _denied(exc) from None
        return Response(self._fresh(walkthrough.pk))

    @extend_schema(
        request=FindingInputSerializer,
        responses={201: FindingSerializer, 400: _REFUSED, 403: _NOT_YOURS},
        parameters=[],
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def findings(self, request, pk=None):
        """Record a finding; a nonconformity opens its corrective action."""
        walkthrough = self.get_object()
        body = FindingInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            finding = services.finding_record(
                walkthrough=walkthrough,
                by=request.user,
                grade=data["grade"],
                description=data["description"],
                step=data.get("step"),
                action_owner=data.get("action_owner"),
                action_due_on=data.get("action_due_on"),
                action_title=data.get("action_title", ""),
            )
        except DjangoPermissionDenied as exc:
            raise _denied(exc) from None
        return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=VerdictInputSerializer,
        responses={200: WalkthroughDetailSerializer, 400: _REFUSED, 403: _NOT_YOURS},
        parameters=[],
    )
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def verdict(self, request, pk=None):
        """The verdict on the standard: keep, revise (a new draft for its owner) or abolish."""
        walkthrough = self.get_object()
        body = VerdictInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.walkthrough_conclude(
                walkthrough=walkthrough,
                by=request.user,
                verdict=body.validated_data["verdict"],
                reason=body.validated_data.get("reason", ""),
            )
        except DjangoPermissionDenied as exc:
            raise _denied(exc) from None
        return Response(self._fresh(walkthrough.pk))


router = IdRouter()
router.register("walkthroughs", WalkthroughViewSet, basename="walkthrough")
urlpatterns = router.urls
