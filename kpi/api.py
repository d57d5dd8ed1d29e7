"""The KPI API (gathered under /api/v1/ by home.urls).

- indicators/ (by code; each detail has its SMART report, also at indicators/{code}/smart/);
- targets/ (the user's unit, the units above it and those inside their scope; create = a draft;
  activate, cascade, smart and consistency actions);
- measurements/ (POST a list: every row or none; also with an API key, which can do nothing
  else: `Authorization: Api-Key <key>`);
- kpi-values/?indicator=CODE&unit=team:CODE&period=2026-03 (or 2026-W10, 2026-03-05, 2026-Q1):
  value, numerator, denominator, target, band of one unit and period;
- shortfalls/ (the units in the user's scope, with their locked figures and revisions).
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_api_key.permissions import HasAPIKey

from kpi import selectors, services
from kpi.models import Indicator, Measurement, Shortfall, Target
from kpi.smart_data import indicator_smart_report
from qa_center import filters, periods
from qa_center.api import IdRouter
from qa_center.levels import Level
from qa_center.permissions import (
    IsAuthenticatedWithRole,
    has_capability,
    scope_queryset,
    units_with_ancestors,
)

router = IdRouter()


class SmartReportCriterionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    met = serializers.BooleanField(allow_null=True)
    reason = serializers.CharField()


class SmartReportSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    criteria = SmartReportCriterionSerializer(many=True)


# --- Indicators ----------------------------------------------------------------------------------


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = [
            "code",
            "name_zh",
            "name_en",
            "definition_zh",
            "definition_en",
            "unit",
            "scale",
            "direction",
            "measure",
            "period",
            "grain",
            "source",
            "rule_code",
            "owner",
            "is_active",
        ]

    def validate(self, attrs):
        # The model's own checks (a positive scale, a rule for one rule's compliance, unique
        # code) answer 400, not a database error.
        import copy

        from django.core.exceptions import ValidationError as DjangoValidationError

        candidate = copy.copy(self.instance) if self.instance is not None else Indicator()
        for name, value in attrs.items():
            setattr(candidate, name, value)
        try:
            candidate.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return attrs


class IndicatorDetailSerializer(IndicatorSerializer):
    smart = serializers.SerializerMethodField()

    class Meta(IndicatorSerializer.Meta):
        fields = [*IndicatorSerializer.Meta.fields, "smart"]

    @extend_schema_field(SmartReportSerializer)
    def get_smart(self, obj) -> dict:
        return indicator_smart_report(obj).as_dict()


class _CatalogueWrite(BasePermission):
    """Reading the catalogue: anyone with a role. Changing it: the kpi capability for the whole
    center (a center manager, an administrator)."""

    def has_permission(self, request, view) -> bool:
        if not IsAuthenticatedWithRole().has_permission(request, view):
            return False
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return has_capability(request.user, "kpi") and units_with_ancestors(request.user).every


class IndicatorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The indicator catalogue; the detail carries the indicator's SMART report."""

    permission_classes = [_CatalogueWrite]
    queryset = Indicator.objects.order_by("code")
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filterset_fields = ["source", "period", "measure", "is_active"]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return IndicatorDetailSerializer
        return IndicatorSerializer

    @extend_schema(responses=SmartReportSerializer)
    @action(detail=True, methods=["get"])
    def smart(self, request, code=None):
        return Response(indicator_smart_report(self.get_object()).as_dict())


router.register("indicators", IndicatorViewSet, basename="kpi-indicator")


# --- Targets -------------------------------------------------------------------------------------


class TargetSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.all())
    unit = serializers.CharField(
        write_only=True, help_text="center, department:CODE, team:CODE or agent:EMPLOYEE_NO"
    )
    unit_key = serializers.CharField(read_only=True)
    unit_label = serializers.CharField(read_only=True)

    class Meta:
        model = Target
        fields = [
            "id",
            "indicator",
            "unit",
            "unit_key",
            "unit_label",
            "level",
            "period_kind",
            "valid_from",
            "valid_to",
            "value",
            "amber_within",
            "weight",
            "status",
            "parent",
            "standard_code",
            "justification",
            "proposed",
            "created_at",
        ]
        read_only_fields = ["level", "period_kind", "status", "proposed", "created_at"]
        extra_kwargs = {"valid_from": {"validators": [filters.validate_day]}}

    def validate_parent(self, value):
        request = self.context.get("request")
        if value is not None and request is not None:
            if not selectors.visible_targets(request.user).filter(pk=value.pk).exists():
                raise serializers.ValidationError(_("No such target."))
        return value

    def validate_unit(self, value):
        try:
            return selectors.unit_parse(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


class TargetActivateSerializer(serializers.Serializer):
    justification = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    proposals = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also activate the proposals below it that their units have not set.",
    )


