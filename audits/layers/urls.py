from django.urls import path

from audits.layers import report_views

app_name = "layers"

urlpatterns = [
    path("reports/monthly/", report_views.monthly_report, name="monthly_report"),
]
