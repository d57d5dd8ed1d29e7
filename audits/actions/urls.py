from django.urls import path

from audits.actions import views

app_name = "actions"

urlpatterns = [
    path("actions/", views.action_list_view, name="list"),
    path("actions/new/", views.action_create_view, name="create"),
    path("actions/<int:pk>/", views.action_detail_view, name="detail"),
    path("actions/<int:pk>/<str:step>/", views.action_step_view, name="step"),
]
