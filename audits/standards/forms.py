"""Forms of the standards pages. They only read and check the input; the services write."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audits.standards.models import Kind
from org.models import Department, Team, User, WorkingGroup
from qa_center.filters import validate_text


def parse_steps(text: str) -> list[dict]:
    """One step per line: `title | document; document`. Blank lines are skipped."""
    steps = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        title, _sep, documents = line.partition("|")
        title = title.strip()
        if not title:
            raise ValidationError(
                gettext("Line %(line)s: a step needs a title before the |.") % {"line": number}
            )
        if len(title) > 200:
            raise ValidationError(
                gettext("Line %(line)s: the step's title is longer than 200 characters.")
                % {"line": number}
            )
        docs = [d.strip() for d in documents.replace("；", ";").split(";") if d.strip()]
        steps.append({"title": title, "required_documents": docs})
    return steps


def steps_text(steps) -> str:
    return "\n".join(
        f"{s.title} | {'; '.join(s.required_documents)}" if s.required_documents else s.title
        for s in steps
    )


def parse_codes(text: str) -> list[str]:
    return [
        c.strip()
        for c in (text or "").replace("，", ",").replace("\n", ",").split(",")
        if c.strip()
    ]


class ContentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, validators=[validate_text])
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    question = forms.CharField(
        label=_("Business question"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Answer specifications: the customer's question."),
    )
    answer = forms.CharField(
        label=_("Answer to give"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Answer specifications: what the agent answers."),
    )
    steps = forms.CharField(
        label=_("Steps"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Processes: one step per line, as “title | document; document”."),
    )
    rule_codes = forms.CharField(
        label=_("Compliance rules enforced"),
        required=False,
        max_length=1000,
        help_text=_("Codes of the active rule library, separated by commas."),
    )
    change_note = forms.CharField(
        label=_("Why this version"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_steps(self) -> list[dict]:
        return parse_steps(self.cleaned_data.get("steps", ""))

    def clean_rule_codes(self) -> list[str]:
        return parse_codes(self.cleaned_data.get("rule_codes", ""))

    def clean(self):
        data = super().clean()
        for name in ("body", "question", "answer", "change_note"):
            if data.get(name):
                try:
                    validate_text(data[name])
                except ValidationError as exc:
                    self.add_error(name, exc)
        return data


class PeopleForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Owner (专人负责)"), queryset=User.objects.none(), required=False
    )
    monitor = forms.ModelChoiceField(
        label=_("Monitor (专人监控)"), queryset=User.objects.none(), required=False
    )
    working_group = forms.ModelChoiceField(
        label=_("Working group"), queryset=WorkingGroup.objects.all(), required=False
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = people if people is not None else User.objects.none()
        self.fields["owner"].queryset = people
        self.fields["monitor"].queryset = people
        self.fields["owner"].label_from_instance = lambda u: u.display_name
        self.fields["monitor"].label_from_instance = lambda u: u.display_name


class StandardCreateForm(ContentForm, PeopleForm):
    code = forms.CharField(label=_("Code"), max_length=40, validators=[validate_text])
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())

    field_order = ["code", "kind", "department", "title", "owner", "monitor", "working_group"]

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments or Department.objects.none()


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[validate_text],
    )


class RolloutForm(forms.Form):
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=Team.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    due_on = forms.DateField(
        label=_("Read by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = teams if teams is not None else Team.objects.none()


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
