"""Calls, imports and rule libraries (the scoring app's "calls in, checks out" half)."""

from django.urls import path

from .views import calls, imports, libraries

urlpatterns = [
    path("calls/", calls.call_list, name="call_list"),
    path("calls/export.<str:fmt>", calls.call_export, name="call_export"),
    path("imports/", imports.import_list, name="import_list"),
    path("imports/new/", imports.import_upload, name="import"),
    path("imports/<int:pk>/", imports.import_detail, name="import_detail"),
    path("imports/<int:pk>/progress/", imports.import_progress, name="import_progress"),
    path("rules/", libraries.library_list, name="library_list"),
    path("rules/import/", libraries.library_import, name="library_import"),
    path("rules/<int:pk>/", libraries.library_detail, name="library_detail"),
    path("rules/<int:pk>/edit/", libraries.library_edit, name="library_edit"),
    path("rules/<int:pk>/try/", libraries.library_try_view, name="library_try"),
    path("rules/<int:pk>/export/", libraries.library_export, name="library_export"),
    path("rules/<int:pk>/activate/", libraries.library_activate_view, name="library_activate"),
    path("rules/<int:pk>/rescore/", libraries.library_rescore, name="library_rescore"),
]
