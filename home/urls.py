"""The root URLconf: every app's pages and API, gathered. Like the home page, this module is a
composition root: it imports the apps, and nothing imports it."""

from __future__ import annotations

from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from . import views

handler403 = "qa_center.views.error_403"
handler404 = "qa_center.views.error_404"
handler500 = "qa_center.views.error_500"

SCORING_APPS = ["rules", "calls", "evaluations", "sampling", "disputes", "calibration"]
AUDITS_APPS = ["actions", "standards", "inspections", "walkthroughs", "layers"]

api_v1 = [
    path("", include("org.api")),
    *(path("", include(f"scoring.{app}.api")) for app in SCORING_APPS),
    *(path("", include(f"audits.{app}.api")) for app in AUDITS_APPS),
    path("", include("kpi.api")),
    path("", include("bulletins.api")),
]

# The API docs pages (drf-spectacular-sidecar, our own static files) style themselves inline and
# use data: images; Redoc runs its search in a blob: worker. Only these two URLs allow that. The
# Swagger "split" view loads its start-up script from a URL instead of an inline <script>.
docs_csp = csp_update(
    {"style-src": ["'unsafe-inline'"], "img-src": ["data:"], "worker-src": ["'self'", "blob:"]}
)

urlpatterns = [
    path("", views.home, name="home"),
    path("", include("qa_center.urls")),
    path("accounts/", include("org.account_urls")),
    path("org/", include("org.urls")),
    *(path("scoring/", include(f"scoring.{app}.urls")) for app in SCORING_APPS),
    *(path("audits/", include(f"audits.{app}.urls")) for app in AUDITS_APPS),
    path("kpi/", include("kpi.urls")),
    path("bulletins/", include("bulletins.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        docs_csp(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        docs_csp(SpectacularRedocView.as_view(url_name="api-schema")),
        name="api-redoc",
    ),
]
