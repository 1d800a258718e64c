from django.urls import path

from onevisit.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("enterprises/<int:pk>/devices/", views.enterprise_devices, name="enterprise_devices"),
    path("devices/<int:pk>/readings/", views.device_readings, name="device_readings"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/<str:action>/", views.alert_act, name="alert_act"),
]
