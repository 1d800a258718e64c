from django.urls import path

from onevisit.liaison import views

app_name = "liaison"

urlpatterns = [
    path("", views.concern_list, name="concern_list"),
    path("new/", views.concern_new, name="concern_new"),
    path("follow/", views.concern_follow, name="concern_follow"),
    path("<int:pk>/", views.concern_detail, name="concern_detail"),
    path("<int:pk>/<str:action>/", views.concern_act, name="concern_act"),
]
