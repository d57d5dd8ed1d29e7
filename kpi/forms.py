"""Forms of the KPI pages. Target values are typed in the indicator's display units (80 for
80 %) and stored in its own units (0.8)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.actions.forms import IsoDateInput
from kpi.models import Indicator
from qa_center.filters import validate_day


class TargetForm(forms.Form):
    indicator = forms.ModelChoiceField(
        label=_("Indicator"), queryset=Indicator.objects.filter(is_active=True).order_by("code")
    )
    valid_from = forms.DateField(label=_("From"), validators=[validate_day], widget=IsoDateInput)
    valid_to = forms.DateField(label=_("Until"), validators=[validate_day], widget=IsoDateInput)
    value = forms.DecimalField(
        label=_("Target (as shown, e.g. 80 for 80 %)"), max_digits=20, decimal_places=6
    )
    amber_percent = forms.DecimalField(
        label=_("Amber band (% of the target)"),
        min_value=0,
        max_value=99,
        initial=5,
        decimal_places=2,
    )
    standard_code = forms.CharField(label=_("Standard (code)"), required=False, max_length=40)
    justification = forms.CharField(
        label=_("Justification"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("valid_from")
            and data.get("valid_to")
            and data["valid_to"] < data["valid_from"]
        ):
            self.add_error("valid_to", _("The end comes before the start."))
        return data

    def stored_value(self) -> Decimal:
        indicator = self.cleaned_data["indicator"]
        return self.cleaned_data["value"] / indicator.scale

    def amber_within(self) -> Decimal:
        return self.cleaned_data["amber_percent"] / 100


class TightenForm(forms.Form):
    value = forms.DecimalField(label=_("Target"), max_digits=20, decimal_places=6)


class ActivateForm(forms.Form):
    justification = forms.CharField(
        label=_("Justification (needed when a SMART criterion is not met)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    proposals = forms.BooleanField(
        label=_("Activate the proposals below it too (those their units have not set)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args, with_proposals: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_proposals:
            del self.fields["proposals"]


class MeasurementImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
