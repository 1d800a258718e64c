from django.urls import path

from onevisit.operations import views

app_name = "operations"

urlpatterns = [
    path("import/", views.import_view, name="import"),
]
