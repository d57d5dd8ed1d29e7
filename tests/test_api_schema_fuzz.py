"""The API schema tells the truth: schemathesis sends every operation of /api/schema/
generated requests (valid ones and deliberately malformed ones) and checks that no answer is
a server error and that every answer is documented — its status code, content type and body.

Bounded so the whole module stays within a few minutes on SQLite: a handful of examples per
operation, no deadline (the first request of a test pays Django's warm-up)."""

from __future__ import annotations

import base64
import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import (
    REVIEW_SCORECARD,
    active_hotline,
    build_world,
    call_dict,
    jsonl,
    make_call,
    make_evaluation,
    make_scorecard,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _load_schema():
    # The schema as /api/schema/ serves it, rendered without a request (no database needed
    # at collection); the requests go to the Django WSGI application in-process.
    document = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(document)))
    loaded.app = get_wsgi_application()
    return loaded


schema = _load_schema()

# What an agent may reach at all (the rest is the same 403 for every input, checked by the
# admin run's documentation of 403 and by tests/qa_center/test_role_matrix.py).
AGENT_PATHS = r"^/api/v1/(me|agents|evaluations|disputes|scorecards|calls)/"


def _basic(username: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:pw".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def keep_connection():
    """The WSGI app closes the database connection after each request (request_finished →
    close_old_connections), which on PostgreSQL ends the test's transaction under it: the
    connection is the test's, as with Django's test client, which disconnects the same."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(db, keep_connection):
    """An organization with a call, a rule library and a submitted evaluation, so that small
    ids in generated paths reach real rows, not only 404s."""
    from django.utils import timezone

    from qa_center.periods import week_start_of
    from scoring.calls.services.imports import import_file
    from scoring.disputes.services import dispute_open
    from scoring.sampling.services import sampling_plan_save, sampling_run

    world = build_world()
    admin, supervisor = world.users["admin"], world.users["supervisor"]
    active_hotline()
    card = make_scorecard(REVIEW_SCORECARD)
    agent = world.agents["a1"][0]
    call = make_call(agent, score=80)
    make_call(world.agents["a1"][1], score=40, critical=True)
    evaluation = make_evaluation(call=call, card=card, evaluator=supervisor)
    answer = evaluation.answers.first()
    dispute_open(
        evaluation=evaluation,
        user=world.users["agent"],
        reason="不认可",
        items=[{"answer": answer.pk, "reason": "说了"}],
    )
    calls = [call_dict("IMP-1", agent.employee_no), {"call_id": "IMP-2"}]
    import_file(user=admin, filename="ok.jsonl", content=jsonl(calls[0]))
    import_file(user=admin, filename="bad.jsonl", content=jsonl(calls[1]))  # refused
    plan = sampling_plan_save(
        actor=admin,
        supervisors=[supervisor],
        name="抽检",
        scorecard=card,
        department=world.dep_a,
        calls_per_agent=1,
    )
    sampling_run(plan=plan, week_start=week_start_of(timezone.localdate()))
    return world


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_as_admin(case, api_world):
    case.call_and_validate(headers=_basic("admin"), checks=CHECKS)


@schema.include(path_regex=AGENT_PATHS).parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_as_agent(case, api_world):
    case.call_and_validate(headers=_basic("agent"), checks=CHECKS)
