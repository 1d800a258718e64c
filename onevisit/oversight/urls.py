from django.urls import path

from onevisit.oversight import views

app_name = "oversight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("warnings/", views.warning_list, name="warning_list"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning_detail"),
    path("warnings/<int:pk>/<str:action>/", views.warning_act, name="warning_act"),
    path("rules/", views.rules, name="rules"),
    path("evaluations/", views.evaluation_list, name="evaluation_list"),
    path("evaluations/<int:pk>/note/", views.evaluation_note, name="evaluation_note"),
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/<int:pk>/handle/", views.complaint_handle, name="complaint_handle"),
]