class TargetConsistencySerializer(serializers.Serializer):
    target = serializers.IntegerField(source="target.pk")
    unit = serializers.CharField(source="target.unit_key")
    children = serializers.IntegerField()
    expected = serializers.DecimalField(max_digits=30, decimal_places=8, allow_null=True)
    reaches = serializers.BooleanField(allow_null=True)
    message = serializers.CharField()


class TargetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Targets of the user's unit, of the units above it and inside their scope. Writing one
    makes a draft (services.target_save checks the scope and that a child does not loosen its
    parent); `activate` needs every SMART criterion met or a justification."""

    serializer_class = TargetSerializer
    filterset_fields = ["indicator__code", "level", "status"]

    def get_queryset(self):
        return selectors.visible_targets(self.request.user).select_related(
            "indicator", "department", "team", "agent"
        )

    def _save(self, serializer, target=None):
        data = dict(serializer.validated_data)
        if target is None:
            missing = [
                k for k in ("indicator", "unit", "valid_from", "valid_to", "value") if k not in data
            ]
            if missing:
                raise ApiValidationError({k: [_("This field is required.")] for k in missing})
        level, unit = data.pop("unit") if "unit" in data else (target.level, target.unit)
        standard = data.pop("standard_code", None)
        fields = {
            name: data.get(name, getattr(target, name) if target else None)
            for name in ("indicator", "valid_from", "valid_to", "value", "weight", "parent")
        }
        for name in ("amber_within", "justification"):
            if name in data or target is not None:
                fields[name] = data.get(name, getattr(target, name, None))
        saved = services.target_save(
            by=self.request.user, level=level, unit=unit, target=target, **fields
        )
        if standard is not None and standard != saved.standard_code:
            saved.standard_code = standard
            saved.save(update_fields=["standard_code"])
        serializer.instance = saved

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer, target=serializer.instance)

    @extend_schema(request=TargetActivateSerializer, responses=TargetSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        target = self.get_object()
        body = TargetActivateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.target_activate(
            by=request.user,
            target=target,
            justification=body.validated_data.get("justification", ""),
        )
        if body.validated_data.get("proposals"):
            services.target_activate_proposals(by=request.user, target=target)
        return Response(TargetSerializer(target).data)

    @extend_schema(request=None, responses=TargetSerializer(many=True))
    @action(detail=True, methods=["post"])
    def cascade(self, request, pk=None):
        target = self.get_object()
        made = services.target_cascade(by=request.user, target=target)
        return Response(TargetSerializer(made, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=SmartReportSerializer)
    @action(detail=True, methods=["get"])
    def smart(self, request, pk=None):
        return Response(services.target_smart(self.get_object()).as_dict())

    @extend_schema(responses=TargetConsistencySerializer(many=True))
    @action(detail=True, methods=["get"])
    def consistency(self, request, pk=None):
        rows = services.cascade_consistency(self.get_object())
        return Response(TargetConsistencySerializer(rows, many=True).data)


router.register("targets", TargetViewSet, basename="kpi-target")


# --- Measurements --------------------------------------------------------------------------------


class MeasurementInSerializer(serializers.Serializer):
    indicator = serializers.CharField(max_length=40)
    agent = serializers.CharField(max_length=20, required=False)
    team = serializers.CharField(max_length=30, required=False)
    department = serializers.CharField(max_length=30, required=False)
    date = serializers.CharField(max_length=10)
    numerator = serializers.DecimalField(
        max_digits=24, decimal_places=6, required=False, allow_null=True
    )
    denominator = serializers.DecimalField(
        max_digits=24, decimal_places=6, required=False, allow_null=True
    )
    value = serializers.DecimalField(
        max_digits=24, decimal_places=6, required=False, allow_null=True
    )
    count = serializers.DecimalField(
        max_digits=24, decimal_places=6, required=False, allow_null=True
    )

    def validate(self, attrs):
        given = [k for k in (Level.AGENT, Level.TEAM, Level.DEPARTMENT) if attrs.get(k)]
        if len(given) > 1:
            raise serializers.ValidationError(
                {"agent": [_("Give one of agent, team or department, not several.")]}
            )
        return attrs


class MeasurementOutSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.CharField(source="unit_key", read_only=True)

    class Meta:
        model = Measurement
        fields = [
            "id",
            "indicator",
            "level",
            "unit",
            "day",
            "numerator",
            "denominator",
            "origin",
            "updated_at",
        ]
        read_only_fields = fields


class RecordedSerializer(serializers.Serializer):
    recorded = serializers.IntegerField()


class _MeasurementPermission(BasePermission):
    """POST: an API key (nothing else accepts one), or a person with the import or kpi
    capability. GET: a person with a role, their scope's rows."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        person = bool(user and user.is_authenticated and user.is_active and user.role)
        if request.method == "POST":
            if person:
                return has_capability(user, "import") or has_capability(user, "kpi")
            return HasAPIKey().has_permission(request, view)
        return person


class MeasurementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Measurements in the user's scope (GET); POST a list of rows: every row or none, a row
    already stored (same indicator, unit and day) replaced."""

    permission_classes = [_MeasurementPermission]
    serializer_class = MeasurementOutSerializer
    filterset_fields = ["indicator__code", "level", "day"]

    def get_queryset(self):
        return scope_queryset(
            self.request.user,
            Measurement.objects.select_related("indicator", "agent", "team", "department"),
        ).order_by("-day", "indicator__code", "level", "unit_id")

    @extend_schema(request=MeasurementInSerializer(many=True), responses={201: RecordedSerializer})
    def create(self, request):
        if not isinstance(request.data, list):
            raise ApiValidationError({"non_field_errors": [_("Send a list of measurements.")]})
        body = MeasurementInSerializer(data=request.data, many=True)
        if not body.is_valid():
            errors = {str(i): e for i, e in enumerate(body.errors) if e}
            raise ApiValidationError(errors)
        rows = []
        for i, item in enumerate(body.validated_data):
            scope = next(
                (k for k in (Level.AGENT, Level.TEAM, Level.DEPARTMENT) if item.get(k)),
                Level.CENTER,
            )
            rows.append(
                services.MeasurementRow(
                    indicator=item["indicator"],
                    scope=scope,
                    unit=item.get(scope, ""),
                    date=item["date"],
                    numerator=item.get("numerator"),
                    denominator=item.get("denominator"),
                    value=item.get("value"),
                    count=item.get("count"),
                    line=i,
                )
            )
        person = request.user if request.user and request.user.is_authenticated else None
        try:
            count = services.measurements_record(rows=rows, origin="api", by=person)
        except services.MeasurementsRefusedError as exc:
            errors: dict[str, dict[str, list[str]]] = {}
            for p in exc.problems:
                errors.setdefault(
                    str(p.line) if p.line is not None else "non_field_errors", {}
                ).setdefault(p.field, []).append(p.message)
            raise ApiValidationError(errors) from None
        return Response({"recorded": count}, status=status.HTTP_201_CREATED)


router.register("measurements", MeasurementViewSet, basename="kpi-measurement")


# --- Values --------------------------------------------------------------------------------------


class KpiValueSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    unit = serializers.CharField()
    period = serializers.CharField()
    period_kind = serializers.CharField()
    numerator = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)
    denominator = serializers.DecimalField(max_digits=30, decimal_places=6, allow_null=True)
    value = serializers.FloatField(allow_null=True)
    display = serializers.CharField()
    target = serializers.DecimalField(max_digits=30, decimal_places=8, allow_null=True)
    target_id = serializers.IntegerField(allow_null=True)
    band = serializers.CharField(allow_null=True)


def _period(raw: str | None):
    if raw is None or not raw.strip():
        raise filters.FilterError(_("Give the period: 2026-03, 2026-W10, 2026-03-05 or 2026-Q1."))
    text = filters._clean_text(raw.strip(), 20)
    year = text[:4]
    if year.isascii() and year.isdigit():
        if not filters.MIN_DAY.year <= int(year) <= filters.MAX_DAY.year:
            raise filters.FilterError(
                _("Enter a period from %(low)s to %(high)s.")
                % {"low": filters.MIN_DAY.year, "high": filters.MAX_DAY.year}
            )
    try:
        period = periods.parse_period(text)
    except (ValueError, OverflowError) as exc:
        raise filters.FilterError(str(exc)) from None
    filters.check_day(period.first_day)
    return period


def _required_text(raw: str | None):
    if raw is None or not raw.strip():
        raise filters.FilterError(_("This parameter is required."))
    return filters.text(60)(raw)


class KpiValueView(APIView):
    """One unit's value over one period — any period kind, summed exactly from the measurements
    — with the unit's active target in force at the period's start and the band."""

    @extend_schema(
        parameters=[
            OpenApiParameter("indicator", str, required=True, description="Indicator code."),
            OpenApiParameter(
                "unit",
                str,
                required=True,
                description="center, department:CODE, team:CODE or agent:EMPLOYEE_NO",
            ),
            OpenApiParameter(
                "period", str, required=True, description="2026-03, 2026-W10, 2026-03-05 or 2026-Q1"
            ),
        ],
        responses=KpiValueSerializer,
    )
    def get(self, request):
        parsed = filters.parse_for_api(
            request.query_params,
            {"indicator": _required_text, "unit": _required_text, "period": _period},
        )
        indicator = Indicator.objects.filter(code=parsed.get("indicator")).first()
        if indicator is None:
            raise ApiValidationError({"indicator": [_("No indicator has this code.")]})
        try:
            level, unit = selectors.unit_parse(parsed.get("unit"))
        except ValueError as exc:
            raise ApiValidationError({"unit": [str(exc)]}) from None
        if not selectors.may_see_unit(request.user, level, unit):
            raise NotFound()
        period = parsed.get("period")
        figures = selectors.unit_figures(indicator, level=level, unit=unit, period=period)
        target = selectors.target_for(
            indicator, level=level, unit_id=unit.pk if unit else 0, day=period.first_day
        )
        if (
            target is not None
            and indicator.measure == Indicator.Measure.ADDITIVE
            and target.period_kind != period.kind
        ):
            target = None  # an additive target holds for its own period only
        data = {
            "indicator": indicator.code,
            "unit": parsed.get("unit"),
            "period": periods.format_period(period),
            "period_kind": period.kind,
            "numerator": figures["numerator"],
            "denominator": figures["denominator"],
            "value": figures["value"],
            "display": indicator.display(figures["value"]),
            "target": target.value if target else None,
            "target_id": target.pk if target else None,
            "band": selectors.band(figures["value"], target),
        }
        return Response(KpiValueSerializer(data).data)


# --- Shortfalls ----------------------------------------------------------------------------------


class ShortfallSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.CharField(source="unit_key", read_only=True)
    unit_label = serializers.CharField(read_only=True)
    is_revision = serializers.BooleanField(read_only=True)

    class Meta:
        model = Shortfall
        fields = [
            "id",
            "indicator",
            "level",
            "unit",
            "unit_label",
            "period_kind",
            "period_start",
            "kind",
            "revision",
            "is_revision",
            "numerator",
            "denominator",
            "value",
            "target_value",
            "band",
            "signal",
            "owner",
            "action",
            "found_at",
        ]
        read_only_fields = fields


class ShortfallViewSet(viewsets.ReadOnlyModelViewSet):
    """Shortfalls of the units in the user's scope, newest period first; each revision (late
    data) is its own row beside the locked first one."""

    serializer_class = ShortfallSerializer
    filterset_fields = ["indicator__code", "level", "kind", "period_kind", "period_start"]

    def get_queryset(self):
        return selectors.visible_shortfalls(self.request.user).select_related(
            "indicator", "department", "team", "agent"
        )


router.register("shortfalls", ShortfallViewSet, basename="kpi-shortfall")

urlpatterns: list = [
    path("kpi-values/", KpiValueView.as_view(), name="kpi-values"),
    *router.urls,
]
