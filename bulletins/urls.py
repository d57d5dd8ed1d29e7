from django.urls import path

from bulletins import views

app_name = "bulletins"

urlpatterns = [
    path("", views.bulletin_list, name="list"),
    path("compare/", views.bulletin_compare, name="compare"),
    path("<int:pk>/", views.bulletin_detail, name="detail"),
    path("<int:pk>/export.xlsx", views.bulletin_excel, name="excel"),
    path("<int:pk>/export.pdf", views.bulletin_pdf, name="pdf"),
    path("<int:pk>/targets/new/", views.target_create, name="target_create"),
    path("<int:pk>/decisions/", views.bulletin_decisions, name="decisions"),
    path("<int:pk>/correct/", views.bulletin_correct, name="correct"),
]
