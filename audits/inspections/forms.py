"""Forms of the inspection pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.actions.forms import IsoDateInput
from audits.inspections.models import ChecklistItem, ThirdPartyEvaluation
from qa_center.filters import validate_day


class SelfInspectionForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    inspector = forms.ModelChoiceField(label=_("Inspector"), queryset=None)
    period_start = forms.DateField(
        label=_("Period (first day)"), widget=IsoDateInput, validators=[validate_day]
    )
    due_on = forms.DateField(label=_("Due date"), widget=IsoDateInput, validators=[validate_day])

    def __init__(self, *args, departments, inspectors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["inspector"].queryset = inspectors


class ItemResultForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=ChecklistItem.Result.choices)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ThirdPartyImportForm(forms.Form):
    evaluator = forms.CharField(label=_("Evaluator"), max_length=100)
    method = forms.ChoiceField(label=_("Method"), choices=ThirdPartyEvaluation.Method.choices)
    month = forms.DateField(
        label=_("Month (any day of it)"), widget=IsoDateInput, validators=[validate_day]
    )
    file = forms.FileField(label=_("File (CSV or XLSX)"))
