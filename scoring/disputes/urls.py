"""Disputes: raising one on an evaluation, the review list, ruling and withdrawing."""

from django.urls import path

from . import views

app_name = "disputes"

urlpatterns = [
    path("disputes/", views.dispute_list, name="dispute_list"),
    path("disputes/<int:pk>/", views.dispute_detail, name="dispute_detail"),
    path("disputes/<int:pk>/withdraw/", views.dispute_withdraw_view, name="dispute_withdraw"),
    path("evaluations/<int:evaluation_pk>/dispute/", views.dispute_create, name="dispute_create"),
]
