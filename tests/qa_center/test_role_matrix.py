"""Every page, every role: the answer each role gets, written out.

PAGES is the table. Each row names a page (its URL name), the row it opens (from `rows`,
below: all of team 一班, the agent's own team, unless the name says otherwise), how it is asked
(GET, or POST for an action) and the capability the page needs; then the expected answer for
anonymous, agent, teamlead, supervisor, manager, auditor, admin:

- 200: the page; 302: a redirect (anonymous: to the login page, checked);
- 403: the role lacks the capability (permissions.CAPABILITIES);
- 404: the role has the capability but the row is outside its scope (or the object rule, a
  permissions.may_* function, says no and the page hides the row);
- GO, for an action (POST): the role passes the gate (neither 403, 404 nor 405); what the
  action then does with an empty form is its app's tests' business.

The table is derived from CAPABILITIES by hand, not by running the code:
`test_the_table_follows_the_capabilities` checks each 403 against them, and
`test_every_page_is_in_the_table` that no page of the tree is missing.

The users (tests.conftest world): the agent 张伟 and the team lead are in 一班 (department 客服一部),
the supervisor (a dispute reviewer) in 客服一部, the manager and the auditor have no department
(the whole center), the administrator everything.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from qa_center.permissions import CAPABILITIES, has_capability

pytestmark = pytest.mark.django_db

ROLES = ["agent", "teamlead", "supervisor", "manager", "auditor", "admin"]
COLUMNS = ["anonymous", *ROLES]
GO = "go"
LOGIN = "login"  # anonymous: 302 to the login page
HX = {"HTTP_HX_REQUEST": "true"}  # the partials that answer only htmx

# fmt: off
PAGES: list[tuple[str, str | None, str, tuple[str, ...] | None, tuple]] = [
    # url name, row, method, capability (any of; None: logged in), answers:
    #                                                      anon  agent tl   sup  mgr  aud  admin
    ("home", None, "get", None,                            (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("health", None, "get", (),                            (200,   200, 200, 200, 200, 200, 200)),
    ("notifications", None, "get", None,                   (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("login", None, "get", (),                             (200,   302, 302, 302, 302, 302, 302)),
    ("logout", None, "post", (),                           (302,   302, 302, 302, 302, 302, 302)),
    ("password_change", None, "get", None,                 (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("password_change_done", None, "get", None,            (LOGIN, 200, 200, 200, 200, 200, 200)),
    # org
    ("org:overview", None, "get", ("view_org",),           (LOGIN, 403, 200, 200, 200, 200, 200)),
    ("org:agent_list", None, "get", ("view_org",),         (LOGIN, 403, 200, 200, 200, 200, 200)),
    ("org:team_detail", "team", "get", ("view_org",),      (LOGIN, 403, 200, 200, 200, 200, 200)),
    ("org:team_detail", "team_b1", "get", ("view_org",),   (LOGIN, 403, 404, 404, 200, 200, 200)),
    ("org:agent_detail", "agent", "get", None,             (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("org:agent_detail", "agent_b1", "get", None,          (LOGIN, 404, 404, 404, 200, 200, 200)),
    ("org:agent_move", "agent", "post", ("manage_org",),   (LOGIN, 403, 403, 403, 403, 403, GO)),
    # calls
    ("calls:call_list", None, "get", ("view_results",),    (LOGIN, 403, 200, 200, 200, 200, 200)),
    ("calls:call_export", "csv", "get", ("view_results",), (LOGIN, 403, 200, 200, 200, 200, 200)),
    ("calls:call_detail", "call", "get", ("view_results", "own_results"),
                                                           (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("calls:call_detail", "call_b1", "get", ("view_results", "own_results"),
                                                           (LOGIN, 404, 404, 404, 200, 200, 200)),
    ("calls:import_list", None, "get", ("import",),        (LOGIN, 403, 403, 200, 403, 403, 200)),
    ("calls:import", None, "get", ("import",),             (LOGIN, 403, 403, 200, 403, 403, 200)),
    ("calls:import_template", "csv", "get", ("import",),   (LOGIN, 403, 403, 200, 403, 403, 200)),
    ("calls:import_detail", "job", "get", ("import",),     (LOGIN, 403, 403, 200, 403, 403, 200)),
    ("calls:import_progress", "job", "hx", ("import",),    (LOGIN, 403, 403, 200, 403, 403, 200)),
    ("calls:library_activate", "library", "post", ("manage_rules",),
                                                           (LOGIN, 403, 403, 403, 403, 403, GO)),
    ("calls:library_rescore", "library", "hx", ("manage_rules",),
                                                           (LOGIN, 403, 403, 403, 403, 403, 200)),
    ("calls:critical_review", "call", "post", ("score_calls",),
                                                           (LOGIN, 403, 403, GO, 403, 403, GO)),
    # evaluations
    ("evaluations:evaluate_call", "call", "post", ("score_calls",),
                                                           (LOGIN, 403, 403, GO, 403, 403, GO)),
    ("evaluations:evaluation_list", None, "get", ("view_results",),
                                                           (LOGIN, 403, 200, 200, 200, 200, 200)),
    ("evaluations:evaluation_edit", "evaluation", "get", ("score_calls", "view_results"),
                                                           (LOGIN, 403, 200, 200, 200, 200, 200)),
    ("evaluations:evaluation_edit", "evaluation_b1", "get", ("score_calls", "view_results"),
                                                           (LOGIN, 403, 404, 404, 200, 200, 200)),
    ("evaluations:evaluation_acknowledge", "evaluation", "post", ("own_results",),
                                                           (LOGIN, GO, 403, 403, 403, 403, 403)),
    ("evaluations:my_evaluations", None, "get", ("own_results",),
                                                           (LOGIN, 200, 403, 403, 403, 403, 403)),
    ("evaluations:scorecard_list", None, "get", ("view_results",),
                                                           (LOGIN, 403, 200, 200, 200, 200, 200)),
    ("evaluations:scorecard_detail", "scorecard", "get", ("view_results",),
                                                           (LOGIN, 403, 200, 200, 200, 200, 200)),
    ("evaluations:scorecard_edit", "scorecard", "get", ("manage_rules",),  # published: back
                                                           (LOGIN, 403, 403, 403, 403, 403, 302)),
    ("evaluations:scorecard_publish", "scorecard", "post", ("manage_rules",),
                                                           (LOGIN, 403, 403, 403, 403, 403, GO)),
    ("evaluations:scorecard_new_version", "scorecard", "post", ("manage_rules",),
                                                           (LOGIN, 403, 403, 403, 403, 403, GO)),
    # rules
    ("rules:library_list", None, "get", ("manage_rules",), (LOGIN, 403, 403, 403, 403, 403, 200)),
    ("rules:library_import", None, "get", ("manage_rules",),
                                                           (LOGIN, 403, 403, 403, 403, 403, 200)),
    ("rules:library_detail", "library", "get", ("manage_rules",),
                                                           (LOGIN, 403, 403, 403, 403, 403, 200)),
    ("rules:library_edit", "library", "get", ("manage_rules",),
                                                           (LOGIN, 403, 403, 403, 403, 403, 200)),
    ("rules:library_try", "library", "post", ("manage_rules",),
                                                           (LOGIN, 403, 403, 403, 403, 403, GO)),
    ("rules:library_export", "library", "get", ("manage_rules",),
                                                           (LOGIN, 403, 403, 403, 403, 403, 200)),
    ("rules:rule_detail", "library_rule", "get", ("manage_rules", "score_calls"),
                                                           (LOGIN, 403, 403, 200, 403, 403, 200)),
    ("evaluations:trial_create", "library", "post", ("manage_rules",),
                                                           (LOGIN, 403, 403, 403, 403, 403, GO)),
    ("evaluations:trial_detail", "trial", "get", ("manage_rules",),
                                                           (LOGIN, 403, 403, 403, 403, 403, 200)),
    ("evaluations:trial_progress", "trial", "hx", ("manage_rules",),
                                                           (LOGIN, 403, 403, 403, 403, 403, 200)),
    # sampling (may_manage_sampling_plan / may_create_sampling_plan: the supervisor of 客服一部)
    ("sampling:queue", None, "get", ("score_calls", "assign_calls"),
                                                           (LOGIN, 403, 200, 200, 403, 403, 200)),
    ("sampling:queue_reassign", None, "post", ("assign_calls",),
                                                           (LOGIN, 403, GO, GO, 403, 403, GO)),
    ("sampling:sampling_list", None, "get", ("score_calls",),
                                                           (LOGIN, 403, 403, 200, 403, 403, 200)),
    ("sampling:sampling_create", None, "get", ("score_calls",),
                                                           (LOGIN, 403, 403, 200, 403, 403, 200)),
    ("sampling:sampling_progress", "plan", "get", ("score_calls",),
                                                           (LOGIN, 403, 403, 200, 403, 403, 200)),
    ("sampling:sampling_progress", "plan_b", "get", ("score_calls",),
                                                           (LOGIN, 403, 403, 404, 403, 403, 200)),
    ("sampling:sampling_edit", "plan", "get", ("score_calls",),
                                                           (LOGIN, 403, 403, 200, 403, 403, 200)),
    ("sampling:sampling_run", "plan", "post", ("score_calls",),
                                                           (LOGIN, 403, 403, GO, 403, 403, GO)),
    # disputes (the list and a dispute: anyone who sees results or their own; deciding: the
    # review group, in which the supervisor is)
    ("disputes:dispute_list", None, "get", ("review_disputes", "own_results", "view_results"),
                                                           (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("disputes:dispute_detail", "dispute", "get",
     ("review_disputes", "own_results", "view_results"),   (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("disputes:dispute_withdraw", "dispute", "post", ("own_results",),
                                                           (LOGIN, GO, 403, 403, 403, 403, 403)),
    ("disputes:dispute_create", "evaluation", "get", ("own_results",),
                                                           (LOGIN, 200, 403, 403, 403, 403, 403)),
    # calibration (the supervisor owns the session; the admin takes part)
    ("calibration:calibration_list", None, "get", ("calibrate",),
                                                           (LOGIN, 403, 403, 200, 403, 403, 200)),
    ("calibration:calibration_create", None, "get", ("calibrate",),
                                                           (LOGIN, 403, 403, 200, 403, 403, 200)),
    ("calibration:calibration_detail", "session", "get", ("calibrate",),
                                                           (LOGIN, 403, 403, 200, 403, 403, 200)),
    ("calibration:calibration_score", "session", "post", ("calibrate",),
                                                           (LOGIN, 403, 403, GO, 403, 403, GO)),
    ("calibration:calibration_close", "session", "post", ("calibrate",),
                                                           (LOGIN, 403, 403, GO, 403, 403, GO)),
    ("calibration:calibration_reference", "session", "post", ("calibrate",),
                                                           (LOGIN, 403, 403, GO, 403, 403, GO)),
    # bulletins (一班's weekly bulletin)
    ("bulletins:list", None, "get", ("read_bulletins",),   (LOGIN, 403, 200, 403, 200, 403, 200)),
    ("bulletins:compare", "bulletin_pair", "get", ("read_bulletins",),
                                                           (LOGIN, 403, 200, 403, 200, 403, 200)),
    ("bulletins:detail", "bulletin", "get", ("read_bulletins",),
                                                           (LOGIN, 403, 200, 403, 200, 403, 200)),
    ("bulletins:detail", "bulletin_b1", "get", ("read_bulletins",),
                                                           (LOGIN, 403, 404, 403, 200, 403, 200)),
    ("bulletins:excel", "bulletin", "get", ("read_bulletins",),
                                                           (LOGIN, 403, 200, 403, 200, 403, 200)),
    ("bulletins:pdf", "bulletin", "get", ("read_bulletins",),
                                                           (LOGIN, 403, 200, 403, 200, 403, 200)),
    ("bulletins:target_create", "bulletin", "get", ("follow_up",),
                                                           (LOGIN, 403, 200, 403, 403, 403, 200)),
    ("bulletins:decisions", "bulletin", "post", ("issue_bulletins",),
                                                           (LOGIN, 403, 403, 403, GO, 403, GO)),
    ("bulletins:correct", "bulletin", "post", ("issue_bulletins",),
                                                           (LOGIN, 403, 403, 403, GO, 403, GO)),
    # corrective actions (一班's action owned by the supervisor; 三班's owned by B's manager)
    ("actions:list", None, "get", None,                    (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("actions:create", None, "get", ("audit", "issue_bulletins", "follow_up"),
                                                           (LOGIN, 403, 200, 403, 200, 200, 200)),
    ("actions:detail", "action", "get", None,              (LOGIN, 404, 200, 200, 200, 200, 200)),
    ("actions:detail", "action_b1", "get", None,           (LOGIN, 404, 404, 404, 200, 200, 200)),
    ("actions:step", "action_step", "post", None,          (LOGIN, 404, GO, GO, GO, GO, GO)),
    ("actions:step", "action_b1_step", "post", None,       (LOGIN, 404, 404, 404, GO, GO, GO)),
    # inspections (auditors and managers of their scope: here the center's)
    ("inspections:overview", None, "get", ("audit", "issue_bulletins"),
                                                           (LOGIN, 403, 403, 403, 200, 200, 200)),
    ("inspections:self_create", None, "get", ("audit", "issue_bulletins"),
                                                           (LOGIN, 403, 403, 403, 200, 200, 200)),
    ("inspections:self_detail", "self_inspection", "get", ("audit", "issue_bulletins"),
                                                           (LOGIN, 403, 403, 403, 200, 200, 200)),
    ("inspections:item_record", "checklist_item", "post", ("audit", "issue_bulletins"),
                                                           (LOGIN, 403, 403, 403, GO, GO, GO)),
    ("inspections:self_complete", "self_inspection", "post", ("audit", "issue_bulletins"),
                                                           (LOGIN, 403, 403, 403, GO, GO, GO)),
    ("inspections:third_party_import", None, "get", ("audit", "issue_bulletins"),
                                                           (LOGIN, 403, 403, 403, 200, 200, 200)),
    ("inspections:third_party_detail", "third_party", "get", ("audit", "issue_bulletins"),
                                                           (LOGIN, 403, 403, 403, 200, 200, 200)),
    # walk-throughs (客服一部's, of a process the supervisor owns; run by the center's auditor)
    ("walkthroughs:list", None, "get", None,               (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("walkthroughs:draw", None, "post", ("audit",),        (LOGIN, 403, 403, 403, 403, GO, GO)),
    ("walkthroughs:detail", "walkthrough", "get", None,    (LOGIN, 404, 404, 200, 200, 200, 200)),
    ("walkthroughs:start", "walkthrough", "post", None,    (LOGIN, 404, 404, 403, 403, GO, GO)),
    ("walkthroughs:upload", "walkthrough", "post", None,   (LOGIN, 404, 404, GO, 403, 403, 403)),
    ("walkthroughs:drill", "walkthrough", "post", None,    (LOGIN, 404, 404, 403, 403, GO, GO)),
    ("walkthroughs:finding", "walkthrough", "post", None,  (LOGIN, 404, 404, 403, 403, GO, GO)),
    ("walkthroughs:verdict", "walkthrough", "post", None,  (LOGIN, 404, 404, 403, 403, GO, GO)),
    ("walkthroughs:document", "walkthrough_document", "get", None,
                                                           (LOGIN, 404, 404, 200, 200, 200, 200)),
    ("layers:monthly_report", None, "get", ("audit", "issue_bulletins"),
                                                           (LOGIN, 403, 403, 403, 200, 200, 200)),
    # standards library (客服一部's published process, owned by the supervisor, rolled out to
    # 一班; 客服二部's; managed by the auditors and the administrator) and the quality structure
    ("standards:list", None, "get", None,                  (LOGIN, 403, 403, 200, 200, 200, 200)),
    ("standards:create", None, "get", ("manage_standards",),
                                                           (LOGIN, 403, 403, 403, 403, 200, 200)),
    ("standards:my_reading", None, "get", ("read_standards",),
                                                           (LOGIN, 200, 200, 403, 403, 403, 200)),
    ("standards:detail", "standard", "get", None,          (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("standards:detail", "standard_b", "get", None,        (LOGIN, 404, 404, 404, 200, 200, 200)),
    ("standards:edit", "standard", "get", None,            (LOGIN, 403, 403, 200, 403, 200, 200)),
    ("standards:read", "standard", "get", None,            (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("standards:read", "standard_b", "get", None,          (LOGIN, 404, 404, 404, 200, 200, 200)),
    ("standards:rollout", "standard", "post", None,        (LOGIN, 403, 403, 403, 403, GO, GO)),
    ("standards:action", "standard_revise", "post", None,  (LOGIN, 403, 403, 403, 403, GO, GO)),
    ("standards:remind", "rollout", "post", None,          (LOGIN, 403, GO, 403, 403, GO, GO)),
    ("standards:attachment", "attachment", "get", None,    (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("standards:attachment", "attachment_b", "get", None,  (LOGIN, 404, 404, 404, 200, 200, 200)),
    # abolition after approval (proposed by the center's auditor: never their own to decide;
    # the supervisor owns the standard, sees the proposal, may not approve)
    ("standards:abolitions", None, "get", None,            (LOGIN, 403, 403, 200, 200, 200, 200)),
    ("standards:abolition_decide", "abolition_reject", "post", None,
                                                           (LOGIN, 404, 404, 403, GO, 403, GO)),
    ("layers:overview", None, "get", ("standards",),       (LOGIN, 403, 403, 403, 200, 200, 200)),
    ("layers:my_standards", None, "get", None,             (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("layers:layer", "layer", "get", ("standards",),       (LOGIN, 403, 403, 403, 200, 200, 200)),
    ("layers:loop", "standard", "get", None,               (LOGIN, 403, 403, 200, 200, 200, 200)),
    ("layers:loop", "standard_b", "get", None,             (LOGIN, 403, 403, 404, 200, 200, 200)),
    # kpi (kpi-core's pages; the center's target set by those with kpi for the whole center)
    ("kpi:indicators", None, "get", ("view_results", "own_results"),
                                                           (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("kpi:indicator", "indicator", "get", ("view_results", "own_results"),
                                                           (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("kpi:targets", None, "get", ("view_results", "own_results"),
                                                           (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("kpi:target_set_center", None, "post", None,          (LOGIN, 403, 403, 403, GO, GO, GO)),
    ("kpi:target", "kpi_target", "get", None,              (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("kpi:target", "kpi_target_b1", "get", None,           (LOGIN, 404, 404, 404, 200, 200, 200)),
    ("kpi:target_activate", "kpi_target_a1", "post", None, (LOGIN, 403, GO, 403, GO, GO, GO)),
    ("kpi:target_cascade", "kpi_target_a1", "post", None,  (LOGIN, 403, GO, 403, GO, GO, GO)),
    ("kpi:target_tighten", "kpi_target_a1", "post", None,  (LOGIN, 403, GO, 403, GO, GO, GO)),
    ("kpi:measurements_import", None, "get", ("import", "kpi"),
                                                           (LOGIN, 403, 403, 200, 200, 200, 200)),
    ("kpi:shortfalls", None, "get", ("view_results", "own_results"),
                                                           (LOGIN, 200, 200, 200, 200, 200, 200)),
    # kpi (kpi-analytics' pages: each opens at the user's own node; an agent has only their
    # scorecard and tree node, no appraisal, linkage or cycle charts)
    ("kpi:tree", None, "get", ("view_results", "own_results"),
                                                           (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("kpi:tree_xlsx", None, "get", ("view_results", "own_results"),
                                                           (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("kpi:tree_pdf", None, "get", ("view_results", "own_results"),
                                                           (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("kpi:appraisal", None, "get", ("view_results",),      (LOGIN, 403, 200, 200, 200, 200, 200)),
    ("kpi:appraisal_xlsx", None, "get", ("view_results",), (LOGIN, 403, 200, 200, 200, 200, 200)),
    ("kpi:appraisal_pdf", None, "get", ("view_results",),  (LOGIN, 403, 200, 200, 200, 200, 200)),
    ("kpi:scorecard", None, "get", ("view_results", "own_results"),
                                                           (LOGIN, 200, 200, 200, 200, 200, 200)),
    ("kpi:linkage", None, "get", ("view_results",),        (LOGIN, 403, 200, 200, 200, 200, 200)),
    ("kpi:cycles", None, "get", ("view_results",),         (LOGIN, 403, 200, 200, 200, 200, 200)),
]
# fmt: on

# Pages outside the product's own: Django's admin, the API (tests/*/test_api.py) and its
# schema, and the language switch.
NOT_PAGES = ("admin:", "api:", "api-schema", "api-docs", "api-redoc", "set_language")


def _url_names(patterns, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(namespace + entry.name)
    return names


def test_every_page_is_in_the_table():
    pages = {name for name in _url_names(get_resolver().url_patterns)}
    pages = {name for name in pages if not name.startswith(NOT_PAGES)}
    assert pages - {row[0] for row in PAGES} == set()


def test_the_matrix_covers_every_role():
    assert set(CAPABILITIES) == set(ROLES)


def test_the_table_follows_the_capabilities(world):
    """A 403 exactly where the role lacks every capability the page accepts."""
    wrong = []
    for name, row, _method, capabilities, answers in PAGES:
        if not capabilities:
            continue
        for role, answer in zip(ROLES, answers[1:], strict=True):
            has = any(has_capability(world.users[role], cap) for cap in capabilities)
            if (answer == 403) == has:
                wrong.append((name, row, role, answer))
    assert wrong == []


@pytest.fixture
def rows(world, settings, tmp_path) -> dict[str, object]:
    """One of each row a page opens, in 一班 (team a1) unless the key says b1 / plan_b."""
    from bulletins.models import Bulletin
    from bulletins.services import bulletins_generate_week
    from scoring.calibration.models import CalibrationSession
    from scoring.calls.models import Call, ImportJob
    from scoring.disputes.models import Dispute
    from scoring.evaluations.models import (
        Evaluation,
        RuleTrial,
        Scorecard,
        ScorecardItem,
        ScorecardSection,
    )
    from scoring.rules.models import RuleLibrary
    from scoring.sampling.models import SamplingPlan

    supervisor, admin = world.users["supervisor"], world.users["admin"]
    now = timezone.now()
    turns = [{"speaker": "agent", "text": "您好，很高兴为您服务。", "start": 0.0, "end": 2.0}]

    def call(agent, n):
        return Call.objects.create(
            call_id=f"M{n}", agent=agent, team=agent.team, started_at=now, turns=turns
        )

    card = Scorecard.objects.create(name="矩阵", status=Scorecard.Status.PUBLISHED, pass_mark=80)
    section = ScorecardSection.objects.create(scorecard=card, title="服务用语", order=1)
    ScorecardItem.objects.create(
        scorecard=card, section=section, code="greet", title="开头语", kind="yes_no", weight=100
    )

    def evaluation(of):
        return Evaluation.objects.create(
            call=of,
            scorecard=card,
            evaluator=supervisor,
            status=Evaluation.Status.SUBMITTED,
            score=100,
            passed=True,
            submitted_at=now,
        )

    own, disputed, calibrated = (call(world.agents["a1"][0], n) for n in (1, 2, 3))
    other = call(world.agents["b1"][0], 4)
    disputed_evaluation = evaluation(disputed)
    disputed_evaluation.status = Evaluation.Status.DISPUTED
    disputed_evaluation.save()
    session = CalibrationSession.objects.create(
        title="校准", call=calibrated, scorecard=card, created_by=supervisor
    )
    session.participants.set([supervisor, admin])
    plans = {
        key: SamplingPlan.objects.create(name=key, scorecard=card, department=department)
        for key, department in (("plan", world.dep_a), ("plan_b", world.dep_b))
    }
    for plan in plans.values():
        plan.supervisors.set([supervisor])
    week = timezone.localdate() - datetime.timedelta(days=timezone.localdate().weekday() + 7)
    bulletins_generate_week(week_start=week, notify_readers=False)
    bulletin = Bulletin.objects.get(team=world.team_a1)
    library = RuleLibrary.objects.create(
        name="matrix",
        version=1,
        definition={
            "name": "matrix",
            "version": 1,
            "rules": [{"code": "GREET", "title": "问候", "kind": "required", "speaker": "agent",
                       "phrases": ["您好"]}],
        },
    )  # fmt: skip
    from audits.actions.services import action_create
    from audits.inspections.models import (
        ChecklistItem,
        SelfInspection,
        ThirdPartyEvaluation,
        ThirdPartyResult,
    )
    from audits.standards.models import Standard

    def action(team, owner):
        return action_create(
            by=None, title="复训", owner=owner, due_on=week, source="other", team=team
        )

    own_action = action(world.team_a1, supervisor)
    b1_action = action(world.team_b1, world.users["dept_manager"])
    standard = Standard.objects.create(
        code="M-1", kind="process", title="矩阵流程", department=world.dep_a
    )
    inspection = SelfInspection.objects.create(
        department=world.dep_a,
        period_start=week,
        title="自检",
        inspector=world.users["auditor"],
        due_on=week,
    )
    item = ChecklistItem.objects.create(
        inspection=inspection, position=1, standard=standard, text="M-1 矩阵流程"
    )
    third_party = ThirdPartyEvaluation.objects.create(
        evaluator="调研", method="survey", period_start=week, filename="t.csv", sha256="0" * 64,
        imported_by=admin,
    )  # fmt: skip
    ThirdPartyResult.objects.create(
        evaluation=third_party, line=2, department=world.dep_a, item="开场白", score=90
    )
    from django.core.files.base import ContentFile

    from audits.standards.models import StandardVersion
    from audits.walkthroughs.models import Walkthrough, WalkthroughDocument, WalkthroughStep

    settings.MEDIA_ROOT = str(tmp_path / "media")  # the walk-through document's file

    walked = Standard.objects.create(
        code="M-2", kind="process", title="矩阵穿越", department=world.dep_a, owner=supervisor,
        monitor=admin,
    )  # fmt: skip
    walked_version = StandardVersion.objects.create(
        standard=walked, number=1, title="矩阵穿越", status="published", created_by=admin
    )
    walkthrough = Walkthrough.objects.create(
        month=week.replace(day=1), department=world.dep_a, slot=1, standard=walked,
        version=walked_version, owner=supervisor,
    )  # fmt: skip
    walk_step = WalkthroughStep.objects.create(walkthrough=walkthrough, position=1, title="受理")
    walk_document = WalkthroughDocument(
        step=walk_step, name="m.pdf", content_type="application/pdf", size=5, sha256="1" * 64,
        uploaded_by=supervisor, uploaded_at=now,
    )  # fmt: skip
    walk_document.file.save("1" * 64, ContentFile(b"%PDF-"), save=False)
    walk_document.save()
    from kpi.models import Indicator, Target

    sl = Indicator.objects.create(
        code="sl", name_zh="接通率", name_en="Service level", definition_zh="定义",
        definition_en="Definition", measure="rate", source="external", unit="%", scale=100,
    )  # fmt: skip

    def kpi_target(level, team=None, status="active"):
        return Target.objects.create(
            indicator=sl, level=level, unit_id=team.pk if team else 0, team=team,
            department=team.department if team else None, period_kind="month", value="0.8",
            valid_from=week, valid_to=week + datetime.timedelta(days=60), status=status,
        )  # fmt: skip

    from audits.standards.services import attachment_add, rollout_create, version_publish
    from tests.factories.audits import make_standard

    def library_standard(department, code, owner):
        made = make_standard(
            department=department, code=code, owner=owner, monitor=world.users["auditor"],
            publish=False, by=admin,
        )  # fmt: skip
        draft = made.versions.get()
        attached = attachment_add(version=draft, by=admin, name="表.pdf", data=b"%PDF-1.4")
        version_publish(version=draft, by=admin)
        made.refresh_from_db()
        return made, attached

    library_a, attachment_a = library_standard(world.dep_a, "M-S1", supervisor)
    library_b, attachment_b = library_standard(world.dep_b, "M-S2", world.users["dept_manager"])
    (rollout,) = rollout_create(
        version=library_a.current_published, by=admin, teams=[world.team_a1]
    )

    from audits.standards.services import abolition_request

    abolition = abolition_request(standard=library_a, by=world.users["auditor"], reason="矩阵")

    return {
        "abolition_reject": (abolition.pk, "reject"),
        "standard": library_a,
        "standard_b": library_b,
        "standard_revise": (library_a.pk, "revise"),
        "rollout": rollout,
        "attachment": attachment_a,
        "attachment_b": attachment_b,
        "layer": "support",
        "indicator": "sl",
        "kpi_target": kpi_target("center"),
        "kpi_target_b1": kpi_target("team", world.team_b1),
        "kpi_target_a1": kpi_target("team", world.team_a1, status="draft"),
        "team": world.team_a1,
        "action": own_action,
        "action_b1": b1_action,
        "action_step": (own_action.pk, "follow-up"),
        "action_b1_step": (b1_action.pk, "follow-up"),
        "self_inspection": inspection,
        "checklist_item": (inspection.pk, item.pk),
        "third_party": third_party,
        "walkthrough": walkthrough,
        "walkthrough_document": walk_document,
        "team_b1": world.team_b1,
        "agent": world.agents["a1"][0],
        "agent_b1": world.agents["b1"][0],
        "csv": "csv",
        "call": own,
        "call_b1": other,
        "job": ImportJob.objects.create(created_by=supervisor, filename="m.jsonl", format="jsonl"),
        "library": library,
        "library_rule": (library.pk, "GREET"),
        "trial": RuleTrial.objects.create(
            library=library, date_from=week, date_to=week, created_by=admin
        ),
        "evaluation": evaluation(own),
        "evaluation_b1": evaluation(other),
        "scorecard": card,
        **plans,
        "dispute": Dispute.objects.create(
            evaluation=disputed_evaluation, raised_by=world.users["agent"], reason="不同意"
        ),
        "session": session,
        "bulletin": bulletin,
        "bulletin_b1": Bulletin.objects.get(team=world.team_b1),
        "bulletin_pair": {"a": bulletin.pk, "b": bulletin.pk},
    }


def _url(name: str, row: object) -> str:
    if row is None:
        return reverse(name)
    if isinstance(row, dict):  # a query, not a path argument
        return f"{reverse(name)}?{urlencode(row)}"
    if isinstance(row, tuple):  # several path arguments
        return reverse(name, args=list(row))
    return reverse(name, args=[row if isinstance(row, str) else row.pk])


def _ask(client, method: str, url: str):
    if method == "post":
        return client.post(url)
    return client.get(url, **(HX if method == "hx" else {}))


def _matches(expected, response) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and response.url.startswith(reverse("login"))
    if expected == GO:
        return response.status_code not in (403, 404, 405) and response.status_code < 500
    return response.status_code == expected


@pytest.mark.parametrize("column", COLUMNS)
def test_each_role_gets_the_answer_in_the_table(client, world, rows, column):
    user = None if column == "anonymous" else world.users[column]
    wrong = []
    for name, row, method, _capabilities, answers in PAGES:
        expected = answers[COLUMNS.index(column)]
        if user is not None:
            client.force_login(user)  # again: the logout row logs out
        response = _ask(client, method, _url(name, rows[row] if row else None))
        if not _matches(expected, response):
            wrong.append((name, row, expected, response.status_code))
    assert wrong == []


def test_an_agent_opens_their_own_page_but_not_a_colleagues(client, world):
    client.force_login(world.users["agent"])
    own, colleague = world.agents["a1"][0], world.agents["a1"][1]
    assert client.get(reverse("org:agent_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("org:agent_detail", args=[colleague.pk])).status_code == 404


def test_a_team_lead_cannot_see_another_teams_people(client, world):
    client.force_login(world.users["teamlead"])
    other = world.agents["b1"][0]
    assert client.get(reverse("org:agent_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("org:team_detail", args=[world.team_b1.pk])).status_code == 404
    listed = {a.name for a in client.get(reverse("org:agent_list")).context["page"]}
    assert listed == {"张伟", "王芳", "李娜"}
    api = client.get("/api/v1/agents/").json()
    assert {row["name"] for row in api["results"]} == {"张伟", "王芳", "李娜"}
    assert client.get(f"/api/v1/agents/{other.pk}/").status_code == 404


def test_a_department_manager_sees_only_their_department(client, world):
    client.force_login(world.users["dept_manager"])
    api = client.get("/api/v1/teams/").json()
    assert [row["code"] for row in api["results"]] == ["b1"]
    assert client.get(reverse("org:team_detail", args=[world.team_a1.pk])).status_code == 404


def test_an_agent_gets_only_themselves_from_the_api(client, world):
    client.force_login(world.users["agent"])
    api = client.get("/api/v1/agents/").json()
    assert [row["name"] for row in api["results"]] == ["张伟"]
    assert client.get("/api/v1/teams/").status_code == 403
    me = client.get("/api/v1/me/").json()
    assert me["role"] == "agent" and me["scope"]["level"] == "agent"


def test_only_admins_move_agents(client, world):
    agent = world.agents["a1"][0]
    url = reverse("org:agent_move", args=[agent.pk])
    data = {"team": world.team_a2.pk, "on": "2026-07-01"}
    client.force_login(world.users["manager"])
    assert client.post(url, data).status_code == 403
    client.force_login(world.users["admin"])
    assert client.post(url, data).status_code == 302
    agent.refresh_from_db()
    assert agent.team == world.team_a2


# --- Beyond the pages: every argument-free path, the API's included, answers below 500 for
# every role, and anonymous visitors open only the login page, health and the API docs.

SKIP_PREFIXES = ("admin/", "i18n/", "__debug__")


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _argument_free_paths() -> list[str]:
    paths = []
    for route, _entry in _walk(get_resolver().url_patterns):
        if "<" in route or "(?P" in route or route.startswith(SKIP_PREFIXES):
            continue
        route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\.", ".")
        if "(" in route or "[" in route:
            continue
        paths.append("/" + route)
    return sorted(set(paths))


@pytest.mark.parametrize("role", ROLES)
def test_no_page_or_endpoint_fails_for_any_role(client, world, role):
    client.force_login(world.users[role])
    failures = []
    for path in _argument_free_paths():
        if path == "/accounts/logout/":
            continue
        response = client.get(path)
        if response.status_code >= 500:
            failures.append((path, response.status_code))
    assert failures == []


def test_anonymous_visitors_reach_only_login_and_health(client, world):
    open_paths = []
    for path in _argument_free_paths():
        response = client.get(path)
        if response.status_code == 200:
            open_paths.append(path)
    allowed = {"/accounts/login/", "/health", "/api/schema/", "/api/docs/", "/api/redoc/"}
    assert set(open_paths) <= allowed, set(open_paths) - allowed
