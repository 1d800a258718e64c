from django.urls import path

from onevisit.catalog import views

app_name = "catalog"

urlpatterns = [
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_edit, name="item_create"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/<str:action>/", views.item_transition, name="item_transition"),
]
