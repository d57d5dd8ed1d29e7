"""The three-layer quality structure: an overview, one page per layer (what it holds, who
owns it, what is overdue), and the closed loop of each standard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from audits.layers import selectors
from audits.standards.models import Standard
from qa_center.permissions import capability_required, has_capability, visible_standards


@capability_required("standards")
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "layers/overview.html", {"layers": selectors.all_layers(request.user)})


@capability_required("standards")
def layer_detail(request: HttpRequest, layer: str) -> HttpResponse:
    if layer not in selectors.LAYERS:
        raise Http404
    detail = selectors.BUILDERS[layer](request.user, details=True)
    return render(
        request,
        "layers/layer.html",
        {"layer": detail, "layers": [(k, selectors.layer_title(k)) for k in selectors.LAYERS]},
    )


@login_required
def standard_loop(request: HttpRequest, pk: int) -> HttpResponse:
    """The library's users, and a standard's owner and monitor (专人负责/监控)."""
    if (
        not has_capability(request.user, "standards")
        and not Standard.objects.filter(Q(owner=request.user) | Q(monitor=request.user)).exists()
    ):
        raise PermissionDenied
    standard = (
        visible_standards(
            request.user,
            Standard.objects.select_related("department", "owner", "monitor", "working_group"),
        )
        .filter(pk=pk)
        .first()
    )
    if standard is None:
        raise Http404
    return render(
        request,
        "layers/loop.html",
        {"standard": standard, **selectors.standard_loop(request.user, standard)},
    )
