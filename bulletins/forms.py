"""Forms: a measure and target for a shortfall, the decisions of a monthly notice."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.actions.forms import IsoDateInput
from audits.actions.models import ImprovementTarget


class TargetForm(forms.Form):
    metric = forms.ChoiceField(choices=ImprovementTarget.Metric.choices, widget=forms.HiddenInput)
    code = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    measure = forms.CharField(
        label=_("Corrective measure"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("What the team will do, e.g. coaching on the hold phrase at the daily huddle."),
    )
    target_value = forms.DecimalField(
        label=_("Target compliance (%)"), min_value=0, max_value=100, decimal_places=1
    )
    due_week = forms.DateField(
        label=_("Due by the week of"),
        # ISO yyyy-mm-dd in every language: the date box takes nothing else.
        widget=IsoDateInput,
        help_text=_("Any day of the week; the bulletin of that week decides."),
    )


class DecisionsForm(forms.Form):
    decisions = forms.CharField(
        label=_("Decisions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10000,
    )
