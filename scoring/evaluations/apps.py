from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "scoring.evaluations"
    label = "evaluations"
    verbose_name = _("Evaluations")

    def ready(self) -> None:
        # The rule library pages (scoring.rules, below this app) show each rule's precision
        # measured from the supervisors' verdicts, the calls filed as examples on it, and the
        # trials of a draft on history, through their hooks.
        from scoring.rules.hooks import register_library_panel, register_rule_quality

        register_rule_quality(quality=_quality, examples=_examples)
        register_library_panel(_trials_panel)
        # The team page (org, below) shows the team's results.
        from org.team_panels import register_team_panel
        from scoring.evaluations.team_panel import results_panel

        register_team_panel(results_panel)


def _quality(codes, date_from, date_to):
    from scoring.evaluations.verdicts import rule_quality

    return rule_quality(date_from=date_from, date_to=date_to, codes=codes)


def _examples(code, user):
    from scoring.evaluations.verdicts import rule_examples

    return rule_examples(code=code, user=user)


def _trials_panel(request, library):
    from scoring.evaluations.views_trials import trials_panel

    return trials_panel(request, library)
