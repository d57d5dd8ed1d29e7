from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from org.models import Team


class AgentMoveForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.select_related("department"), label=_("New team")
    )
    on = forms.DateField(
        label=_("From"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
