from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "audits.standards"
    label = "standards"
    verbose_name = _("Standards")

    def ready(self) -> None:
        # The rule library page (scoring.rules, below this app) shows which standards in
        # force enforce each rule, through its hook.
        from scoring.rules.hooks import register_enforcers

        register_enforcers(_enforcers)


def _enforcers(codes):
    from django.urls import reverse

    from audits.standards.selectors import standards_enforcing
    from scoring.rules.hooks import Enforcer

    return {
        code: [
            Enforcer(label=f"{s.code} {s.title}", url=reverse("standards:detail", args=[s.pk]))
            for s in standards
        ]
        for code, standards in standards_enforcing(codes).items()
    }
