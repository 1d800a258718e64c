from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "onevisit.monitoring"
    verbose_name = _("Online monitoring")
    default_auto_field = "django.db.models.BigAutoField"
