from django.urls import path

from onevisit.penalties import views

app_name = "penalties"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("decisions/", views.decision_list, name="decision_list"),
    path("decisions/new/", views.decision_new, name="decision_new"),
    path("consistency/", views.consistency, name="consistency"),
]
