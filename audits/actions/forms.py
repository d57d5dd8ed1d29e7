"""Forms of the corrective-action pages, and the date widget every date box uses."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.actions.models import CorrectiveAction
from org.models import Department, Team, User
from qa_center.filters import validate_day


class IsoDateInput(forms.DateInput):
    """<input type="date"> whose value is always ISO yyyy-mm-dd, whatever the language: the
    browser's date box accepts nothing else (a Chinese "2026/12/14" leaves it blank)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("Due date"), widget=IsoDateInput, validators=[validate_day])
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False
    )
    team = forms.ModelChoiceField(label=_("Team"), queryset=Team.objects.none(), required=False)
    source = forms.ChoiceField(
        label=_("Source"), choices=CorrectiveAction.Source.choices, initial="other"
    )

    def __init__(self, *args, owners, departments, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["department"].queryset = departments
        self.fields["team"].queryset = teams


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )


class VerifyForm(forms.Form):
    effective = forms.TypedChoiceField(
        label=_("Result of the check"),
        choices=[("yes", _("Effective: the problem is gone")), ("no", _("Not effective"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )
