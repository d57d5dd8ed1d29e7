"""KPIs: indicators, their measurements at the finest grain, stored period values, targets that
cascade, and the shortfalls found when a period closes.

Every figure is kept as a numerator and a denominator so that it rolls up exactly (KPI.md:
"a rate rolls up as sum of numerators ÷ sum of denominators"):
- a *rate*: numerator ÷ denominator (answered within 20 s ÷ offered);
- a *mean*: the sum of the values ÷ their count (numerator = Σ values, denominator = count);
- an *additive* count: the numerator alone (denominator empty), summed.

A unit is a level of the organisation (qa_center.levels.Level) and, below the center, the id of
the department, team or agent (`unit_id`; 0 for the center). The unique constraints are on
(level, unit_id), never on nullable foreign keys, so that an upsert (INSERT … ON CONFLICT) finds
the row it replaces on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from qa_center.levels import Level
from qa_center.periods import KINDS

PERIOD_CHOICES = [
    ("day", _("Daily")),
    ("week", _("Weekly")),
    ("month", _("Monthly")),
    ("quarter", _("Quarterly")),
]
assert [kind for kind, _label in PERIOD_CHOICES] == list(KINDS)

# Figures: 18 digits before the point, 6 after — a year of a center's calls in seconds fits.
_FIGURE = {"max_digits": 24, "decimal_places": 6}


class Indicator(models.Model):
    """An indicator (指标) of the catalogue: what is measured, how it rolls up, on which period it
    is watched, who owns it and where its data come from."""

    class Measure(models.TextChoices):
        RATE = "rate", _("Rate (numerator ÷ denominator)")
        MEAN = "mean", _("Mean (sum of values ÷ count)")
        ADDITIVE = "additive", _("Additive count")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class Source(models.TextChoices):
        EXTERNAL = "external", _("Measured elsewhere (import or API)")
        CHECK_SCORE = "check_score", _("Automatic-check score")
        COMPLIANCE = "compliance", _("Compliance with every rule")
        RULE_COMPLIANCE = "rule_compliance", _("Compliance with one rule")
        SUPERVISOR_SCORE = "supervisor_score", _("Supervisor score")
        PASS_RATE = "pass_rate", _("Pass rate")
        CRITICAL_RATE = "critical_rate", _("Critical-failure rate")
        DISPUTE_RATE = "dispute_rate", _("Dispute rate")
        OVERTURN_RATE = "overturn_rate", _("Dispute overturn rate")
        WALKTHROUGH_SCORE = "walkthrough_score", _("Walk-through score")
        ACTIONS_ON_TIME = "actions_on_time", _("Actions closed on time")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    definition_zh = models.TextField(_("definition (Chinese)"))
    definition_en = models.TextField(_("definition (English)"))
    unit = models.CharField(
        _("unit"), max_length=20, blank=True, help_text=_("As shown beside a value: %, s, points.")
    )
    scale = models.DecimalField(
        _("display scale"),
        max_digits=10,
        decimal_places=0,
        default=1,
        help_text=_("A value is shown multiplied by this: 100 for a percentage."),
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    measure = models.CharField(_("measure"), max_length=10, choices=Measure.choices)
    period = models.CharField(
        _("monitoring period"), max_length=10, choices=PERIOD_CHOICES, default="month"
    )
    grain = models.CharField(
        _("finest level"),
        max_length=12,
        choices=Level.choices,
        default=Level.AGENT,
        help_text=_(
            "The level the measurements are given at: agents, or teams or departments when the "
            "source knows no finer."
        ),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    rule_code = models.CharField(
        _("rule"), max_length=64, blank=True, help_text=_("For compliance with one rule.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kpi_indicators",
        verbose_name=_("owner"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(scale__gt=0), name="kpi_indicator_scale_positive"),
            models.CheckConstraint(
                condition=~Q(source="rule_compliance") | ~Q(rule_code=""),
                name="kpi_indicator_compliance_has_rule",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en

    @property
    def definition(self) -> str:
        return self.definition_zh if (get_language() or "").startswith("zh") else self.definition_en

    @property
    def is_internal(self) -> bool:
        return self.source != self.Source.EXTERNAL

    @property
    def lower_is_better(self) -> bool:
        return self.direction == self.Direction.LOWER

    def value_of(self, numerator, denominator) -> float | None:
        """The indicator's value from summed figures: the ratio for a rate or a mean, the count
        for an additive indicator; None when there is nothing to divide by."""
        if numerator is None:
            return None
        if self.measure == self.Measure.ADDITIVE:
            return float(numerator)
        if not denominator:
            return None
        return float(numerator) / float(denominator)

    def display(self, value) -> str:
        """A value as people read it: scaled (80.00 for 0.8 of a percentage) and with its unit."""
        if value is None:
            return "—"
        shown = Decimal(str(value)) * self.scale
        return f"{shown:.2f}{self.unit}" if self.unit == "%" else f"{shown:.2f} {self.unit}".strip()


class UnitFields(models.Model):
    """The unit a row is about: its level and the department/team/agent it names. For an agent's
    row the team and department are the ones the agent was in at the time (org.TeamMembership),
    so an agent moving team leaves their history with the old team."""

    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    unit_id = models.PositiveIntegerField(_("unit id"), default=0, help_text=_("0: the center."))
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    team = models.ForeignKey(
        "org.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    agent = models.ForeignKey(
        "org.Agent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )

    scope_paths = {"department": "department", "team": "team", "agent": "agent"}

    class Meta:
        abstract = True

    @property
    def unit(self):
        """The department, team or agent (None for the center)."""
        return {
            Level.DEPARTMENT: self.department,
            Level.TEAM: self.team,
            Level.AGENT: self.agent,
        }.get(self.level)

    @property
    def unit_label(self) -> str:
        unit = self.unit
        return str(unit) if unit is not None else str(_("Center"))

    @property
    def unit_key(self) -> str:
        """``team:T01``, ``agent:1001``, ``department:D1``, ``center``: how the API names it."""
        unit = self.unit
        if unit is None:
            return "center"
        code = unit.employee_no if self.level == Level.AGENT else unit.code
        return f"{self.level}:{code}"


def _unit_consistent(prefix: str = "") -> Q:
    """The unit's level names exactly the foreign keys it should."""
    return (
        Q(level="center", unit_id=0, department__isnull=True, team__isnull=True, agent__isnull=True)
        | Q(level="department", department__isnull=False, team__isnull=True, agent__isnull=True)
        | Q(level="team", team__isnull=False, department__isnull=False, agent__isnull=True)
        | Q(level="agent", agent__isnull=False)
    )


class Measurement(UnitFields):
    """One indicator's figures for one unit on one day, at the indicator's finest level
    (normally agent × day). Posting or importing the same row again replaces it."""

    class Origin(models.TextChoices):
        IMPORT = "import", _("Import")
        API = "api", _("API")
        COMPUTED = "computed", _("Computed from QA Center")
        DEMO = "demo", _("Demo")

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="measurements",
        verbose_name=_("indicator"),
    )
    day = models.DateField(_("day"))
    numerator = models.DecimalField(_("numerator"), **_FIGURE)
    denominator = models.DecimalField(_("denominator"), null=True, blank=True, **_FIGURE)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["indicator", "day", "level", "unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "level", "unit_id", "day"], name="kpi_measurement_unique"
            ),
            models.CheckConstraint(condition=_unit_consistent(), name="kpi_measurement_unit"),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gte=0),
                name="kpi_measurement_denominator_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "day"], name="kpi_measurement_ind_day"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit_key} {self.day}"


class KpiValue(UnitFields):
    """An indicator's value for one unit over one period, rolled up exactly from the
    measurements (Σ numerators ÷ Σ denominators). Written by the period close, idempotently:
    one row per indicator × unit × period, replaced by each recomputation."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicator")
    )
    period_kind = models.CharField(_("period"), max_length=10, choices=PERIOD_CHOICES)
    period_start = models.DateField(_("period start"))
    numerator = models.DecimalField(_("numerator"), **_FIGURE)
    denominator = models.DecimalField(_("denominator"), null=True, blank=True, **_FIGURE)
    value = models.FloatField(_("value"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        verbose_name = _("KPI value")
        verbose_name_plural = _("KPI values")
        ordering = ["indicator", "period_kind", "period_start", "level", "unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "level", "unit_id", "period_kind", "period_start"],
                name="kpi_value_unique",
            ),
            models.CheckConstraint(condition=_unit_consistent(), name="kpi_value_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit_key} {self.period_kind} {self.period_start}"


class Band(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


class Target(UnitFields):
    """A target (目标) for one indicator, unit and period range. Green at or beyond the target,
    amber within `amber_within` of it (5 %: ≥ 95 % of a higher-is-better target), red beyond.
    A center target proposes its children's (`parent`); each level may tighten its own.

    Only a target meeting every SMART criterion, or with a written justification, may be
    active (kpi.services.target_activate)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        # "Active" alone is a person's status elsewhere (在职); a target in force is 生效.
        ACTIVE = "active", pgettext_lazy("kpi target", "Active")
        RETIRED = "retired", _("Retired")

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("indicator")
    )
    period_kind = models.CharField(_("period"), max_length=10, choices=PERIOD_CHOICES)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("until"))
    value = models.DecimalField(
        _("target"), max_digits=24, decimal_places=8, help_text=_("In the indicator's own units.")
    )
    amber_within = models.DecimalField(
        _("amber band"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.05"),
        help_text=_("Amber within this fraction of the target (0.05: 95 % of it)."),
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_(
            "For additive indicators: this unit's share when the parent's target is split."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent target"),
    )
    standard_code = models.CharField(
        _("standard"),
        max_length=40,
        blank=True,
        help_text=_("The code of the audits standard this target serves (what makes it relevant)."),
    )
    justification = models.TextField(
        _("justification"),
        blank=True,
        help_text=_("Why the target may be active although a SMART criterion is not met."),
    )
    proposed = models.BooleanField(
        _("proposed by the cascade"), default=False, help_text=_("Not yet set by its unit.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("KPI target")
        verbose_name_plural = _("KPI targets")
        ordering = ["indicator", "valid_from", "level", "unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "level", "unit_id", "period_kind", "valid_from"],
                condition=Q(status="active"),
                name="kpi_target_one_active",
                violation_error_message=_(
                    "This unit already has an active target for this indicator from this date."
                ),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="kpi_target_range"
            ),
            models.CheckConstraint(condition=_unit_consistent(), name="kpi_target_unit"),
            models.CheckConstraint(
                condition=Q(amber_within__gte=0) & Q(amber_within__lt=1),
                name="kpi_target_amber_fraction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit_key} {self.valid_from}–{self.valid_to}"

    def band_of(self, value) -> str | None:
        """green / amber / red for `value` against this target (None: no value)."""
        if value is None:
            return None
        value = Decimal(str(value))
        target = self.value
        if self.indicator.lower_is_better:
            if value <= target:
                return Band.GREEN
            if value <= target * (1 + self.amber_within):
                return Band.AMBER
            return Band.RED
        if value >= target:
            return Band.GREEN
        if value >= target * (1 - self.amber_within):
            return Band.AMBER
        return Band.RED


class Shortfall(UnitFields):
    """A shortfall (短板) found when a period closed: the unit missed its target, or its series
    shows a special cause. Locked: it keeps the figures it was found with. Data arriving later
    give a new revision (revision 2, 3…) beside it, never a change to it. Each is assigned to the
    unit's owner and linked to a corrective action of the audits app."""

    class Kind(models.TextChoices):
        TARGET_MISS = "target_miss", _("Target missed")
        SPECIAL_CAUSE = "special_cause", _("Special cause")

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="shortfalls", verbose_name=_("indicator")
    )
    period_kind = models.CharField(_("period"), max_length=10, choices=PERIOD_CHOICES)
    period_start = models.DateField(_("period start"))
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    numerator = models.DecimalField(_("numerator"), **_FIGURE)
    denominator = models.DecimalField(_("denominator"), null=True, blank=True, **_FIGURE)
    value = models.FloatField(_("value"), null=True, blank=True)
    target = models.ForeignKey(
        Target,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shortfalls",
        verbose_name=_("target"),
    )
    target_value = models.DecimalField(
        _("target"), max_digits=24, decimal_places=8, null=True, blank=True
    )
    band = models.CharField(_("band"), max_length=10, choices=Band.choices, blank=True)
    signal = models.CharField(
        _("signal"), max_length=200, blank=True, help_text=_("The control-chart rule that fired.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kpi_shortfalls",
        verbose_name=_("owner"),
    )
    action = models.ForeignKey(
        "actions.CorrectiveAction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corrective action"),
    )
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        verbose_name = _("shortfall")
        verbose_name_plural = _("shortfalls")
        ordering = ["-period_start", "indicator", "level", "unit_id", "kind", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "indicator",
                    "level",
                    "unit_id",
                    "period_kind",
                    "period_start",
                    "kind",
                    "revision",
                ],
                name="kpi_shortfall_unique",
            ),
            models.CheckConstraint(condition=_unit_consistent(), name="kpi_shortfall_unit"),
            models.CheckConstraint(condition=Q(revision__gte=1), name="kpi_shortfall_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.unit_key} {self.period_kind} {self.period_start}"

    @property
    def is_revision(self) -> bool:
        return self.revision > 1


class IndicatorLink(models.Model):
    """A link between two indicators declared by a manager (大质量指标联动): `source` moving
    moves `target` `lag_days` later, in the direction of `sign`. The linkage page shows it
    beside the cross-correlation the data show."""

    source = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="links_out", verbose_name=_("driver")
    )
    target = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="links_in", verbose_name=_("driven")
    )
    lag_days = models.PositiveSmallIntegerField(_("lag (days)"), default=0)
    sign = models.SmallIntegerField(
        _("sign"), choices=[(1, _("Same direction")), (-1, _("Opposite direction"))], default=1
    )
    note = models.TextField(_("note"), blank=True)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
        help_text=_("Empty: the whole center."),
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declared by"),
    )
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    scope_paths = {"department": "department", "team": None, "agent": None}

    class Meta:
        verbose_name = _("indicator link")
        verbose_name_plural = _("indicator links")
        ordering = ["source", "target"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="kpi_link_two_indicators"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.code} → {self.target.code}"


class AppraisalWeight(models.Model):
    """One indicator's weight in an appraisal (部门绩效考核, the agent's or team lead's
    scorecard). A scheme's weights sum to 100 (checked by kpi.analytics when the composite is
    computed, and by the form that edits them)."""

    class Scheme(models.TextChoices):
        DEPARTMENT = "department", _("Department appraisal")
        TEAM_LEAD = "teamlead", _("Team lead scorecard")
        AGENT = "agent", _("Agent scorecard")

    scheme = models.CharField(_("scheme"), max_length=12, choices=Scheme.choices)
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="weights", verbose_name=_("indicator")
    )
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    department = models.ForeignKey(
        "org.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
        help_text=_("Empty: the center's scheme, for every department without its own."),
    )

    class Meta:
        verbose_name = _("appraisal weight")
        verbose_name_plural = _("appraisal weights")
        ordering = ["scheme", "department", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "department", "indicator"],
                condition=Q(department__isnull=False),
                name="kpi_weight_unique",
            ),
            models.UniqueConstraint(
                fields=["scheme", "indicator"],
                condition=Q(department__isnull=True),
                name="kpi_weight_unique_center",
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0) & Q(weight__lte=100), name="kpi_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.indicator.code} {self.weight}"
