"""The hotline's organization: center → department → team → agent, and the people who log in."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from org.names import pinyin_initials, pinyin_sort_key


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    TEAM_LEAD = "teamlead", _("Team lead")
    SUPERVISOR = "supervisor", _("Supervisor")
    MANAGER = "manager", _("Manager")
    AUDITOR = "auditor", _("Auditor")
    ADMIN = "admin", _("Administrator")


class Center(models.Model):
    """The hotline call center (中心): the top of the organization. There is exactly one.

    Everything above a department belongs to it without naming it: a user with no department
    sees "the whole center" (permissions.user_scope), a center bulletin or target has neither
    department nor team, and the weekly bulletins are "the center's". A second center would
    silently join the first one's scope, so the database refuses it (`one_center`)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("center")
        verbose_name_plural = _("centers")
        ordering = ["code"]
        constraints = [
            # A unique index on a constant: the second row would repeat it.
            models.UniqueConstraint(
                models.Value(True),
                name="one_center",
                violation_error_message=_("There is already a center: QA Center serves one."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A department (部门) of a center."""

    center = models.ForeignKey(
        Center, on_delete=models.PROTECT, related_name="departments", verbose_name=_("center")
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=30, unique=True)

    scope_paths = {"department": "pk", "team": None, "agent": None}

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["center", "name"], name="department_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A team (班组) of agents under one team lead."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="teams", verbose_name=_("department")
    )
    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=30, unique=True)

    scope_paths = {"department": "department", "team": "pk", "agent": None}

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="team_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """An agent (话务员) who takes calls. `team` is the current team; history is in
    TeamMembership, and every call records the team the agent was in at the time."""

    employee_no = models.CharField(_("employee number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    # Derived from `name` on save: Chinese names sort by pinyin and are found by initials
    # ("zw" finds 张伟), which neither SQLite nor PostgreSQL's default collation does.
    name_sort = models.CharField(max_length=200, editable=False, db_index=True)
    name_initials = models.CharField(max_length=50, editable=False, db_index=True)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="agents", verbose_name=_("team")
    )
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    scope_paths = {"department": "team__department", "team": "team", "agent": "pk"}

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        ordering = ["name_sort", "employee_no"]

    def __str__(self) -> str:
        return f"{self.name}（{self.employee_no}）"

    def save(self, *args, **kwargs) -> None:
        self.name_sort = pinyin_sort_key(self.name)
        self.name_initials = pinyin_initials(self.name)
        if kwargs.get("update_fields") and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_sort", "name_initials"}
        super().save(*args, **kwargs)


class TeamMembership(models.Model):
    """An agent's time in a team. Exactly one membership per agent is open (no end date)."""

    agent = models.ForeignKey(
        Agent, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("agent")
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("team")
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    scope_paths = {"department": "team__department", "team": "team", "agent": "agent"}

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        ordering = ["agent", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent"], condition=Q(ended_on__isnull=True), name="one_open_membership"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} @ {self.team} {self.started_on}–{self.ended_on or ''}"


class User(AbstractUser):
    """A person who logs in. The role says what they do; department/team say where.

    Scope by role: an agent sees their own work (via `agent`); a team lead their team; a
    supervisor, manager or auditor their department, or the whole center when no department
    is set; an administrator everything.
    """

    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    employee_no = models.CharField(
        _("employee number"), max_length=20, unique=True, null=True, blank=True
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("department"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("team"),
    )
    agent = models.OneToOneField(
        Agent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("agent"),
    )
    # Denormalised from the membership of the complaint-dispute review group
    # (WorkingGroup.DISPUTE_REVIEW), so the core's permission check needs no query and no app
    # import; only org.services.working_group_member_add/remove write it.
    is_reviewer = models.BooleanField(
        _("member of the dispute review group"),
        default=False,
        editable=False,
        help_text=_("客户代表投诉歧义评审小组: rules on agents' disputes."),
    )
    # Denormalised the same way from the membership of the 制度流程建设项目组
    # (WorkingGroup.PROCESS_AUDIT), whose members run the process walk-throughs.
    is_process_auditor = models.BooleanField(
        _("member of the 制度流程建设项目组"),
        default=False,
        editable=False,
        help_text=_("制度流程建设项目组: audits the processes on the spot (walk-throughs)."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="agent") | Q(agent__isnull=False), name="agent_user_has_agent"
            ),
            models.CheckConstraint(
                condition=~Q(role="teamlead") | Q(team__isnull=False), name="teamlead_has_team"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        if self.role == Role.AGENT and not self.agent_id:
            raise ValidationError({"agent": _("An agent's account must be linked to an agent.")})
        if self.role == Role.TEAM_LEAD and not self.team_id:
            raise ValidationError({"team": _("A team lead's account needs a team.")})
        if self.team_id and self.department_id and self.team.department_id != self.department_id:
            raise ValidationError({"team": _("The team is not in the chosen department.")})


class WorkingGroup(models.Model):
    """A working group (工作组) that carries part of the quality structure: its members (one of
    them the lead), what it is responsible for, and the standards it carries
    (`standards.Standard.working_group`). The seven groups of the hotline are created by
    migration 0003 and found by `code`.

    The complaint-dispute review group (客户代表投诉歧义评审小组, code `dispute_review`) rules on
    agents' disputes: its members are the dispute reviewers. `User.is_reviewer` is the
    denormalised flag the permission module reads; only the membership services
    (org.services.working_group_member_add/remove) set it. The process-and-system building
    project group (制度流程建设项目组, code `process_audit`, migration 0005) runs the process
    walk-throughs: `User.is_process_auditor`, kept the same way."""

    DISPUTE_REVIEW = "dispute_review"
    # 制度流程建设项目组: its members run the walk-throughs (qa_center.permissions).
    PROCESS_AUDIT = "process_audit"

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    responsibilities = models.TextField(_("responsibilities"), blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="working_groups",
        verbose_name=_("department"),
        help_text=_("Empty: a group of the whole center."),
    )
    members = models.ManyToManyField(
        "User",
        through="WorkingGroupMembership",
        related_name="working_groups",
        verbose_name=_("members"),
    )

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_dispute_review(self) -> bool:
        return self.code == self.DISPUTE_REVIEW


class WorkingGroupMembership(models.Model):
    """A person's seat in a working group; at most one member of a group is its lead."""

    group = models.ForeignKey(
        WorkingGroup,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("working group"),
    )
    user = models.ForeignKey(
        "User",
        on_delete=models.CASCADE,
        related_name="working_group_memberships",
        verbose_name=_("user"),
    )
    is_lead = models.BooleanField(_("lead"), default=False)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    class Meta:
        verbose_name = _("working group membership")
        verbose_name_plural = _("working group memberships")
        ordering = ["group", "-is_lead", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="one_seat_per_group"),
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(is_lead=True),
                name="one_lead_per_group",
                violation_error_message=_("This working group already has a lead."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.group}"
