from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalkthroughsConfig(AppConfig):
    name = "audits.walkthroughs"
    label = "walkthroughs"
    verbose_name = _("Walk-throughs")

    def ready(self) -> None:
        from audits.actions.sources import register_source

        register_source("finding", _finding_of)


def _finding_of(action):
    """The walk-through finding whose nonconformity opened `action`."""
    from django.urls import reverse

    from audits.actions.sources import SourceLink

    from .models import Finding

    finding = (
        Finding.objects.filter(action=action)
        .select_related("walkthrough__standard", "walkthrough__department")
        .first()
    )
    if finding is None:
        return None
    walkthrough = finding.walkthrough
    return SourceLink(
        f"{walkthrough.month:%Y-%m} {walkthrough.department.name} · "
        f"{walkthrough.standard.code} · {finding.get_grade_display()}",
        reverse("walkthroughs:detail", args=[walkthrough.pk]),
    )
