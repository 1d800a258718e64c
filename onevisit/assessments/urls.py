from django.urls import path

from onevisit.assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.assessment_list, name="assessment_list"),
    path("new/", views.assessment_new, name="assessment_new"),
    path("public/", views.public_list, name="public_list"),
    path("<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("<int:pk>/decide/", views.assessment_decide, name="assessment_decide"),
    path("after/<int:visit_pk>/", views.emergency_assess, name="emergency_assess"),
]
