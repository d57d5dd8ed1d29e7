from django.urls import path

from audits.standards import views

app_name = "standards"

urlpatterns = [
    path("standards/", views.standard_list, name="list"),
    path("standards/new/", views.standard_create_view, name="create"),
    path("standards/reading/", views.my_reading, name="my_reading"),
    path("standards/abolitions/", views.abolition_list, name="abolitions"),
    path(
        "standards/abolitions/<int:pk>/<str:decision>/",
        views.abolition_decide,
        name="abolition_decide",
    ),
    path("standards/<int:pk>/", views.standard_detail, name="detail"),
    path("standards/<int:pk>/edit/", views.standard_edit, name="edit"),
    path("standards/<int:pk>/read/", views.standard_read, name="read"),
    path("standards/<int:pk>/rollout/", views.standard_rollout, name="rollout"),
    path("standards/<int:pk>/<str:action>/", views.standard_action, name="action"),
    path("rollouts/<int:pk>/remind/", views.rollout_remind_view, name="remind"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
