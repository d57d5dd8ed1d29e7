from django.urls import path

from . import views

app_name = "walkthroughs"

urlpatterns = [
    path("walkthroughs/", views.month_list, name="list"),
    path("walkthroughs/draw/", views.draw, name="draw"),
    path("walkthroughs/<int:pk>/", views.detail, name="detail"),
    path("walkthroughs/<int:pk>/start/", views.start, name="start"),
    path("walkthroughs/<int:pk>/documents/", views.upload, name="upload"),
    path("walkthroughs/<int:pk>/drill/", views.drill, name="drill"),
    path("walkthroughs/<int:pk>/findings/", views.finding, name="finding"),
    path("walkthroughs/<int:pk>/verdict/", views.verdict, name="verdict"),
    path("walkthroughs/documents/<int:pk>/", views.document, name="document"),
]
