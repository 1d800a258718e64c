from django.urls import path

from onevisit.tips import views

app_name = "tips"

urlpatterns = [
    path("new/", views.tip_new, name="tip_new"),
    path("status/", views.tip_status, name="tip_status"),
    path("", views.tip_list, name="tip_list"),
    path("<int:pk>/", views.tip_detail, name="tip_detail"),
    path("<int:pk>/<str:action>/", views.tip_act, name="tip_act"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
