from django.urls import path  # noqa: F401

app_name = "kpi"

urlpatterns: list = []

# Pages of kpi-analytics: the KPI tree, the appraisal and scorecards, linkage and cycle charts.
from kpi import views_linkage, views_tree  # noqa: E402

urlpatterns += [
    path("tree/", views_tree.kpi_tree, name="tree"),
    path("tree/excel/", views_tree.kpi_tree_xlsx, name="tree_xlsx"),
    path("tree/pdf/", views_tree.kpi_tree_pdf, name="tree_pdf"),
    path("appraisal/", views_tree.kpi_appraisal, name="appraisal"),
    path("appraisal/excel/", views_tree.kpi_appraisal_xlsx, name="appraisal_xlsx"),
    path("appraisal/pdf/", views_tree.kpi_appraisal_pdf, name="appraisal_pdf"),
    path("scorecards/", views_tree.kpi_scorecard, name="scorecard"),
    path("linkage/", views_linkage.kpi_linkage, name="linkage"),
    path("cycles/", views_linkage.kpi_cycles, name="cycles"),
]
