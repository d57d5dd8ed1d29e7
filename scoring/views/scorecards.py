from __future__ import annotations

from django.http import HttpResponse


def scorecard_list(request):
    return HttpResponse("Coming soon")


def scorecard_detail(request, pk):
    return HttpResponse("Coming soon")


def scorecard_publish(request, pk):
    return HttpResponse("Coming soon")


def scorecard_new_version(request, pk):
    return HttpResponse("Coming soon")
