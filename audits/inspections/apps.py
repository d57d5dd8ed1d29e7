from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "audits.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from audits.actions.sources import register_source

        register_source("nonconformity", _checklist_item_of)


def _checklist_item_of(action):
    """The self-inspection item whose nonconformity opened `action`."""
    from django.urls import reverse

    from audits.actions.sources import SourceLink
    from audits.inspections.models import ChecklistItem

    item = ChecklistItem.objects.filter(action=action).select_related("inspection").first()
    if item is None:
        return None
    return SourceLink(
        f"{item.inspection.title} · {item.position}. {item.text}",
        reverse("inspections:self_detail", args=[item.inspection_id]),
    )
