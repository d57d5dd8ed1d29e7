"""The home page: each role lands here and sees what it works on next."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from org.selectors import org_summary_for

from .panels import home_panels


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands here; the page shows what that role works on."""
    context = {"summary": org_summary_for(request.user), "panels": home_panels(request.user)}
    return render(request, "home/home.html", context)
