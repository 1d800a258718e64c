from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "onevisit.evaluation"
    verbose_name = _("Land-efficiency evaluation (亩产效益)")
    default_auto_field = "django.db.models.BigAutoField"
