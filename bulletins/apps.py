from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "bulletins"
    verbose_name = _("Bulletins")

    def ready(self) -> None:
        from audits.actions.sources import register_source

        register_source("improvement_target", _bulletin_of)


def _bulletin_of(action):
    """The weekly bulletin whose shortfall the improvement target (and its action) was set on."""
    from django.urls import reverse

    from audits.actions.sources import SourceLink
    from bulletins.models import Bulletin

    target = getattr(action, "improvement_target", None)
    bulletin = (
        Bulletin.objects.filter(pk=target.source_bulletin_id).first()
        if target is not None and target.source_bulletin_id
        else None
    )
    if bulletin is None:
        return None
    return SourceLink(bulletin.title, reverse("bulletins:detail", args=[bulletin.pk]))
