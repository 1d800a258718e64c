from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "onevisit.assessments"
    verbose_name = _("Prior assessment (事前评估)")
    default_auto_field = "django.db.models.BigAutoField"
