from django.urls import path

from onevisit.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("enterprises/<int:pk>/devices/", views.enterprise_devices, name="enterprise_devices"),
]
