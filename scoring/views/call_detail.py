from __future__ import annotations

from django.http import HttpResponse


def call_detail(request, pk):  # filled in below
    return HttpResponse("Coming soon")
