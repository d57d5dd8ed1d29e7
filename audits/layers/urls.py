from django.urls import path

from audits.layers import my_standards, report_views, views

app_name = "layers"

urlpatterns = [
    path("layers/", views.overview, name="overview"),
    path("my-standards/", my_standards.my_standards_view, name="my_standards"),
    path("layers/<slug:layer>/", views.layer_detail, name="layer"),
    path("layers/loop/<int:pk>/", views.standard_loop, name="loop"),
    path("reports/monthly/", report_views.monthly_report, name="monthly_report"),
]
