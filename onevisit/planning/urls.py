from django.urls import path

from onevisit.planning import views

app_name = "planning"

urlpatterns = [
    path("", views.coordination, name="coordination"),
    path("runs/", views.start_run, name="start_run"),
    path("door/", views.door_limit, name="door_limit"),
    path("runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("rules/", views.rules, name="rules"),
    path("rules/recompute/", views.recompute, name="recompute"),
    path("enterprises/<int:pk>/", views.enterprise_panel, name="enterprise_panel"),
    path("tiers/<int:pk>/override/", views.override_tier, name="override_tier"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/generate/", views.plan_generate, name="plan_generate"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/special/", views.plan_special, name="plan_special"),
    path("plans/<int:pk>/plan.<str:fmt>", views.plan_export, name="plan_export"),
    path("plans/<int:pk>/file/", views.plan_file, name="plan_file"),
    path("plans/<int:pk>/<str:decision>/", views.plan_decide, name="plan_decide"),
    path("schedule/", views.my_schedule, name="my_schedule"),
    path("inspectors/<int:pk>/schedule/", views.schedule, name="schedule"),
    path("inspectors/<int:pk>/schedule.ics", views.schedule_feed, name="schedule_feed"),
]
