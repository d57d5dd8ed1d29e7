from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from org import api as org_api
from scoring.api import extra_urls as scoring_api_urls
from scoring.api import router as scoring_router

from . import views

handler403 = "qa_center.views.error_403"
handler404 = "qa_center.views.error_404"
handler500 = "qa_center.views.error_500"

api_v1 = [
    path("", include(org_api.router.urls)),
    path("me/", org_api.MeView.as_view(), name="me"),
    path("", include(scoring_router.urls)),
    *scoring_api_urls,
    path("", include("bulletins.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("notifications/", views.notifications, name="notifications"),
    path("accounts/", include("org.account_urls")),
    path("org/", include("org.urls")),
    path("scoring/", include("scoring.urls")),
    path("bulletins/", include("bulletins.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
