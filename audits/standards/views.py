"""Standards library pages: list and search, a standard's page, editing, the lifecycle, the
rollout with its coverage, agents' reading list, attachment downloads."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, *args, **kwargs) -> HttpResponse:  # pragma: no cover
    return HttpResponse(status=404)


standard_list = standard_create_view = my_reading = standard_detail = standard_edit = _todo
standard_read = standard_rollout = standard_action = rollout_remind_view = _todo
attachment_download = _todo
