from django.urls import path

from onevisit.rectification import views

app_name = "rectification"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
]
