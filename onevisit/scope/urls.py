from django.urls import path

from onevisit.scope import views

app_name = "scope"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("regional/", views.regional, name="regional"),
    path("regional/propose/", views.propose, name="propose"),
    path("regional/<int:pk>/review/", views.review, name="review"),
    path("mine/", views.mine, name="mine"),
    path("lookup/", views.lookup, name="lookup"),
    path("e/<str:uscc>/", views.published, name="published"),
]
