from django.urls import path

from onevisit.draws import views

app_name = "draws"

urlpatterns = [
    path("", views.draw_list, name="draw_list"),
    path("new/", views.draw_create, name="draw_create"),
    path("results/", views.draw_results, name="draw_results"),
    path("<int:pk>/", views.draw_detail, name="draw_detail"),
    path("<int:pk>/pool.txt", views.draw_pool, name="draw_pool"),
    path("<int:pk>/record.json", views.draw_record, name="draw_record"),
    path("<int:pk>/verify/", views.draw_verify, name="draw_verify"),
    path("<int:pk>/run/", views.draw_run, name="draw_run"),
]
