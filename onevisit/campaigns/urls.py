from django.urls import path

from onevisit.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path(
        "<int:pk>/enterprises/<int:enterprise_id>/", views.enterprise_plan, name="enterprise_plan"
    ),
    path("units/<int:pk>/<str:action>/", views.unit_act, name="unit_act"),
    path("units/<int:pk>/proof", views.proof, name="proof"),
    path("targets/<int:pk>/", views.target_detail, name="target_detail"),
    path("targets/<int:pk>/check/", views.target_check, name="target_check"),
]
