"""Forms for calibration sessions: creating one and setting the reference score."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from org.models import Role, User
from scoring.calibration.models import CalibrationSession
from scoring.calls.models import Call
from scoring.evaluations.models import Scorecard


def supervisors_for(user: User):
    qs = User.objects.filter(role__in=[Role.SUPERVISOR, Role.ADMIN], is_active=True)
    if user.role != Role.ADMIN and user.department_id:
        qs = qs.filter(department_id=user.department_id)
    return qs.order_by("username")


class CalibrationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    call = forms.CharField(
        label=_("Call"),
        max_length=64,
        help_text=_("The call every participant will score: pick it in the list."),
        error_messages={"required": _("Pick the call to score in the list.")},
    )
    scorecard = forms.ModelChoiceField(
        queryset=Scorecard.objects.filter(status=Scorecard.Status.PUBLISHED),
        label=_("Scorecard"),
    )
    participants = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(), label=_("Participants"), widget=forms.CheckboxSelectMultiple
    )
    due_at = forms.DateTimeField(
        label=_("Due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, user: User, calls, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.calls = calls
        self.fields["participants"].queryset = supervisors_for(user)
        self.fields["participants"].label_from_instance = lambda u: u.display_name

    def clean_call(self) -> Call:
        call_id = self.cleaned_data["call"].strip()
        call = self.calls.filter(call_id=call_id).first()
        if call is None:
            raise forms.ValidationError(_("No call %(id)s in your scope.") % {"id": call_id})
        return call


class CalibrationReferenceForm(forms.Form):
    reference_score = forms.DecimalField(
        label=_("Reference score"),
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
    )
    reference_evaluator = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=_("Or: reference evaluator")
    )

    def __init__(self, *args, session: CalibrationSession, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reference_evaluator"].queryset = session.participants.all()
        self.fields["reference_evaluator"].label_from_instance = lambda u: u.display_name
