from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LayersConfig(AppConfig):
    name = "audits.layers"
    label = "layers"
    verbose_name = _("Quality structure")
