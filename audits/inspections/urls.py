from django.urls import path

from audits.inspections import views

app_name = "inspections"

urlpatterns = [
    path("inspections/", views.inspection_overview, name="overview"),
    path("inspections/self/new/", views.self_inspection_create, name="self_create"),
    path("inspections/self/<int:pk>/", views.self_inspection_detail, name="self_detail"),
    path(
        "inspections/self/<int:pk>/items/<int:item_pk>/",
        views.checklist_item_record_view,
        name="item_record",
    ),
    path(
        "inspections/self/<int:pk>/complete/",
        views.self_inspection_complete_view,
        name="self_complete",
    ),
    path("inspections/third-party/new/", views.third_party_import_view, name="third_party_import"),
    path("inspections/third-party/<int:pk>/", views.third_party_detail, name="third_party_detail"),
]
