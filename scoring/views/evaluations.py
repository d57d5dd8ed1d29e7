from __future__ import annotations

from django.http import HttpResponse


def evaluate_call(request, pk):
    return HttpResponse("Coming soon")


def evaluation_list(request):
    return HttpResponse("Coming soon")


def evaluation_edit(request, pk):
    return HttpResponse("Coming soon")


def evaluation_acknowledge(request, pk):
    return HttpResponse("Coming soon")


def my_evaluations(request):
    return HttpResponse("Coming soon")
