"""Call pages: the list and export, one call with its automatic check and evaluations, imports,
and activating a rule library with the rescoring of a period's calls."""

from django.urls import path

from . import import_templates, views

app_name = "calls"

urlpatterns = [
    path("calls/", views.call_list, name="call_list"),
    path("calls/export.<str:fmt>", views.call_export, name="call_export"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/critical-review/", views.critical_review, name="critical_review"),
    path("imports/", views.import_list, name="import_list"),
    path("imports/new/", views.import_upload, name="import"),
    path(
        "imports/template.<str:fmt>",
        import_templates.import_template,
        name="import_template",
    ),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", views.import_progress, name="import_progress"),
    path("rules/<int:pk>/activate/", views.library_activate, name="library_activate"),
    path("rules/<int:pk>/rescore/", views.library_rescore, name="library_rescore"),
]
