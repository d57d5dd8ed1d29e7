"""Importing calls from the browser: the upload form, the list of imports, and each import's
page with its errors and a progress bar polled with htmx."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qa_center.permissions import capability_required
from scoring.importers import problem_location, render_problem
from scoring.models import ImportJob
from scoring.services.imports import import_file, import_job_progress, imports_for


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "JSON Lines (one call per line), or CSV / XLSX with one row per turn: "
            "call_id, agent, started_at, speaker, text, start, end (optional: channel, "
            "duration, recording_url). UTF-8."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".jsonl,.ndjson,.json,.csv,.xlsx"}),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        required=False,
        choices=[("", gettext_lazy("From the file")), *ImportJob.Format.choices],
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.QA_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
                % {"size": round(upload.size / 1048576, 1), "limit": round(limit / 1048576, 1)}
            )
        return upload


def _job_for(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(imports_for(request.user), pk=pk)


@capability_required("import")
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = import_file(
            user=request.user,
            filename=upload.name,
            content=upload.read(),
            fmt=form.cleaned_data["format"] or None,
        )
        return redirect("scoring:import_detail", pk=job.pk)
    jobs = imports_for(request.user)[:10]
    return render(request, "scoring/import_upload.html", {"form": form, "jobs": jobs})


@capability_required("import")
def import_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(imports_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "scoring/import_list.html", {"page": page})


def _errors(job: ImportJob) -> list[dict]:
    return [
        {
            "where": problem_location(problem),
            "line": problem.get("line"),
            "field": problem.get("field"),
            "message": render_problem({**problem, "line": None, "field": None}),
        }
        for problem in job.errors
    ]


@capability_required("import")
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job_for(request, pk)
    context = {"job": job, "progress": import_job_progress(job), "errors": _errors(job)}
    return render(request, "scoring/import_detail.html", context)


@capability_required("import")
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.headers.get("HX-Request"):
        raise Http404
    job = _job_for(request, pk)
    progress = import_job_progress(job)
    response = render(request, "scoring/import_progress.html", {"job": job, "progress": progress})
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED) and (
        request.GET.get("status") != job.status
    ):
        # The job finished since the page was drawn: reload it to show the result.
        response["HX-Refresh"] = "true"
    return response
