from django.urls import path

from org import views

app_name = "org"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("agents/", views.agent_list, name="agent_list"),
    path("agents/<int:pk>/", views.agent_detail, name="agent_detail"),
    path("agents/<int:pk>/move/", views.agent_move, name="agent_move"),
]
