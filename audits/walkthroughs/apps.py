from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalkthroughsConfig(AppConfig):
    name = "audits.walkthroughs"
    label = "walkthroughs"
    verbose_name = _("Walk-throughs")
