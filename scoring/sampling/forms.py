"""The sampling plan form, and the supervisors a user may assign."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from org.models import Department, Role, User
from scoring.evaluations.models import Scorecard
from scoring.sampling.models import SamplingPlan


def supervisors_for(user: User):
    qs = User.objects.filter(role__in=[Role.SUPERVISOR, Role.ADMIN], is_active=True)
    if user.role != Role.ADMIN and user.department_id:
        qs = qs.filter(department_id=user.department_id)
    return qs.order_by("username")


class SamplingPlanForm(forms.ModelForm):
    supervisors = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        label=_("Supervisors"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = SamplingPlan
        fields = [
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
        ]
        # The foreign keys have no verbose name; without these the labels stay English.
        labels = {"scorecard": _("Scorecard"), "department": _("Department")}

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scorecard"].queryset = Scorecard.objects.filter(
            status=Scorecard.Status.PUBLISHED
        )
        departments = Department.objects.all()
        if user.role != Role.ADMIN:
            departments = departments.filter(pk=user.department_id)
            self.fields["department"].required = True
            self.fields["department"].empty_label = None
        self.fields["department"].queryset = departments
        self.fields["supervisors"].queryset = supervisors_for(user)
        self.fields["supervisors"].label_from_instance = lambda u: u.display_name
        if self.instance.pk:
            self.initial.setdefault("supervisors", list(self.instance.supervisors.all()))
