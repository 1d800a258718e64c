from django.contrib import admin
from django.urls import include, path

from onevisit.api import api
from onevisit.lib import health
from onevisit.workbench import views as workbench_views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", workbench_views.home, name="home"),
    path("accounts/", include("onevisit.accounts.urls")),
    path("", include("onevisit.registry.urls")),
    path("", include("onevisit.operations.urls")),
    path("", include("onevisit.catalog.urls")),
    path("planning/", include("onevisit.planning.urls")),
    path("draws/", include("onevisit.draws.urls")),
    path("monitoring/", include("onevisit.monitoring.urls")),
    path("", include("onevisit.inspections.urls")),
    path("oversight/", include("onevisit.oversight.urls")),
    path("tips/", include("onevisit.tips.urls")),
    path("rectification/", include("onevisit.rectification.urls")),
    path("campaigns/", include("onevisit.campaigns.urls")),
    path("penalties/", include("onevisit.penalties.urls")),
    path("evaluation/", include("onevisit.evaluation.urls")),
    path("assessments/", include("onevisit.assessments.urls")),
    path("requests/", include("onevisit.liaison.urls")),
    path("scope/", include("onevisit.scope.urls")),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler404 = "onevisit.lib.api.not_found"
