"""The agent's dispute form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DisputeForm(forms.Form):
    """The overall reason; the items and their reasons come as `item` / `reason_<answer id>`."""

    reason = forms.CharField(
        label=_("Why do you dispute this evaluation?"), widget=forms.Textarea, max_length=4000
    )
