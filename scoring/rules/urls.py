"""Rule library pages: versions, editing, trying a rule on a dialogue, export. (Activating a
version rescores calls, so that page lives with the checks: scoring.calls.urls.)"""

from django.urls import path

from . import views

app_name = "rules"

urlpatterns = [
    path("rules/", views.library_list, name="library_list"),
    path("rules/import/", views.library_import, name="library_import"),
    path("rules/<int:pk>/", views.library_detail, name="library_detail"),
    path("rules/<int:pk>/edit/", views.library_edit, name="library_edit"),
    path("rules/<int:pk>/rules/<str:code>/", views.rule_detail, name="rule_detail"),
    path("rules/<int:pk>/try/", views.library_try_view, name="library_try"),
    path("rules/<int:pk>/export/", views.library_export, name="library_export"),
]
