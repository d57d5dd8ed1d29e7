"""After a submission, the next call of the supervisor's queue (scoring.evaluations.hooks).

The queue page remembers its filters in the session; the next call is the first of the
queue as the supervisor last filtered and sorted it, opened straight away (its evaluation is
started, prefilled from the automatic check) with how many calls are left."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qa_center import filters
from qa_center.permissions import has_capability
from scoring.evaluations.hooks import AfterSubmit
from scoring.evaluations.models import Scorecard

SESSION_KEY = "sampling.queue_query"


def remember_queue_query(request, query: str) -> None:
    request.session[SESSION_KEY] = query


def _queue_url(query: str) -> str:
    url = reverse("sampling:queue")
    return f"{url}?{query}" if query else url


def _scorecard_for(assignment) -> Scorecard | None:
    published = Scorecard.objects.filter(status=Scorecard.Status.PUBLISHED)
    if assignment.plan_id:
        chosen = published.filter(pk=assignment.plan.scorecard_id).first()
        if chosen is not None:
            return chosen
    return published.order_by("name").first()


def next_in_queue(request, evaluation) -> AfterSubmit | None:
    """The next call of the queue, when the submitted evaluation's call was in it."""
    from scoring.evaluations.services.evaluations import evaluation_start
    from scoring.sampling.models import Assignment
    from scoring.sampling.selectors import QueueFilters, queue_rows
    from scoring.sampling.services import assignments_sync_done

    user = request.user
    if evaluation.is_calibration or not has_capability(user, "score_calls"):
        return None
    if not Assignment.objects.filter(supervisor=user, call_id=evaluation.call_id).exists():
        return None  # scored from elsewhere (the call list): not the queue's business
    assignments_sync_done(supervisor=user)
    query = request.session.get(SESSION_KEY, "")
    parsed = filters.parse_query(QueryDict(query), QueueFilters.spec())
    flt = QueueFilters.from_parsed(parsed)
    flt.who = "mine"
    rows = queue_rows(user, flt).exclude(call_id=evaluation.call_id)
    left = rows.count()
    submitted = _("Evaluation submitted. The agent has been notified.")
    if left == 0:
        if flt.narrowed:
            done = _("No call is left in your queue with these filters.")
        else:
            done = _("Your queue is empty. Well done.")
        return AfterSubmit(message=f"{submitted} {done}", url=_queue_url(query))
    following = rows.first()
    scorecard = _scorecard_for(following)
    if scorecard is None:
        return AfterSubmit(message=submitted, url=_queue_url(query))
    try:
        started = evaluation_start(call=following.call, scorecard=scorecard, evaluator=user)
    except ValidationError:
        return AfterSubmit(message=submitted, url=_queue_url(query))
    then = ngettext(
        "Next call of your queue: %(call)s (%(n)s call left, this one included).",
        "Next call of your queue: %(call)s (%(n)s calls left, this one included).",
        left,
    ) % {"call": following.call.call_id, "n": left}
    return AfterSubmit(
        message=f"{submitted} {then}",
        url=reverse("evaluations:evaluation_edit", args=[started.pk]),
    )
