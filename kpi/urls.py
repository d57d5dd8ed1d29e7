from django.urls import path

from kpi import views

app_name = "kpi"

urlpatterns: list = [
    path("", views.indicator_list, name="indicators"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator"),
    path("targets/", views.target_list, name="targets"),
    path("targets/center/", views.target_set_center, name="target_set_center"),
    path("targets/<int:pk>/", views.target_detail, name="target"),
    path("targets/<int:pk>/activate/", views.target_activate, name="target_activate"),
    path("targets/<int:pk>/cascade/", views.target_cascade, name="target_cascade"),
    path("targets/<int:pk>/tighten/", views.target_tighten, name="target_tighten"),
    path("measurements/import/", views.measurements_import, name="measurements_import"),
    path("shortfalls/", views.shortfall_list, name="shortfalls"),
]

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
